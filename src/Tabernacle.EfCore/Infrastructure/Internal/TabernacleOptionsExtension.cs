using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions;

namespace Tabernacle.EfCore.Infrastructure.Internal;

/// <summary>
/// The provider's options on a <see cref="DbContextOptions"/>: where the data is (connection string or client, and
/// database) and the defaults for reads and writes. Immutable: every change returns a copy, as EF Core requires.
/// </summary>
public sealed class TabernacleOptionsExtension : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? _info;

    /// <summary>Creates an empty extension.</summary>
    public TabernacleOptionsExtension()
    {
    }

    private TabernacleOptionsExtension(TabernacleOptionsExtension copyFrom)
    {
        ConnectionString = copyFrom.ConnectionString;
        DatabaseName = copyFrom.DatabaseName;
        MongoClient = copyFrom.MongoClient;
        ClientSettingsConfigurators = copyFrom.ClientSettingsConfigurators;
        DefaultReadPreference = copyFrom.DefaultReadPreference;
        DefaultReadConcern = copyFrom.DefaultReadConcern;
        DefaultWriteConcern = copyFrom.DefaultWriteConcern;
        CausalConsistency = copyFrom.CausalConsistency;
        CausalReadTimeout = copyFrom.CausalReadTimeout;
        ExecutionStrategyFactory = copyFrom.ExecutionStrategyFactory;
        CollectionNaming = copyFrom.CollectionNaming;
        ElementNaming = copyFrom.ElementNaming;
        ValidateOnSave = copyFrom.ValidateOnSave;
    }

    /// <summary>The connection string, when the context connects by connection string.</summary>
    public string? ConnectionString { get; private set; }

    /// <summary>The database name (from <c>UseTabernacle</c> or the connection string's path).</summary>
    public string? DatabaseName { get; private set; }

    /// <summary>A client the application supplied, when it did.</summary>
    public IMongoClient? MongoClient { get; private set; }

    /// <summary>Callbacks that adjust the <see cref="MongoClientSettings"/> built from the connection string.</summary>
    public IReadOnlyList<Action<MongoClientSettings>> ClientSettingsConfigurators { get; private set; } = [];

    /// <summary>The context's default read preference; <c>null</c> uses the connection string's.</summary>
    public ReadPreference? DefaultReadPreference { get; private set; }

    /// <summary>The context's default read concern; <c>null</c> uses the connection string's.</summary>
    public ReadConcern? DefaultReadConcern { get; private set; }

    /// <summary>The context's default write concern; <c>null</c> uses the connection string's.</summary>
    public WriteConcern? DefaultWriteConcern { get; private set; }

    /// <summary>Whether each context reads through one causally consistent session (read-your-writes). Default on.</summary>
    public bool CausalConsistency { get; private set; } = true;

    /// <summary>
    /// How long a read off the primary may wait for its member to reach the session's cluster time (sent as
    /// <c>maxTimeMS</c>) before it goes to the primary instead. Default 1 second.
    /// </summary>
    public TimeSpan CausalReadTimeout { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>The execution strategy factory set by <c>EnableRetryOnFailure</c>, or <c>null</c>.</summary>
    public Func<ExecutionStrategyDependencies, IExecutionStrategy>? ExecutionStrategyFactory { get; private set; }

    /// <summary>How collections are named when nothing more specific names them.</summary>
    public CollectionNaming CollectionNaming { get; private set; } = CollectionNaming.PluralizedLowerCase;

    /// <summary>How element names derive from property names.</summary>
    public ElementNaming ElementNaming { get; private set; } = ElementNaming.AsDeclared;

    /// <summary>Whether DataAnnotations validation runs before each save. Default on.</summary>
    public bool ValidateOnSave { get; private set; } = true;

    /// <inheritdoc />
    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    internal TabernacleOptionsExtension WithConnectionString(string connectionString, string? databaseName) =>
        new(this) { ConnectionString = connectionString, DatabaseName = databaseName, MongoClient = null };

    internal TabernacleOptionsExtension WithClient(IMongoClient client, string databaseName) =>
        new(this) { MongoClient = client, DatabaseName = databaseName, ConnectionString = null };

    internal TabernacleOptionsExtension WithClientSettings(Action<MongoClientSettings> configure) =>
        new(this) { ClientSettingsConfigurators = [.. ClientSettingsConfigurators, configure] };

    internal TabernacleOptionsExtension WithDefaultReadPreference(ReadPreference? readPreference) =>
        new(this) { DefaultReadPreference = readPreference };

    internal TabernacleOptionsExtension WithDefaultReadConcern(ReadConcern? readConcern) => new(this) { DefaultReadConcern = readConcern };

    internal TabernacleOptionsExtension WithDefaultWriteConcern(WriteConcern? writeConcern) =>
        new(this) { DefaultWriteConcern = writeConcern };

    internal TabernacleOptionsExtension WithCausalConsistency(bool enabled) => new(this) { CausalConsistency = enabled };

    internal TabernacleOptionsExtension WithCausalReadTimeout(TimeSpan timeout) => new(this) { CausalReadTimeout = timeout };

    internal TabernacleOptionsExtension WithExecutionStrategyFactory(Func<ExecutionStrategyDependencies, IExecutionStrategy>? factory) =>
        new(this) { ExecutionStrategyFactory = factory };

    internal TabernacleOptionsExtension WithCollectionNaming(CollectionNaming naming) => new(this) { CollectionNaming = naming };

    internal TabernacleOptionsExtension WithElementNaming(ElementNaming naming) => new(this) { ElementNaming = naming };

    internal TabernacleOptionsExtension WithValidateOnSave(bool validate) => new(this) { ValidateOnSave = validate };

    /// <inheritdoc />
    public void ApplyServices(IServiceCollection services) => services.AddEntityFrameworkTabernacle();

    /// <inheritdoc />
    public void Validate(IDbContextOptions options)
    {
        if (MongoClient is null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException(
                "Tabernacle needs a MongoDB connection string or client: call UseTabernacle(connectionString) or UseTabernacle(client, " +
                    "databaseName).");
        }
    }

    private sealed class ExtensionInfo(TabernacleOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        private string? _logFragment;
        private int? _serviceProviderHash;

        private new TabernacleOptionsExtension Extension => (TabernacleOptionsExtension)base.Extension;

        public override bool IsDatabaseProvider => true;

        // The connection string is never shown: it may carry a password. The database name and the hosts are enough to tell contexts apart.
        public override string LogFragment => _logFragment ??= BuildLogFragment();

        private string BuildLogFragment()
        {
            var builder = new StringBuilder("Tabernacle: ");
            builder.Append(CultureInfo.InvariantCulture, $"Database={Extension.DatabaseName} ");
            if (Extension.MongoClient is not null)
            {
                builder.Append("Client=provided ");
            }
            else if (Extension.ConnectionString is not null)
            {
                builder.Append(CultureInfo.InvariantCulture, $"Servers={ConnectionStrings.RedactedServers(Extension.ConnectionString)} ");
            }

            if (Extension.DefaultReadPreference is not null)
            {
                builder.Append(CultureInfo.InvariantCulture, $"ReadPreference={Extension.DefaultReadPreference.ReadPreferenceMode} ");
            }

            if (Extension.DefaultWriteConcern is not null)
            {
                builder.Append(CultureInfo.InvariantCulture, $"WriteConcern={Extension.DefaultWriteConcern.W} ");
            }

            return builder.ToString();
        }

        public override int GetServiceProviderHashCode() =>
            _serviceProviderHash ??= HashCode.Combine(Extension.ExecutionStrategyFactory is not null, Extension.CollectionNaming,
                Extension.ElementNaming);

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) =>
            other is ExtensionInfo otherInfo
            && otherInfo.Extension.CollectionNaming == Extension.CollectionNaming
            && otherInfo.Extension.ElementNaming == Extension.ElementNaming
            && (otherInfo.Extension.ExecutionStrategyFactory is null) == (Extension.ExecutionStrategyFactory is null);

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
            debugInfo["Tabernacle:CollectionNaming"] = Extension.CollectionNaming.ToString();
            debugInfo["Tabernacle:ElementNaming"] = Extension.ElementNaming.ToString();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Info.LogFragment;
}
