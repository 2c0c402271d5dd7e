using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// What a command may know about a member without touching its data: its identity, role, optimes, counters and signals.
/// Command handlers see members only through this view (<c>CommandContext.Self</c>, and the set's members cast to it);
/// reads, writes and catalog access go through <c>CommandContext</c>'s operations, which <see cref="MemberGate"/> serves.
/// </summary>
internal interface IMemberStatus
{
    int Id { get; }

    /// <summary>The member's address exactly as it appears in the connection string and in <c>hello.hosts</c>.</summary>
    string Host { get; }

    int Priority { get; }

    int Votes { get; }

    IReadOnlyDictionary<string, string> Tags { get; }

    MemberState State { get; }

    bool IsRunning { get; }

    bool IsPrimary { get; }

    /// <summary>The optime of the member's newest oplog entry.</summary>
    OpTime LastApplied { get; }

    DateTime LastAppliedWallTime { get; }

    /// <summary>The <c>electionId</c> of the term this member won (meaningful on a primary).</summary>
    ObjectId ElectionId { get; }

    /// <summary>The member's <c>topologyVersion</c> (<c>processId</c>, <c>counter</c>), changed on every state change.</summary>
    BsonDocument TopologyVersion { get; }

    /// <summary>Pulsed when the member's state changes (streaming and awaitable <c>hello</c>).</summary>
    AsyncSignal TopologyChanged { get; }

    /// <summary>Pulsed when an entry lands in the member's oplog (change-stream waits).</summary>
    AsyncSignal OplogAppended { get; }

    OpCounters OpCounters { get; }

    OpCounters ReplOpCounters { get; }

    FailPointRegistry FailPoints { get; }

    /// <summary>Documents the member's engine examined since it started (serverStatus <c>metrics.queryExecutor</c>).</summary>
    long DocumentsExamined { get; }

    /// <summary>The wall time of the oplog entry at <paramref name="opTime"/>, or <c>null</c> when the member has none.</summary>
    DateTime? WallTimeOf(OpTime opTime);
}
