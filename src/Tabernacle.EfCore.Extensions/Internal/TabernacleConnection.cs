using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Diagnostics.Internal;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>
/// What <c>AddTabernacle&lt;TContext&gt;</c> registers per context type: the one client built from the connection string
/// (shared by every instance of the context and exposed as <see cref="IMongoClient"/>), its database name and its monitor.
/// </summary>
internal sealed class TabernacleConnection<TContext> : IDisposable
    where TContext : DbContext
{
    public TabernacleConnection(MongoClientSettings settings, string databaseName, ReplicaSetMonitorOptions monitorOptions,
        Microsoft.Extensions.Logging.ILogger logger)
    {
        DatabaseName = databaseName;
        MonitorOptions = monitorOptions;
        Monitor = new ReplicaSetMonitor(monitorOptions, logger);
        var user = settings.ClusterConfigurator;
        settings.ClusterConfigurator = builder =>
        {
            user?.Invoke(builder);
            ServerTracker.Subscribe(builder);
            Monitor.Subscribe(builder);
        };
        if (settings.HeartbeatInterval > monitorOptions.HeartbeatInterval)
        {
            settings.HeartbeatInterval = monitorOptions.HeartbeatInterval;
        }

        Client = new MongoClient(settings);
        Monitor.Attach(Client);
    }

    public IMongoClient Client { get; }

    public string DatabaseName { get; }

    public ReplicaSetMonitor Monitor { get; }

    public ReplicaSetMonitorOptions MonitorOptions { get; }

    public void Dispose() => Client.Dispose();
}

/// <summary>The context types registered with <c>AddTabernacle</c>, for the per-request read policy.</summary>
internal sealed class TabernacleContextRegistry
{
    private readonly List<Type> _types = [];

    public IReadOnlyList<Type> ContextTypes => _types;

    public void Add(Type type)
    {
        if (!_types.Contains(type))
        {
            _types.Add(type);
        }
    }
}
