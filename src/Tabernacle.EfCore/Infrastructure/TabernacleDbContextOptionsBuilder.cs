using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Driver;
using Tabernacle.EfCore.Infrastructure.Internal;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore;

/// <summary>
/// Provider-specific options for <c>UseTabernacle(...)</c>: client settings, default read preference, read and
/// write concern, causal consistency, retries and naming conventions.
/// </summary>
public class TabernacleDbContextOptionsBuilder
{
    /// <summary>Creates a builder over <paramref name="optionsBuilder"/>.</summary>
    public TabernacleDbContextOptionsBuilder(DbContextOptionsBuilder optionsBuilder)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        OptionsBuilder = optionsBuilder;
    }

    /// <summary>The core options builder.</summary>
    protected virtual DbContextOptionsBuilder OptionsBuilder { get; }

    /// <summary>Adjusts the <see cref="MongoClientSettings"/> built from the connection string (timeouts, TLS, event
    /// subscribers...).</summary>
    public virtual TabernacleDbContextOptionsBuilder ConfigureClientSettings(Action<MongoClientSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return With(e => e.WithClientSettings(configure));
    }

    /// <summary>The read preference of every query of this context that does not choose its own (<c>WithReadPreference</c>).</summary>
    public virtual TabernacleDbContextOptionsBuilder DefaultReadPreference(ReadPreference readPreference)
    {
        ArgumentNullException.ThrowIfNull(readPreference);
        ReadPreferenceRules.Validate(readPreference);
        return With(e => e.WithDefaultReadPreference(readPreference));
    }

    /// <summary>The read concern of every query of this context that does not choose its own.</summary>
    public virtual TabernacleDbContextOptionsBuilder DefaultReadConcern(ReadConcern readConcern)
    {
        ArgumentNullException.ThrowIfNull(readConcern);
        return With(e => e.WithDefaultReadConcern(readConcern));
    }

    /// <summary>The write concern of every save of this context that does not choose its own.</summary>
    public virtual TabernacleDbContextOptionsBuilder DefaultWriteConcern(WriteConcern writeConcern)
    {
        ArgumentNullException.ThrowIfNull(writeConcern);
        return With(e => e.WithDefaultWriteConcern(writeConcern));
    }

    /// <summary>
    /// Whether the context runs its operations in one causally consistent session, so that a query after a save sees
    /// that save even when it reads from a lagging secondary. On by default.
    /// </summary>
    public virtual TabernacleDbContextOptionsBuilder CausalConsistency(bool enabled = true) => With(e => e.WithCausalConsistency(enabled));

    /// <summary>
    /// Bounds how long a read off the primary waits for its member to reach the session's cluster time (default 1 s,
    /// sent as <c>maxTimeMS</c>). When the bound is reached the read goes to the primary; when its read preference is
    /// <c>Secondary</c>, which forbids the primary, it fails with a <see cref="TimeoutException"/> instead.
    /// </summary>
    public virtual TabernacleDbContextOptionsBuilder CausalReadTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return With(e => e.WithCausalReadTimeout(timeout));
    }

    /// <summary>
    /// Retries a whole <c>SaveChanges</c> (or a user's <c>strategy.ExecuteAsync</c> block) on transient errors: failovers,
    /// <c>TransientTransactionError</c>, <c>RetryableWriteError</c>, network errors. A commit whose outcome is unknown
    /// (<c>UnknownTransactionCommitResult</c>) is not replayed, which could store the unit twice: the commit itself is sent
    /// again until the server says whether it happened.
    /// </summary>
    /// <param name="maxRetryCount">The maximum number of retries (default 6).</param>
    /// <param name="maxRetryDelay">The longest delay between retries (default 30 seconds).</param>
    public virtual TabernacleDbContextOptionsBuilder EnableRetryOnFailure(int maxRetryCount = 6, TimeSpan? maxRetryDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetryCount);
        var delay = maxRetryDelay ?? TimeSpan.FromSeconds(30);
        return With(e => e.WithExecutionStrategyFactory(d => new TabernacleRetryingExecutionStrategy(d, maxRetryCount, delay)));
    }

    /// <summary>How collections are named when nothing more specific names them (default: lower-cased plural of the type name).</summary>
    public virtual TabernacleDbContextOptionsBuilder CollectionNaming(CollectionNaming naming) => With(e => e.WithCollectionNaming(naming));

    /// <summary>How element names derive from property names (default: as declared).</summary>
    public virtual TabernacleDbContextOptionsBuilder ElementNaming(ElementNaming naming) => With(e => e.WithElementNaming(naming));

    /// <summary>Whether DataAnnotations validation runs before each save (default on).</summary>
    public virtual TabernacleDbContextOptionsBuilder ValidateOnSave(bool validate = true) => With(e => e.WithValidateOnSave(validate));

    private TabernacleDbContextOptionsBuilder With(Func<TabernacleOptionsExtension, TabernacleOptionsExtension> change)
    {
        var extension = OptionsBuilder.Options.FindExtension<TabernacleOptionsExtension>() ?? new TabernacleOptionsExtension();
        ((IDbContextOptionsBuilderInfrastructure)OptionsBuilder).AddOrUpdateExtension(change(extension));
        return this;
    }

    #region Hidden System.Object members

    /// <inheritdoc />
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override string? ToString() => base.ToString();

    /// <inheritdoc />
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc />
    [EditorBrowsable(EditorBrowsableState.Never)]
    public override int GetHashCode() => base.GetHashCode();

    #endregion
}
