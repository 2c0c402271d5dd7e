using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Configuration;
using MongoDB.Driver.Core.Events;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>
/// The replica-set monitor of one client. The driver's cluster events publish a snapshot at once (and wake the poller);
/// <c>replSetGetStatus</c>, while permitted, gives the fuller picture (health, optimes, heartbeats as the server sees them).
/// </summary>
internal sealed class ReplicaSetMonitor : IReplicaSetMonitor
{
    // MongoDB error codes: Unauthorized, NoReplicationEnabled, NotYetInitialized, CommandNotFound.
    private const int Unauthorized = 13;
    private const int NoReplicationEnabled = 76;
    private const int NotYetInitialized = 94;
    private const int CommandNotFound = 59;

    private readonly ReplicaSetMonitorOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private ReplicaSetStatus _current = ReplicaSetStatus.Unknown;
    private TaskCompletionSource<ReplicaSetStatus> _next = NewSignal();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClusterDescription? _cluster;
    private IMongoClient? _client;
    private bool _statusPermitted = true;

    public ReplicaSetMonitor(ReplicaSetMonitorOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        ReadCounter.EnsureStarted();
    }

    public event EventHandler<PrimaryChangedEventArgs>? PrimaryChanged;

    public ReplicaSetStatus Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public IMongoClient Client => _client ?? throw new InvalidOperationException("The monitor has no client yet.");

    /// <summary>Whether <c>replSetGetStatus</c> is still being used (false once the server refused it for lack of privilege).</summary>
    internal bool StatusCommandPermitted => _statusPermitted;

    internal void Attach(IMongoClient client) => _client = client;

    /// <summary>Subscribes the monitor to the cluster events of the client being built.</summary>
    internal void Subscribe(ClusterBuilder builder) =>
        builder.Subscribe<ClusterDescriptionChangedEvent>(OnClusterDescriptionChanged);

    private void OnClusterDescriptionChanged(ClusterDescriptionChangedEvent e)
    {
        _cluster = e.NewDescription;
        if (!_statusPermitted || e.NewDescription.Type != ClusterType.ReplicaSet
            || Current.Source != ReplicaSetStatusSource.ReplSetGetStatus)
        {
            Publish(StatusBuilder.FromCluster(e.NewDescription, DateTimeOffset.UtcNow));
        }

        // A role change seen by the driver: let the poller confirm it with replSetGetStatus now rather than at its next tick.
        if (e.OldDescription.Servers.Select(s =>
            (s.EndPoint, s.Type, s.State)).SequenceEqual(e.NewDescription.Servers.Select(s => (s.EndPoint, s.Type, s.State))) is false)
        {
            Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>Completes when a driver event asks for an early refresh.</summary>
    internal Task WakeSignal => Volatile.Read(ref _wake).Task;

    public Task<ReplicaSetStatus> WaitForChangeAsync(CancellationToken cancellationToken = default)
    {
        Task<ReplicaSetStatus> next;
        lock (_gate)
        {
            next = _next.Task;
        }

        return next.WaitAsync(cancellationToken);
    }

    public async Task<ReplicaSetStatus> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var client = Client;
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_statusPermitted)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.CommandTimeout);
                try
                {
                    var reply = await AdminCommandRunner.RunAsync(
                        client, new BsonDocument("replSetGetStatus", 1), ReadPreference.PrimaryPreferred, _logger,
                            timeout.Token).ConfigureAwait(false);
                    return Publish(StatusBuilder.FromReplSetGetStatus(reply, DateTimeOffset.UtcNow));
                }
                catch (MongoCommandException ex) when (ex.Code is Unauthorized or CommandNotFound)
                {
                    _statusPermitted = false;
                    _logger.LogInformation(
                        "replSetGetStatus is not permitted for this user (code {Code}); the replica-set monitor uses the driver's " +
                            "monitoring instead.", ex.Code);
                }
                catch (MongoCommandException ex) when (ex.Code is NoReplicationEnabled)
                {
                    return Publish(StatusBuilder.NotReplicaSet(_cluster ?? client.Cluster.Description, DateTimeOffset.UtcNow));
                }
                catch (MongoCommandException ex) when (ex.Code is NotYetInitialized)
                {
                    // A replica set member whose set is not initiated: the driver's view is all there is.
                }
                catch (Exception ex)
                    when (ex is TimeoutException or MongoException or OperationCanceledException
                        && !cancellationToken.IsCancellationRequested)
                {
                    // No member reachable within the timeout (an election, a network problem): fall back to the driver's view.
                    _logger.LogDebug("replSetGetStatus failed ({Error}); using the driver's view of the replica set.", ex.GetType().Name);
                }
            }

            return Publish(StatusBuilder.FromCluster(_cluster ?? client.Cluster.Description, DateTimeOffset.UtcNow));
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private ReplicaSetStatus Publish(ReplicaSetStatus status)
    {
        string? previous;
        TaskCompletionSource<ReplicaSetStatus> signal;
        lock (_gate)
        {
            previous = _current.Primary?.Name;
            _current = status;
            signal = _next;
            _next = NewSignal();
        }

        signal.TrySetResult(status);
        var now = status.Primary?.Name;
        if (!string.Equals(previous, now, StringComparison.OrdinalIgnoreCase) && (previous is not null || now is not null))
        {
            _logger.LogInformation("Replica set primary changed from {Previous} to {Current}.", previous ?? "(none)", now ?? "(none)");
            PrimaryChanged?.Invoke(this, new PrimaryChangedEventArgs(previous, now, status));
        }

        return status;
    }

    private static TaskCompletionSource<ReplicaSetStatus> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
