using Microsoft.AspNetCore.DataProtection;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions.Internal;
using Tabernacle.EfCore.Infrastructure.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary><c>AddTabernacle</c>: registers a Tabernacle context, its shared client and the replica-set monitor in an application's
/// services.</summary>
public static class TabernacleAspNetCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the MongoDB deployment of <paramref name="connectionString"/> (whose
    /// path names the database), one <see cref="IMongoClient"/> shared by every instance of the context, an
    /// <see cref="IReplicaSetMonitor"/> and the hosted service that keeps it fresh.
    /// </summary>
    /// <remarks>
    /// The context is pooled (<c>AddDbContextPool</c>) when its only constructor takes its options, and registered as an
    /// ordinary scoped context otherwise (a pooled context cannot take other services). Pooling does not get in the way
    /// of the per-endpoint read policy: the policy is set on the leased instance for the request and undone afterwards,
    /// and a context returned to the pool is reset. The first context registered provides the
    /// <see cref="IMongoClient"/> and <see cref="IReplicaSetMonitor"/> services.
    /// </remarks>
    /// <param name="services">The application's services.</param>
    /// <param name="connectionString">A MongoDB connection string with the database in its path:
    /// <c>mongodb://h1,h2,h3/library?replicaSet=rs0</c>.</param>
    /// <param name="configure">Provider options: default read preference, read and write concern, retries...</param>
    /// <exception cref="ArgumentException">The connection string cannot be parsed or names no database.</exception>
    public static IServiceCollection AddTabernacle<TContext>(
        this IServiceCollection services,
        string connectionString,
        Action<TabernacleDbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var url = ConnectionStrings.Parse(connectionString);
        if (string.IsNullOrEmpty(url.DatabaseName))
        {
            throw new ArgumentException(
                "The MongoDB connection string names no database. Add it to the path: " +
                    "mongodb://host1:27017,host2:27017/mydatabase?replicaSet=rs0.",
                nameof(connectionString));
        }

        // The client settings configurators the user gave (ConfigureClientSettings) apply to the one shared client.
        var probe = new DbContextOptionsBuilder<TContext>().UseTabernacle(connectionString, configure);
        var configurators = probe.Options.FindExtension<TabernacleOptionsExtension>()!.ClientSettingsConfigurators;
        var databaseName = url.DatabaseName;

        services.AddOptions<ReplicaSetMonitorOptions>();
        services.AddDataProtection();   // protects the read-your-writes tokens (idempotent)
        services.TryAddSingleton(sp =>
        {
            var settings = MongoClientSettings.FromUrl(url);
            foreach (var c in configurators)
            {
                c(settings);
            }

            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Tabernacle.EfCore.Extensions.ReplicaSetMonitor");
            return new TabernacleConnection<TContext>(settings, databaseName,
                sp.GetRequiredService<IOptions<ReplicaSetMonitorOptions>>().Value, logger);
        });
        services.TryAddSingleton<IMongoClient>(sp => sp.GetRequiredService<TabernacleConnection<TContext>>().Client);
        services.TryAddSingleton<IReplicaSetMonitor>(sp => sp.GetRequiredService<TabernacleConnection<TContext>>().Monitor);
        services.AddHostedService<ReplicaSetMonitorService<TContext>>();

        var registry =
            services.LastOrDefault(d =>
                d.ServiceType == typeof(TabernacleContextRegistry))?.ImplementationInstance as TabernacleContextRegistry;
        if (registry is null)
        {
            registry = new TabernacleContextRegistry();
            services.AddSingleton(registry);
        }

        registry.Add(typeof(TContext));

        void Options(IServiceProvider sp, DbContextOptionsBuilder options)
        {
            var connection = sp.GetRequiredService<TabernacleConnection<TContext>>();
            options.UseTabernacle(connection.Client, connection.DatabaseName, configure);
        }

        if (CanPool(typeof(TContext)))
        {
            services.AddDbContextPool<TContext>(Options);
        }
        else
        {
            services.AddDbContext<TContext>(Options);
        }

        return services;
    }

    /// <summary>
    /// Registers <typeparamref name="TContext"/> on <paramref name="databaseName"/> of the deployment that
    /// <paramref name="connectionString"/> names, for connection strings without a database in their path (the emulator
    /// host prints one unless given <c>--database</c>); see
    /// <see cref="AddTabernacle{TContext}(IServiceCollection, string, Action{TabernacleDbContextOptionsBuilder}?)"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="connectionString">A MongoDB connection string; a database in its path is replaced.</param>
    /// <param name="databaseName">The database the context uses.</param>
    /// <param name="configure">Provider options: default read preference, read and write concern, retries...</param>
    /// <exception cref="ArgumentException">The connection string cannot be parsed, or the database name is empty.</exception>
    public static IServiceCollection AddTabernacle<TContext>(
        this IServiceCollection services,
        string connectionString,
        string databaseName,
        Action<TabernacleDbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        var withDatabase = new MongoUrlBuilder(ConnectionStrings.Parse(connectionString).ToString()) { DatabaseName = databaseName };
        return services.AddTabernacle<TContext>(withDatabase.ToString(), configure);
    }

    /// <summary>
    /// Registers <typeparamref name="TContext"/> with the connection string <c>ConnectionStrings:<paramref name="name"/></c>
    /// of <paramref name="configuration"/>; see <see cref="AddTabernacle{TContext}(IServiceCollection, string,
    /// Action{TabernacleDbContextOptionsBuilder}?)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configuration has no <c>ConnectionStrings:<paramref name="name"/></c>.</exception>
    public static IServiceCollection AddTabernacle<TContext>(
        this IServiceCollection services,
        IConfiguration configuration,
        string name,
        Action<TabernacleDbContextOptionsBuilder>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var connectionString = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"No MongoDB connection string is configured under 'ConnectionStrings:{name}'. Set it in appsettings.json, " +
                $"with the environment variable ConnectionStrings__{name}, or on the command line " +
                    $"(--ConnectionStrings:{name}=mongodb://...).");
        }

        return services.AddTabernacle<TContext>(connectionString, configure);
    }

    /// <summary>Adjusts the replica-set monitor (polling interval, command timeout, driver heartbeat interval).</summary>
    public static IServiceCollection ConfigureReplicaSetMonitor(this IServiceCollection services,
        Action<ReplicaSetMonitorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services;
    }

    // AddDbContextPool needs a constructor taking only the options: a pooled instance outlives any one scope.
    internal static bool CanPool(Type contextType)
    {
        var constructors = contextType.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        return constructors.Length == 1
            && constructors[0].GetParameters() is [var only]
            && typeof(DbContextOptions).IsAssignableFrom(only.ParameterType);
    }
}
