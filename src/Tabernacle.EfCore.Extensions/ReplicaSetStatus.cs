using System.Text.Json.Serialization;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Extensions;

/// <summary>What the monitor knows about the deployment as a whole.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReplicaSetState>))]
public enum ReplicaSetState
{
    /// <summary>Nothing has been learned yet (the client is still discovering the servers).</summary>
    Connecting,

    /// <summary>The deployment is a replica set.</summary>
    ReplicaSet,

    /// <summary>
    /// The deployment is not a replica set (a standalone server or a sharded cluster through mongos): read preferences
    /// other than primary have no secondaries to go to, and members, lag and failover do not apply.
    /// </summary>
    NotReplicaSet,
}

/// <summary>The role a member plays, as <c>replSetGetStatus</c> or the driver's monitoring reports it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReplicaSetMemberRole>))]
public enum ReplicaSetMemberRole
{
    /// <summary>Not known (not contacted yet, or in a transient state such as STARTUP or ROLLBACK).</summary>
    Unknown,

    /// <summary>The primary: takes every write.</summary>
    Primary,

    /// <summary>A secondary: replicates from the primary and may serve reads.</summary>
    Secondary,

    /// <summary>An arbiter: votes, holds no data.</summary>
    Arbiter,

    /// <summary>Recovering (not yet readable).</summary>
    Recovering,

    /// <summary>Unreachable or not running.</summary>
    Down,

    /// <summary>A standalone server (the deployment is not a replica set).</summary>
    Standalone,
}

/// <summary>Where the monitor's latest picture came from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReplicaSetStatusSource>))]
public enum ReplicaSetStatusSource
{
    /// <summary>No picture yet.</summary>
    None,

    /// <summary>The <c>replSetGetStatus</c> command (needs the <c>replSetGetStatus</c> privilege).</summary>
    ReplSetGetStatus,

    /// <summary>The driver's own server monitoring (heartbeats), used when <c>replSetGetStatus</c> is not permitted or fails.</summary>
    DriverMonitoring,
}

/// <summary>One member of the replica set as last observed.</summary>
/// <param name="Name">The member's address, <c>host:port</c>.</param>
/// <param name="Role">The member's role.</param>
/// <param name="IsHealthy">Whether the member is up and reachable.</param>
/// <param name="OpTime">The wall-clock time of the last operation the member applied (its optime), when known.</param>
/// <param name="ReplicationLag">How far the member's optime is behind the primary's (zero for the primary); <c>null</c> when
/// unknown.</param>
/// <param name="LastHeartbeat">When the member was last heard from.</param>
/// <param name="ReadsServed">Reads this process's Tabernacle contexts had served by this member.</param>
public sealed record ReplicaSetMember(
    string Name,
    ReplicaSetMemberRole Role,
    bool IsHealthy,
    DateTimeOffset? OpTime,
    TimeSpan? ReplicationLag,
    DateTimeOffset? LastHeartbeat,
    long ReadsServed);

/// <summary>A snapshot of the replica set.</summary>
/// <param name="State">Whether the deployment is a replica set.</param>
/// <param name="SetName">The replica set name, when it is one.</param>
/// <param name="Members">The members, in the order the server or the driver lists them.</param>
/// <param name="Source">Where this snapshot came from.</param>
/// <param name="ObservedAt">When the snapshot was taken.</param>
/// <param name="ReadsByReadPreference">Reads this process's Tabernacle contexts ran, by effective read preference mode.</param>
public sealed record ReplicaSetStatus(
    ReplicaSetState State,
    string? SetName,
    IReadOnlyList<ReplicaSetMember> Members,
    ReplicaSetStatusSource Source,
    DateTimeOffset ObservedAt,
    IReadOnlyDictionary<string, long> ReadsByReadPreference)
{
    /// <summary>The status before anything is known.</summary>
    public static ReplicaSetStatus Unknown { get; } =
        new(ReplicaSetState.Connecting, null, [], ReplicaSetStatusSource.None, DateTimeOffset.MinValue, new Dictionary<string, long>());

    /// <summary>The current primary, or <c>null</c> (during an election, or when the deployment is not a replica set).</summary>
    public ReplicaSetMember? Primary => Members.FirstOrDefault(m => m.Role == ReplicaSetMemberRole.Primary);

    /// <summary>The secondaries.</summary>
    public IEnumerable<ReplicaSetMember> Secondaries => Members.Where(m => m.Role == ReplicaSetMemberRole.Secondary);
}

/// <summary>Raised when the primary changes (an election, a step-down, or the primary going down).</summary>
public sealed class PrimaryChangedEventArgs : EventArgs
{
    /// <summary>Creates the event arguments.</summary>
    public PrimaryChangedEventArgs(string? previousPrimary, string? newPrimary, ReplicaSetStatus status)
    {
        PreviousPrimary = previousPrimary;
        NewPrimary = newPrimary;
        Status = status;
    }

    /// <summary>The previous primary's <c>host:port</c>, or <c>null</c> when there was none.</summary>
    public string? PreviousPrimary { get; }

    /// <summary>The new primary's <c>host:port</c>, or <c>null</c> when the set has no primary now.</summary>
    public string? NewPrimary { get; }

    /// <summary>The snapshot in which the change was seen.</summary>
    public ReplicaSetStatus Status { get; }
}

/// <summary>
/// Watches the replica set the application's Tabernacle contexts use: members, roles, health, optimes, replication lag
/// and heartbeats, from the driver's cluster events and, when the user may run it, <c>replSetGetStatus</c>.
/// Registered by <c>AddTabernacle</c> and kept fresh by a hosted service.
/// </summary>
public interface IReplicaSetMonitor
{
    /// <summary>The latest snapshot (never <c>null</c>; <see cref="ReplicaSetStatus.Unknown"/> before the first observation).</summary>
    ReplicaSetStatus Current { get; }

    /// <summary>The client whose deployment is watched.</summary>
    IMongoClient Client { get; }

    /// <summary>Raised when the primary changes. Handlers run on the monitor's thread; keep them short.</summary>
    event EventHandler<PrimaryChangedEventArgs>? PrimaryChanged;

    /// <summary>Asks the deployment now (<c>replSetGetStatus</c>, else the driver's view) and returns the new snapshot.</summary>
    Task<ReplicaSetStatus> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until the next snapshot is published (by the hosted service, a driver event or a refresh).</summary>
    Task<ReplicaSetStatus> WaitForChangeAsync(CancellationToken cancellationToken = default);
}

/// <summary>How the replica-set monitor polls.</summary>
public sealed class ReplicaSetMonitorOptions
{
    /// <summary>How often the hosted service refreshes the status (default 1 second).</summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a single <c>replSetGetStatus</c> may take before the driver's view is used instead (default 5
    /// seconds).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The driver's heartbeat interval for the client <c>AddTabernacle</c> creates (default 2 seconds, the driver's own
    /// default is 10): how soon role changes show when <c>replSetGetStatus</c> is not permitted.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);
}
