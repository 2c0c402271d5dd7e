using MongoDB.Bson;
using Microsoft.Extensions.Logging;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// What the members of one in-process replica set share: the configuration, the cluster clock, the election term,
/// and the elections themselves (the heartbeats and votes that real members exchange, decided here in one place with
/// the same rules: a candidate needs the votes of a majority of the voting members that are no further ahead than it).
/// </summary>
internal sealed class ReplicaSetCoordinator : IAsyncDisposable
{
    private readonly List<ReplicaMember> _members = [];
    private readonly ILogger _logger;
    private readonly object _electionGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _monitor;
    private DateTime _primaryLostAt;
    private DateTime _primarySince;
    private ReplicaMember? _primary;
    private long _monitorPasses;

    public ReplicaSetCoordinator(string name, TimeSpan electionTimeout, ILogger logger, WriteConcernModes? writeConcernModes = null)
        : this(name, electionTimeout, LogicalClock.DefaultMaxAcceptableDrift, logger, writeConcernModes)
    {
    }

    public ReplicaSetCoordinator(
        string name,
        TimeSpan electionTimeout,
        TimeSpan maxAcceptableClockDrift,
        ILogger logger,
        WriteConcernModes? writeConcernModes = null,
        TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        StartedAt = _primaryLostAt = _primarySince = UtcNow;
        Name = name;
        WriteConcernModes = writeConcernModes ?? WriteConcernModes.None;
        ElectionTimeout = electionTimeout;
        _logger = logger;
        Clock = new LogicalClock(maxAcceptableClockDrift, Time);
        ClusterTimeKeys = new ClusterTimeKeys(Time);
    }

    public string Name { get; }

    public int ConfigVersion => 1;

    public TimeSpan ElectionTimeout { get; }

    /// <summary>The custom write concern modes of the configuration (<c>settings.getLastErrorModes</c>).</summary>
    public WriteConcernModes WriteConcernModes { get; }

    public LogicalClock Clock { get; }

    /// <summary>
    /// How far back snapshot reads (<c>atClusterTime</c>) may go: mongod's <c>minSnapshotHistoryWindowInSeconds</c>, 300 s.
    /// Older is SnapshotTooOld. Each member keeps the pre-images of its changes for this long.
    /// </summary>
    public TimeSpan SnapshotHistoryWindow { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The most changes the snapshot history keeps beyond what open transactions and handed-out snapshot times need,
    /// so that a steady write load cannot grow a member's memory without bound within the window (mongod spills its
    /// history to disk instead; an in-memory emulator answers SnapshotTooOld for a time older than this).
    /// </summary>
    public int SnapshotHistoryMaxChanges { get; set; } = 10_000;

    /// <summary>
    /// The oplog entries each member keeps (mongod caps its oplog by size, <c>oplogSizeMB</c>): older entries go once
    /// every member has applied them and they are majority-committed, as a capped oplog rolls over. Change streams
    /// resuming from before the oldest entry get ChangeStreamHistoryLost, as on mongod.
    /// </summary>
    public int OplogRetainedEntries { get; set; } = 10_000;

    /// <summary>The wall clock of the whole set (<see cref="ReplicaSetEmulatorOptions.TimeProvider"/>): every timer and time read goes
    /// through it.</summary>
    public TimeProvider Time { get; }

    /// <summary>How many times the monitor has looked at the set (elections, step-downs); tests use it to know it ran.</summary>
    public long MonitorPasses => Interlocked.Read(ref _monitorPasses);

    /// <summary>When the set started, by its clock (<c>serverStatus.uptime</c>).</summary>
    public DateTime StartedAt { get; }

    /// <summary>The set's current UTC time.</summary>
    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    /// <summary>The key the set signs the cluster times it hands out with (mongod's <c>admin.system.keys</c>).</summary>
    public ClusterTimeKeys ClusterTimeKeys { get; }

    public long Term { get; private set; }

    /// <summary>Raises the term to <paramref name="term"/>, the newest a member recovered from disk, before the set starts.</summary>
    public void RestoreTerm(long term) => Term = Math.Max(Term, term);

    public IReadOnlyList<ReplicaMember> Members => _members;

    /// <summary>The members as read-only views of their state, for command handlers (which never reach a member's data).</summary>
    public IReadOnlyList<IMemberStatus> Statuses => _members;

    /// <summary>
    /// The primary as the members that are not cut off see it (the majority side of a partition). An old primary cut
    /// off from them may still think it is primary until it notices; it is not this one.
    /// </summary>
    public ReplicaMember? Primary => Volatile.Read(ref _primary);

    /// <summary>Pulsed whenever any member applies or writes, or the set's shape changes.</summary>
    public AsyncSignal ReplicationProgress { get; } = new();

    public int VotingMemberCount => _members.Count(m => m.Votes > 0);

    public int MajorityCount => (VotingMemberCount / 2) + 1;

    public void Add(ReplicaMember member) => _members.Add(member);

    /// <summary>Broken replication invariants (a majority-committed write rolled back); tests assert there are none.</summary>
    public IReadOnlyCollection<string> InvariantViolations => _violations;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _violations = new();

    public void ReportInvariantViolation(string message) => _violations.Enqueue(message);

    public void PulseReplication() => ReplicationProgress.Pulse();

    /// <summary>Starts every member, elects the first primary at once, and starts watching for failures.</summary>
    public void Start()
    {
        foreach (var member in _members)
        {
            member.Start();
        }

        TryElect(immediate: true);
        _monitor = Task.Run(() => MonitorAsync(_stopping.Token));
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> can talk to each other (no partition between them).</summary>
    public bool Reaches(ReplicaMember a, ReplicaMember b) => a == b || (!IsCutOff(a) && !IsCutOff(b));

    /// <summary>Whether a partition cuts <paramref name="member"/> off (a member alone in its set has nobody to be cut off from).</summary>
    public bool IsCutOff(ReplicaMember member) => member.IsDisconnected && _members.Count > 1;

    /// <summary>
    /// The newest optime that a majority of voting members on the primary's side of any partition have applied on
    /// the primary's history: MongoDB's majority commit point. A member counts with its common point with that
    /// history, so divergent entries (an old primary's unreplicated writes) never count.
    /// </summary>
    public OpTime MajorityCommitPoint => ComputeCommitPoint().Point;

    /// <summary>
    /// The majority commit point as <paramref name="member"/> can learn it: nothing while it is cut off from the set,
    /// and otherwise the set's commit point bounded by the part of its oplog the set's history shares.
    /// </summary>
    public OpTime CommitPointFor(ReplicaMember member)
    {
        if (IsCutOff(member))
        {
            return OpTime.Null;
        }

        var (point, reference) = ComputeCommitPoint();
        if (reference is null)
        {
            return OpTime.Null;
        }

        var common = member == reference ? member.LastApplied : member.Oplog.CommonPointWith(reference.Oplog);
        return point < common ? point : common;
    }

    // The history the commit point is measured on is the connected primary's, or during an election the newest
    // oplog among the connected running members (the one an election would choose).
    private (OpTime Point, ReplicaMember? Reference) ComputeCommitPoint()
    {
        var connected = _members.Where(m => m.IsRunning && !IsCutOff(m)).ToList();
        var reference = Primary is { } p && !IsCutOff(p) ? p : connected.MaxBy(m => m.LastApplied);
        if (reference is null)
        {
            return (OpTime.Null, null);
        }

        var applied = connected
            .Where(m => m.Votes > 0)
            .Select(m => m == reference ? m.LastApplied : m.Oplog.CommonPointWith(reference.Oplog))
            .OrderDescending()
            .ToList();
        return (applied.Count >= MajorityCount ? applied[MajorityCount - 1] : OpTime.Null, reference);
    }

    /// <summary>
    /// Cuts <paramref name="member"/> off from the other members: it stops replicating and voting, and the others stop
    /// hearing from it. A primary cut off keeps its role until it notices it has lost the majority (see the monitor).
    /// </summary>
    public void Disconnect(ReplicaMember member)
    {
        lock (_electionGate)
        {
            member.IsDisconnected = true;
            if (member == _primary && IsCutOff(member))
            {
                // The majority side no longer hears the primary: it elects another after the election timeout.
                Volatile.Write(ref _primary, null);
                _primaryLostAt = UtcNow;
            }

            _logger.LogWarning("Member {Host} is cut off from the other members", member.Host);
        }

        BumpAll();
    }

    /// <summary>Heals <paramref name="member"/>'s partition: it rejoins, as a secondary if the set moved on without it.</summary>
    public void Reconnect(ReplicaMember member)
    {
        lock (_electionGate)
        {
            member.IsDisconnected = false;
            if (member.IsPrimary && member != _primary)
            {
                if (_primary is null && member.Term == Term)
                {
                    // Nobody replaced it while it was away: it is still the primary of the current term.
                    Volatile.Write(ref _primary, member);
                }
                else
                {
                    // It learns of a newer term from the others' heartbeats and steps down, as mongod does.
                    _logger.LogInformation("Member {Host} rejoins and steps down: term {Term} has another primary", member.Host, Term);
                    member.ChangeState(MemberState.Secondary);
                }
            }

            _logger.LogInformation("Member {Host} is reconnected to the other members", member.Host);
        }

        BumpAll();
    }

    // A primary that has not seen a majority of the voting members for the election timeout steps down, as mongod's
    // does; its w:1 writes meanwhile are rolled back when it rejoins.
    private void StepDownPrimariesWithoutMajority()
    {
        foreach (var member in _members.Where(m => m.IsPrimary))
        {
            var reachableVotes = _members.Where(m => Reaches(member, m)).Sum(m => m.Votes);
            if (reachableVotes >= MajorityCount)
            {
                member.MajorityLostAt = null;
                continue;
            }

            member.MajorityLostAt ??= UtcNow;
            if (UtcNow - member.MajorityLostAt.Value < ElectionTimeout)
            {
                continue;
            }

            lock (_electionGate)
            {
                if (!member.IsPrimary)
                {
                    continue;
                }

                _logger.LogWarning("Member {Host} steps down: no majority seen for {Timeout}", member.Host, ElectionTimeout);
                LosePrimary(member, MemberState.Secondary);
            }
        }
    }

    /// <summary>Lets every running member learn the current majority commit point (and prune its history). Callers hold no storage
    /// lock.</summary>
    public void AdvanceCommitPoints()
    {
        foreach (var member in _members.Where(m => m.IsRunning))
        {
            member.AdvanceCommitPoint();
        }
    }

    /// <summary>
    /// Waits until <paramref name="member"/>'s majority commit point reaches <paramref name="clusterTime"/>: a majority
    /// (or snapshot) read with <c>afterClusterTime</c> must see that time, so it waits for it to be majority-committed.
    /// </summary>
    public async Task WaitForMajorityCommittedAsync(ReplicaMember member, BsonTimestamp clusterTime, TimeSpan? maxTime,
        CancellationToken cancellationToken)
    {
        var deadline = maxTime is { } limit ? UtcNow + limit : DateTime.MaxValue;
        while (true)
        {
            var signal = ReplicationProgress.WaitTask;
            if ((ulong)member.AdvanceCommitPoint().Timestamp.Value >= (ulong)clusterTime.Value)
            {
                return;
            }

            var remaining = deadline - UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new MongoErrorException(ErrorCodes.MaxTimeMSExpired,
                    "operation exceeded time limit while waiting for the read's cluster time to be majority-committed");
            }

            await Task.WhenAny(signal,
                Task.Delay(remaining < TimeSpan.FromMilliseconds(250) ? remaining : TimeSpan.FromMilliseconds(250), Time,
                    cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Waits until <paramref name="concern"/> is satisfied for a write at <paramref name="opTime"/> made by <paramref name="primary"/>.
    /// Returns <c>null</c> when it is, or the <c>writeConcernError</c> document MongoDB would attach.
    /// </summary>
    public async Task<BsonDocument?> WaitForWriteConcernAsync(ReplicaMember primary, OpTime opTime, WriteConcernSpec concern,
        CancellationToken cancellationToken)
    {
        var needed = concern.Majority ? MajorityCount : Math.Max(concern.W ?? 1, 1);
        if (concern.Mode is null && needed > _members.Count)
        {
            return WriteConcernError(ErrorCodes.UnsatisfiableWriteConcern, "Not enough data-bearing nodes", null);
        }

        var deadline = concern.WTimeout is { } timeout ? UtcNow + timeout : DateTime.MaxValue;
        while (true)
        {
            var signal = ReplicationProgress.WaitTask;
            if (primary.State != MemberState.Primary || primary.Term != opTime.Term && !primary.Oplog.Contains(opTime))
            {
                return WriteConcernError(ErrorCodes.InterruptedDueToReplStateChange,
                    "operation was interrupted because the node stepped down while waiting for replication", null);
            }

            // A member acknowledges only an entry it holds (not merely a later optime of another history), and only if
            // the primary can hear it.
            var acknowledging = _members
                .Where(m => m.IsRunning && Reaches(primary, m) && (m.Votes > 0 || !concern.Majority) && m.Oplog.Contains(opTime))
                .ToList();
            if (concern.Mode is { } mode ? mode.IsSatisfiedBy(acknowledging) : acknowledging.Count >= needed)
            {
                // With a data directory, an acknowledged write is on disk on as many members as the concern names: the
                // primary first (w:1), then the others that hold it (a tag mode's members are all needed).
                var durable = concern.Mode is null ? acknowledging.OrderByDescending(m => m == primary).Take(needed) : acknowledging;
                foreach (var member in durable)
                {
                    member.Oplog.Journal?.Sync();
                }

                return null;
            }

            var remaining = deadline - UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return WriteConcernError(ErrorCodes.WriteConcernFailed, "waiting for replication timed out",
                    new BsonDocument("wtimeout", true));
            }

            var wait = remaining < TimeSpan.FromMilliseconds(250) ? remaining : TimeSpan.FromMilliseconds(250);
            await Task.WhenAny(signal, Task.Delay(wait, Time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static BsonDocument WriteConcernError(int code, string message, BsonDocument? info)
    {
        var error = new BsonDocument { { "code", code }, { "codeName", ErrorCodes.NameOf(code) }, { "errmsg", message } };
        if (info is not null)
        {
            error["errInfo"] = info;
        }

        return error;
    }

    /// <summary>
    /// Refuses a read concern time (<paramref name="name"/> is <c>afterClusterTime</c> or <c>atClusterTime</c>) later than the
    /// set's cluster time, as mongod does (InvalidOptions, 72): no member could ever reach it without making the clock jump.
    /// </summary>
    public void EnsureNotAfterClusterTime(BsonTimestamp requested, string name)
    {
        var current = Clock.Current;
        if ((ulong)requested.Value > (ulong)current.Value)
        {
            throw new MongoErrorException(
                ErrorCodes.InvalidOptions,
                $"readConcern {name} value must not be greater than the current clusterTime. Requested clusterTime: {Format(requested)}; " +
                    $"current clusterTime: {Format(current)}");
        }
    }

    private static string Format(BsonTimestamp timestamp) => $"Timestamp({(uint)timestamp.Timestamp}, {(uint)timestamp.Increment})";

    /// <summary>
    /// Waits until <paramref name="member"/> has applied <paramref name="clusterTime"/> (readConcern afterClusterTime), which
    /// must not be later than the set's cluster time. When the primary's last write is older than that time, the primary
    /// writes one no-op (its optime then passes every cluster time handed out so far), as mongod's makeNoopWriteIfNeeded
    /// does; then only this read waits, for replication, bounded by <paramref name="maxTime"/>.
    /// </summary>
    public async Task WaitForAppliedAsync(ReplicaMember member, BsonTimestamp clusterTime, TimeSpan? maxTime,
        CancellationToken cancellationToken)
    {
        EnsureNotAfterClusterTime(clusterTime, "afterClusterTime");
        var deadline = maxTime is { } limit ? UtcNow + limit : DateTime.MaxValue;
        var noopWritten = false;
        while ((ulong)member.LastApplied.Timestamp.Value < (ulong)clusterTime.Value)
        {
            var signal = ReplicationProgress.WaitTask;
            var primary = Primary;
            if (!noopWritten && primary is not null && (ulong)primary.LastApplied.Timestamp.Value < (ulong)clusterTime.Value)
            {
                // One no-op is enough: Clock.Next() is later than any cluster time the set handed out, clusterTime included.
                noopWritten = true;
                try
                {
                    primary.Write(_ => primary.AppendToOplog(OplogOperation.Noop, "admin", null, null, null, null));
                }
                catch (MongoErrorException)
                {
                    // The primary stepped down meanwhile; the next one's "new primary" entry is later still.
                }

                continue;
            }

            var remaining = deadline - UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new MongoErrorException(ErrorCodes.MaxTimeMSExpired, "operation exceeded time limit");
            }

            await Task.WhenAny(signal,
                Task.Delay(remaining < TimeSpan.FromMilliseconds(250) ? remaining : TimeSpan.FromMilliseconds(250), Time,
                    cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// <c>replSetStepDown</c>: waits up to <paramref name="catchUp"/> for an electable secondary to catch up (unless
    /// <paramref name="force"/>), steps down, keeps the member from standing for <paramref name="stepDownPeriod"/>,
    /// and lets the caught-up secondary run for election at once, as MongoDB's stepdown does.
    /// </summary>
    public async Task StepDownAsync(ReplicaMember member, TimeSpan stepDownPeriod, TimeSpan catchUp, bool force,
        CancellationToken cancellationToken)
    {
        if (!member.IsPrimary)
        {
            throw new MongoErrorException(ErrorCodes.NotWritablePrimary, "not primary so can't step down");
        }

        var deadline = UtcNow + catchUp;
        while (!force)
        {
            var signal = ReplicationProgress.WaitTask;
            var target = member.LastApplied;
            if (_members.Any(m => m != member && m.IsElectable && Reaches(member, m) && m.Oplog.Contains(target)))
            {
                break;
            }

            var remaining = deadline - UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new MongoErrorException(ErrorCodes.ExceededTimeLimit,
                    $"No electable secondaries caught up as of {UtcNow:O}. Please use the replSetStepDown command with the argument " +
                        $"{{force: true}} to force node to step down.");
            }

            await Task.WhenAny(signal,
                Task.Delay(remaining < TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100), Time,
                    cancellationToken)).ConfigureAwait(false);
        }

        lock (_electionGate)
        {
            if (!member.IsPrimary)
            {
                throw new MongoErrorException(ErrorCodes.NotWritablePrimary, "not primary so can't step down");
            }

            member.SteppedDownUntil = UtcNow + stepDownPeriod;
            LosePrimary(member, MemberState.Secondary);
            _logger.LogInformation("Member {Host} stepped down for {Seconds}s", member.Host, stepDownPeriod.TotalSeconds);
        }

        // mongod's stepUp election takes a dry-run and a real round of votes, so every monitor hears the old primary's
        // step-down (its streamed hello) before a new primary exists. Electing at once let a driver see the new primary
        // first; the C# driver then invalidates the old one as "NoLongerPrimary" and clears its connection pool.
        await Task.Delay(StepUpElectionTime, Time, CancellationToken.None).ConfigureAwait(false);
        TryElect(immediate: true);
    }

    /// <summary>How long the election that follows a step-down takes (the vote rounds mongod's stepUp runs).</summary>
    internal static readonly TimeSpan StepUpElectionTime = TimeSpan.FromMilliseconds(50);

    /// <summary><c>replSetFreeze</c>: keeps a secondary from standing for election for <paramref name="period"/> (zero
    /// unfreezes).</summary>
    public void Freeze(ReplicaMember member, TimeSpan period)
    {
        if (member.IsPrimary)
        {
            throw new MongoErrorException(ErrorCodes.NotSecondary,
                "cannot freeze node when primary or running for election. state: Primary");
        }

        member.FrozenUntil = period <= TimeSpan.Zero ? DateTime.MinValue : UtcNow + period;
        PulseReplication();
    }

    /// <summary>Takes a member down (a crash); when it was the primary, an election follows after the election timeout.</summary>
    public async Task StopMemberAsync(ReplicaMember member)
    {
        lock (_electionGate)
        {
            if (member.IsPrimary)
            {
                LosePrimary(member, MemberState.Down);
            }
        }

        await member.StopAsync().ConfigureAwait(false);
        BumpAll();
    }

    public void StartMember(ReplicaMember member)
    {
        member.Start();
        BumpAll();
    }

    private void LosePrimary(ReplicaMember member, MemberState newState)
    {
        // An old primary cut off from the set is not the set's primary any more: losing it changes nothing there.
        if (member == _primary)
        {
            Volatile.Write(ref _primary, null);
            _primaryLostAt = UtcNow;
        }

        member.ChangeState(newState);
        BumpAll();
    }

    private void BumpAll()
    {
        foreach (var m in _members.Where(m => m.IsRunning))
        {
            m.BumpTopologyVersion();
        }

        PulseReplication();
    }

    private async Task MonitorAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReplicationProgress.WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _monitorPasses);
                StepDownPrimariesWithoutMajority();
                if (Primary is null)
                {
                    if (UtcNow - _primaryLostAt >= ElectionTimeout)
                    {
                        TryElect(immediate: false);
                    }
                }
                else
                {
                    ConsiderPriorityTakeover();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Replica set monitor failed");
            }
        }
    }

    // A caught-up member with a higher priority than the primary's takes over, as MongoDB's priority takeover does.
    private void ConsiderPriorityTakeover()
    {
        var primary = Primary;
        if (primary is null || UtcNow - _primarySince < ElectionTimeout)
        {
            return;
        }

        var challenger = _members
            .Where(m => m != primary && m.IsElectable && m.Priority > primary.Priority && m.Oplog.Contains(primary.LastApplied))
            .OrderByDescending(m => m.Priority)
            .FirstOrDefault();
        if (challenger is null)
        {
            return;
        }

        lock (_electionGate)
        {
            if (primary != _primary)
            {
                return;
            }

            _logger.LogInformation("Member {Host} (priority {Priority}) takes over from {Primary}", challenger.Host, challenger.Priority,
                primary.Host);
            LosePrimary(primary, MemberState.Secondary);
            BecomePrimary(challenger);
        }
    }

    /// <summary>Runs an election if there is no primary; returns the winner or <c>null</c> when no candidate can get a majority.</summary>
    public ReplicaMember? TryElect(bool immediate)
    {
        lock (_electionGate)
        {
            if (_primary is not null)
            {
                return _primary;
            }

            if (!immediate && UtcNow - _primaryLostAt < ElectionTimeout)
            {
                return null;
            }

            // Only the members on this side of any partition vote; the candidates (electable) are never cut off.
            var voters = _members.Where(m => m.IsRunning && m.Votes > 0 && !IsCutOff(m)).ToList();
            var candidates = _members
                .Where(m => m.IsElectable)
                .OrderByDescending(m => m.LastApplied)
                .ThenByDescending(m => m.Priority)
                .ThenBy(m => m.Id);
            foreach (var candidate in candidates)
            {
                // A voter grants its vote only to a candidate whose oplog is at least as new as its own.
                var votes = voters.Where(v => v.LastApplied <= candidate.LastApplied).Sum(v => v.Votes);
                if (votes >= MajorityCount)
                {
                    BecomePrimary(candidate);
                    return candidate;
                }
            }

            return null;
        }
    }

    private void BecomePrimary(ReplicaMember winner)
    {
        Term++;
        winner.Term = Term;
        winner.MajorityLostAt = null;
        _primarySince = UtcNow;
        lock (winner.Storage.SyncRoot)
        {
            winner.ChangeState(MemberState.Primary);
            Volatile.Write(ref _primary, winner);

            // A new primary writes a no-op so that its term has an optime (MongoDB's "new primary" oplog entry).
            winner.AppendToOplog(OplogOperation.Noop, "admin", null, new BsonDocument("msg", "new primary"), null, null);
        }

        _logger.LogInformation("Member {Host} elected primary for term {Term}", winner.Host, Term);
        BumpAll();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_monitor is not null)
        {
            await _monitor.ConfigureAwait(false);
        }

        foreach (var member in _members)
        {
            await member.StopAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
