using Microsoft.Extensions.Logging;

namespace Tabernacle.MongoEmulator;

/// <summary>How to start a <see cref="MongoReplicaSetEmulator"/>.</summary>
public sealed class ReplicaSetEmulatorOptions
{
    /// <summary>Number of members, 1 to 7. Default 3.</summary>
    public int Members { get; set; } = 3;

    /// <summary>The replica set name (<c>replicaSet=</c> in the connection string). Default <c>rs0</c>.</summary>
    public string ReplicaSetName { get; set; } = "rs0";

    /// <summary>Port of the first member; the others take the following ports. 0 (the default) picks free ephemeral ports.</summary>
    public int BasePort { get; set; }

    /// <summary>The address members listen on. Default 127.0.0.1 (loopback only).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The clock of the set: election and step-down timing, replication delay, TTL passes, transaction lifetimes,
    /// operation time limits, oplog wall times, <c>$$NOW</c> and <c>$currentDate</c>. Default <see cref="TimeProvider.System"/>.
    /// Tests pass a fake one (Microsoft.Extensions.TimeProvider.Testing's <c>FakeTimeProvider</c>) and advance it instead of
    /// waiting. The logical cluster time still advances with every write, so operations keep their order whatever the clock.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How long the set waits without a primary before electing a new one. Default 1 second (MongoDB's default is 10).</summary>
    public TimeSpan ElectionTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Replication delay of every member that does not set its own. Default 5 ms: small, but enough that reads on secondaries can
    /// be stale.</summary>
    public TimeSpan DefaultReplicationDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Simulated read capacity: how long every read command (<c>find</c>, <c>aggregate</c>, <c>count</c>,
    /// <c>distinct</c>, <c>getMore</c>, the catalog listings) occupies one of the member's read slots, on top of the
    /// time the emulator really spends on it. Members that do not set <see cref="EmulatorMemberOptions.ReadServiceTime"/>
    /// use this. Default <see cref="TimeSpan.Zero"/>: no added time. The wait is a timer, not CPU work, so members on one
    /// machine saturate independently, as separate servers would.
    /// </summary>
    public TimeSpan DefaultReadServiceTime { get; set; }

    /// <summary>
    /// Simulated read capacity: how many read commands a member serves at once; further reads queue until a slot frees,
    /// as they would on a saturated server. Members that do not set <see cref="EmulatorMemberOptions.MaxConcurrentReads"/>
    /// use this. Default 0: unlimited.
    /// </summary>
    public int DefaultMaxConcurrentReads { get; set; }

    /// <summary>
    /// mongod's <c>maxAcceptableLogicalClockDriftSecs</c>: how far ahead of the wall clock a <c>$clusterTime</c> gossiped
    /// by a client may be. A later one is refused with ClusterTimeFailsRateLimiter (205) and the set's clock does not move.
    /// Default 365 days, MongoDB's default; must be at least one second (whole seconds are used).
    /// </summary>
    public TimeSpan MaxAcceptableLogicalClockDrift { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Custom write concern modes, as the replica set configuration's <c>settings.getLastErrorModes</c>: mode name →
    /// tag name → count. A write with <c>writeConcern: { w: "&lt;mode&gt;" }</c> is acknowledged once the members that
    /// applied it carry at least that many distinct values of each named tag (see <see cref="EmulatorMemberOptions.Tags"/>).
    /// For example <c>["multiDC"] = { ["dc"] = 2 }</c> waits for members in two data centres. <c>replSetGetConfig</c>
    /// reports them; an unknown mode is refused with <c>UnknownReplWriteConcern</c> (79). Default: none.
    /// </summary>
    public IDictionary<string, IDictionary<string, int>> WriteConcernModes { get; } =
        new Dictionary<string, IDictionary<string, int>>(StringComparer.Ordinal);

    /// <summary>Per-member settings by position (member 0 first); members without an entry use the defaults.</summary>
    public IList<EmulatorMemberOptions> MemberOptions { get; } = new List<EmulatorMemberOptions>();

    /// <summary>Where the emulator logs (connections closed for malformed input, elections, rollbacks). Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Authentication: when set, clients must authenticate as one of its users (SCRAM-SHA-256 or SCRAM-SHA-1) before
    /// running any command but the handshake, <c>ping</c>, <c>buildInfo</c> and the authentication commands. Default
    /// <c>null</c>: authentication is off and every client may run every command.
    /// </summary>
    public EmulatorAuthenticationOptions? Authentication { get; set; }

    /// <summary>
    /// A folder that keeps the set's data across restarts; <c>null</c> (the default) keeps everything in memory. Each
    /// member journals every change it applies (its documents, catalog, oplog and term) to <c>member-N</c> in this folder,
    /// as checksummed records handed to the operating system before the change is visible and flushed to disk before a
    /// write is acknowledged; checkpoints bound the journal. A set started again on the same folder, with the same
    /// <see cref="ReplicaSetName"/> and <see cref="Members"/>, comes back with every acknowledged write. Only one emulator
    /// may use a folder at a time. Users come from <see cref="Authentication"/> on every start and are not stored.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>Journal size after which a member writes a checkpoint (at least the last checkpoint's size); for tests.</summary>
    internal long CheckpointThresholdBytes { get; set; } = Replication.Persistence.ReplicaSetDataDirectory.DefaultCheckpointBytes;
}

/// <summary>Settings of one member.</summary>
public sealed class EmulatorMemberOptions
{
    /// <summary>Election priority; 0 means the member never becomes primary. Default 1.</summary>
    public int Priority { get; set; } = 1;

    /// <summary>Votes in elections, 0 or 1. Default 1.</summary>
    public int Votes { get; set; } = 1;

    /// <summary>Replica set tags (for read preference tag sets), such as <c>dc=reports</c>.</summary>
    public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>This member's replication delay; <c>null</c> uses <see
    /// cref="ReplicaSetEmulatorOptions.DefaultReplicationDelay"/>.</summary>
    public TimeSpan? ReplicationDelay { get; set; }

    /// <summary>This member's simulated service time per read command; <c>null</c> uses <see
    /// cref="ReplicaSetEmulatorOptions.DefaultReadServiceTime"/>.</summary>
    public TimeSpan? ReadServiceTime { get; set; }

    /// <summary>How many read commands this member serves at once (0 = unlimited); <c>null</c> uses <see
    /// cref="ReplicaSetEmulatorOptions.DefaultMaxConcurrentReads"/>.</summary>
    public int? MaxConcurrentReads { get; set; }
}
