using MongoDB.Bson;
using Microsoft.Extensions.Logging;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// One replica-set member: its own data, oplog and retryable-write table, its role, and (as a secondary) the loop
/// that copies the primary's oplog after the member's replication delay and applies it.
/// </summary>
internal sealed class ReplicaMember : IMemberStatus
{
    private readonly ReplicaSetCoordinator _set;
    private readonly ILogger _logger;
    private readonly object _stateGate = new();
    private CancellationTokenSource? _running;
    private Task? _replicationLoop;
    private TimeSpan _replicationDelay;
    private bool _pausedByApi;
    private bool _disconnected;

    public ReplicaMember(int id, string host, int port, int priority, int votes, IReadOnlyDictionary<string, string> tags,
        TimeSpan replicationDelay, ReplicaSetCoordinator set, ILogger logger)
    {
        Id = id;
        Host = host;
        Port = port;
        Priority = priority;
        Votes = votes;
        Tags = tags;
        _replicationDelay = replicationDelay;
        _set = set;
        _logger = logger;
        Transactions = new TransactionManager(Storage, set.Time);
        Gate = new MemberGate(this);
    }

    public int Id { get; }

    /// <summary>The member's address exactly as it appears in the connection string and in <c>hello.hosts</c>.</summary>
    public string Host { get; }

    public int Port { get; }

    public int Priority { get; }

    public int Votes { get; }

    public IReadOnlyDictionary<string, string> Tags { get; }

    public ReplicaSetCoordinator Set => _set;

    public StorageEngine Storage { get; } = new();

    public Oplog Oplog { get; } = new();

    public RetryableWriteTable RetryableWrites { get; } = new();

    public FailPointRegistry FailPoints { get; } = new();

    /// <summary>The documents this member's rollbacks undid, and how many rollbacks it went through.</summary>
    public RollbackArchive RolledBack { get; } = new();

    /// <summary>Reads, the catalog and the transaction table for commands, each under the storage lock.</summary>
    public MemberGate Gate { get; }

    /// <summary>Open multi-document transactions (a primary's only).</summary>
    public TransactionManager Transactions { get; }

    public OpCounters OpCounters { get; } = new();

    /// <summary>serverStatus's <c>opcountersRepl</c>: the operations this member applied from its sync source.</summary>
    public OpCounters ReplOpCounters { get; } = new();

    /// <summary>The simulated read capacity (service time and concurrency limit); unlimited unless configured.</summary>
    public ReadCapacity ReadCapacity { get; set; } = ReadCapacity.Unlimited;

    public MemberState State { get; private set; } = MemberState.Down;

    public bool IsRunning => State != MemberState.Down;

    public bool IsPrimary => State == MemberState.Primary;

    /// <summary>Pulsed whenever this member's oplog grows (secondaries syncing from it wait on it).</summary>
    public AsyncSignal OplogAppended { get; } = new();

    /// <summary>Pulsed whenever this member's <c>hello</c> answer changes (awaitable hello waits on it).</summary>
    public AsyncSignal TopologyChanged { get; } = new();

    /// <summary><c>topologyVersion.processId</c>: new every time the member starts.</summary>
    public ObjectId ProcessId { get; private set; } = ObjectId.GenerateNewId();

    /// <summary><c>topologyVersion.counter</c>: bumped on every change of the member's role or view of the set.</summary>
    public long TopologyCounter { get; private set; }

    public BsonDocument TopologyVersion
    {
        get
        {
            lock (_stateGate)
            {
                return new BsonDocument { { "processId", ProcessId }, { "counter", TopologyCounter } };
            }
        }
    }

    /// <summary>The optime of the last oplog entry this member has applied.</summary>
    public OpTime LastApplied => Oplog.LastOpTime;

    public DateTime LastAppliedWallTime => Oplog.Last?.WallTime ?? DateTime.UnixEpoch;

    public long DocumentsExamined => Storage.DocumentsExamined;

    public DateTime? WallTimeOf(OpTime opTime) => Oplog.WallTimeOf(opTime);

    public DateTime FrozenUntil { get; set; }

    public DateTime SteppedDownUntil { get; set; }

    public DateTime? LastHeartbeat { get; set; }

    /// <summary>Whether elections may choose this member now (a member cut off from the others cannot be elected by them).</summary>
    public bool IsElectable =>
        IsRunning && !_set.IsCutOff(this) && Priority > 0 && Votes >= 0
        && _set.UtcNow >= FrozenUntil && _set.UtcNow >= SteppedDownUntil;

    /// <summary>
    /// Whether a network partition cuts this member off from the other members (not from clients). The coordinator
    /// sets it; every replication, vote and acknowledgement between members checks it.
    /// </summary>
    public bool IsDisconnected
    {
        get => Volatile.Read(ref _disconnected);
        set => Volatile.Write(ref _disconnected, value);
    }


    /// <summary>
    /// The term this member writes its oplog entries in: the term it was elected in. An old primary cut off from the
    /// set keeps writing in its old term while the others elect a new one, as a real partitioned primary does.
    /// </summary>
    public long Term { get; set; }

    /// <summary>When this member, as primary, stopped seeing a majority of the voting members; <c>null</c> while it sees one.</summary>
    public DateTime? MajorityLostAt { get; set; }

    /// <summary><c>electionId</c>: MongoDB derives it from the primary's term, so it strictly increases with each election.</summary>
    public ObjectId ElectionId
    {
        get
        {
            var bytes = new byte[12];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, int.MaxValue);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(4), Term);
            return new ObjectId(bytes);
        }
    }

    public TimeSpan ReplicationDelay
    {
        get => _replicationDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _replicationDelay = value;
            _set.PulseReplication();
        }
    }

    /// <summary>Whether replication to this member is stopped, by the library API or by the <c>stopReplProducer</c> fail point.</summary>
    public bool IsReplicationPaused => _pausedByApi || FailPoints.Get(FailPointRegistry.StopReplProducer).IsActive;

    public void SetReplicationPaused(bool paused)
    {
        _pausedByApi = paused;
        _set.PulseReplication();
    }

    public void BumpTopologyVersion()
    {
        lock (_stateGate)
        {
            TopologyCounter++;
        }

        TopologyChanged.Pulse();
    }

    public void ChangeState(MemberState state)
    {
        lock (_stateGate)
        {
            if (State == state)
            {
                return;
            }

            State = state;
        }

        if (state != MemberState.Primary)
        {
            lock (Storage.SyncRoot)
            {
                Transactions.AbortAll("the primary stepped down");
            }
        }

        BumpTopologyVersion();
    }

    /// <summary>Brings the member up (as a secondary) and starts its replication loop.</summary>
    public void Start()
    {
        _running = new CancellationTokenSource();
        lock (_stateGate)
        {
            ProcessId = ObjectId.GenerateNewId();
            TopologyCounter = 0;
            State = MemberState.Secondary;
        }

        var token = _running.Token;
        _replicationLoop = Task.Run(() => ReplicationLoopAsync(token));
    }

    /// <summary>Takes the member down as a crash would: its data and oplog stay, its in-memory state goes.</summary>
    public async Task StopAsync()
    {
        if (_running is null)
        {
            return;
        }

        ChangeState(MemberState.Down);
        await _running.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_replicationLoop is not null)
            {
                await _replicationLoop.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        _running.Dispose();
        _running = null;
    }

    /// <summary>Runs <paramref name="action"/> as one write on the primary under the storage lock, checking the role inside it.</summary>
    public T Write<T>(Func<WriteUnit, T> action)
    {
        lock (Storage.SyncRoot)
        {
            EnsureWritablePrimary();
            return action(new WriteUnit(this));
        }
    }

    /// <summary>Runs a write of a transaction under the storage lock, against the transaction's view.</summary>
    public T WriteInTransaction<T>(Transaction transaction, Func<TransactionWriter, T> action)
    {
        lock (Storage.SyncRoot)
        {
            EnsureWritablePrimary();
            if (transaction.State != TransactionState.InProgress)
            {
                throw TransactionManager.NoSuchTransaction(transaction.TxnNumber, transaction.AbortReason);
            }

            return action(new TransactionWriter(this, transaction));
        }
    }

    public void EnsureWritablePrimary()
    {
        if (!IsPrimary)
        {
            throw new MongoErrorException(ErrorCodes.NotWritablePrimary, "not primary");
        }
    }

    /// <summary>Appends an entry to this (primary) member's oplog with a fresh optime; callers hold the storage lock.</summary>
    public OplogEntry AppendToOplog(
        OplogOperation operation, string database, string? collection, BsonDocument? document, BsonValue? id, RetryableStatement? statement,
        IReadOnlyList<BsonDocument?>? preImages = null, bool isReplacement = false, IReadOnlyList<TransactionOperation>? operations = null,
        byte[]? storedDocument = null, byte[]?[]? storedPreImages = null)
    {
        var opTime = new OpTime(_set.Clock.Next(), Term);
        var entry = new OplogEntry(opTime, _set.UtcNow, operation, database, collection, document, id)
        {
            Statement = statement,
            PreImages = preImages,
            IsReplacement = isReplacement,
            TransactionOperations = operations,
            StoredDocument = storedDocument,
            StoredPreImages = storedPreImages,
        };

        Oplog.Append(entry);
        RecordApplied(entry.OpTime);
        if (statement is not null)
        {
            RetryableWrites.Record(statement);
        }

        OplogAppended.Pulse();
        _set.PulseReplication();
        return entry;
    }

    /// <summary>
    /// The storage sequence after each oplog entry this member applied, oldest first, from the last entry at or before
    /// its majority commit point on: a majority read at commit point C reads the storage as of the sequence of the last
    /// entry at or before C. Guarded by the storage lock.
    /// </summary>
    private readonly List<(OpTime OpTime, long Sequence)> _appliedSequences = [(OpTime.Null, 0)];

    /// <summary>
    /// The majority commit point as this member knows it: the set's, bounded by what this member applied, and never
    /// moving back (a majority-committed write is never rolled back). Guarded by the storage lock.
    /// </summary>
    public OpTime KnownCommitPoint { get; private set; } = OpTime.Null;

    /// <summary>How many applied optimes this member maps to storage sequences now (what pruning bounds).</summary>
    internal int RetainedOpTimes
    {
        get
        {
            lock (Storage.SyncRoot)
            {
                return _appliedSequences.Count;
            }
        }
    }

    // mongod keeps the history of minSnapshotHistoryWindowInSeconds (300 s) for snapshot reads at any time in it. The
    // emulator keeps that window too, bounded by a number of changes (ReplicaSetCoordinator.SnapshotHistoryMaxChanges),
    // and besides keeps the history from every snapshot time it handed out (a snapshot session's atClusterTime) for the
    // window, so that a snapshot session's later reads at the same time still find it.

    // Its own lock (never held while taking a storage lock), because every member of the set pins a handed-out time.
    private readonly Lock _pinLock = new();
    private readonly List<(BsonTimestamp Timestamp, DateTime Expires)> _snapshotPins = [];

    /// <summary>
    /// Keeps the history from <paramref name="clusterTime"/> on for the snapshot window on every member of the set,
    /// so reads at that time (on any member, as a snapshot session's are) do not find it pruned.
    /// </summary>
    public void PinSnapshotForSet(BsonTimestamp clusterTime)
    {
        var now = _set.UtcNow;
        var expires = now + _set.SnapshotHistoryWindow;
        foreach (var member in _set.Members)
        {
            lock (member._pinLock)
            {
                member._snapshotPins.RemoveAll(p => p.Expires < now || p.Timestamp.Equals(clusterTime));
                member._snapshotPins.Add((clusterTime, expires));
            }
        }
    }

    private BsonTimestamp? OldestSnapshotPin()
    {
        lock (_pinLock)
        {
            var now = _set.UtcNow;
            _snapshotPins.RemoveAll(p => p.Expires < now);
            return _snapshotPins.Count == 0 ? null : _snapshotPins.MinBy(p => (ulong)p.Timestamp.Value).Timestamp;
        }
    }

    // Callers hold the storage lock, right after applying the entry's changes.
    private void RecordApplied(OpTime opTime)
    {
        _appliedSequences.Add((opTime, Storage.History.Sequence));
        AdvanceCommitPointLocked();
        TrimOplog();
    }

    // The oplog rolls over as a capped one does, but never past an entry some member has not applied yet (it would
    // have to resync) or past the majority commit point (a rollback finds its common point in it). Trimmed in steps
    // of a quarter of the size, so that removing from the front costs little per entry.
    private void TrimOplog()
    {
        var retained = Math.Max(1, _set.OplogRetainedEntries);
        if (Oplog.Count <= retained + (retained / 4))
        {
            return;
        }

        var bound = KnownCommitPoint;
        foreach (var member in _set.Members)
        {
            var applied = member.LastApplied;
            if (applied < bound)
            {
                bound = applied;
            }
        }

        Oplog.TrimTo(retained, bound);
    }

    /// <summary>Learns the set's majority commit point and forgets the history older than its snapshot.</summary>
    public OpTime AdvanceCommitPoint()
    {
        lock (Storage.SyncRoot)
        {
            return AdvanceCommitPointLocked();
        }
    }

    /// <summary>
    /// The member's majority-committed snapshot, for readConcern majority (and snapshot): the commit point it knows
    /// and the storage sequence to read at. Callers hold the storage lock.
    /// </summary>
    public (OpTime OpTime, long Sequence) MajorityReadPoint()
    {
        var point = AdvanceCommitPointLocked();
        var index = _appliedSequences.Count - 1;
        while (index > 0 && _appliedSequences[index].OpTime > point)
        {
            index--;
        }

        return (point, _appliedSequences[index].Sequence);
    }

    /// <summary>
    /// The storage sequence as of <paramref name="clusterTime"/> (readConcern snapshot with atClusterTime), or
    /// <c>null</c> when that time is older than the history this member keeps. Callers hold the storage lock.
    /// </summary>
    public long? SequenceAt(BsonTimestamp clusterTime)
    {
        AdvanceCommitPointLocked();
        long? found = null;
        foreach (var (opTime, sequence) in _appliedSequences)
        {
            if ((ulong)opTime.Timestamp.Value > (ulong)clusterTime.Value)
            {
                break;
            }

            found = sequence;
        }

        return found;
    }

    private OpTime AdvanceCommitPointLocked()
    {
        // The coordinator bounds the point by this member's own history, so a diverged member never learns its
        // divergent entries as committed, and a member cut off from the set learns nothing new.
        var point = _set.CommitPointFor(this);
        if (point > KnownCommitPoint)
        {
            KnownCommitPoint = point;
        }

        // Keep the last entry at or before the commit point (the snapshot majority reads use) and everything after.
        // A pinned snapshot keeps the last entry at or before it too, and so does the start of the history window,
        // unless the window holds more changes than the set keeps.
        var keep = 0;
        var pin = OldestSnapshotPin();
        // Every entry of the window's first second counts as outside it (whole seconds, as timestamps count).
        var windowSeconds = (ulong)Math.Max(0, (_set.UtcNow - _set.SnapshotHistoryWindow - DateTime.UnixEpoch).TotalSeconds);
        var windowStart = (windowSeconds << 32) | uint.MaxValue;
        var sequence = Storage.History.Sequence;
        while (keep + 1 < _appliedSequences.Count && _appliedSequences[keep + 1].OpTime <= KnownCommitPoint
            && (pin is null || (ulong)_appliedSequences[keep + 1].OpTime.Timestamp.Value <= (ulong)pin.Value)
            && ((ulong)_appliedSequences[keep + 1].OpTime.Timestamp.Value <= windowStart
                || sequence - _appliedSequences[keep + 1].Sequence > _set.SnapshotHistoryMaxChanges))
        {
            keep++;
        }

        if (keep > 0)
        {
            _appliedSequences.RemoveRange(0, keep);
        }

        Storage.History.AdvanceRetentionFloor(_appliedSequences[0].Sequence);
        return KnownCommitPoint;
    }

    private async Task ReplicationLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var source = _set.Primary;
            if (source is null || source == this || IsReplicationPaused || !IsRunning || IsPrimary || !_set.Reaches(this, source))
            {
                await _set.ReplicationProgress.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var appendedSignal = source.OplogAppended.WaitTask;
            if (!source.Oplog.Contains(LastApplied))
            {
                RollBack(source);
                continue;
            }

            var batch = source.Oplog.After(LastApplied, 1000);
            if (batch.Count == 0)
            {
                await Task.WhenAny(appendedSignal, _set.ReplicationProgress.WaitTask,
                    Task.Delay(TimeSpan.FromMilliseconds(200), _set.Time, cancellationToken)).ConfigureAwait(false);
                continue;
            }

            // Entries become visible here only after the member's replication delay, measured from the primary's wall time.
            var delay = ReplicationDelay;
            var due = batch[0].WallTime + delay;
            var wait = due - _set.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(Task.Delay(wait, _set.Time, cancellationToken), _set.ReplicationProgress.WaitTask).ConfigureAwait(false);
                continue;
            }

            var now = _set.UtcNow;
            var applied = 0;
            lock (Storage.SyncRoot)
            {
                if (IsPrimary || IsReplicationPaused || cancellationToken.IsCancellationRequested || !_set.Reaches(this, source))
                {
                    continue;
                }

                foreach (var entry in batch)
                {
                    if (entry.WallTime + delay > now)
                    {
                        break;
                    }

                    OplogApplier.Apply(Storage, RetryableWrites, entry);
                    ReplOpCounters.CountApplied(entry);
                    Oplog.Append(entry);
                    RecordApplied(entry.OpTime);
                    applied++;
                }
            }

            if (applied > 0)
            {
                LastHeartbeat = _set.UtcNow;

                // This member's progress may move the majority commit point: every member learns it (as through
                // MongoDB's replication metadata) and forgets the history its majority snapshot no longer needs.
                _set.AdvanceCommitPoints();
                OplogAppended.Pulse();
                _set.PulseReplication();
            }
        }
    }

    /// <summary>
    /// MongoDB's rollback of a member that diverged (it wrote entries, as a primary cut off from the set, that the new
    /// primary never received): finds the common point, keeps the pre-rollback versions of the documents its divergent
    /// entries wrote (mongod's rollback files), then takes the sync source's data and oplog, which restores or removes
    /// those documents. Copying everything instead of undoing entry by entry keeps this simple and obviously correct.
    /// </summary>
    private void RollBack(ReplicaMember source)
    {
        lock (source.Storage.SyncRoot)
        {
            lock (Storage.SyncRoot)
            {
                var common = Oplog.CommonPointWith(source.Oplog);
                var divergent = Oplog.After(common, int.MaxValue);
                GuardCommitted(common, divergent);
                ArchiveDocuments(divergent);
                RolledBack.RecordRollback();
                _logger.LogWarning(
                    "Member {Host} rolls back {Count} oplog entries after common point {CommonPoint} (term {Term}) to follow {Primary}",
                    Host, divergent.Count, common.Timestamp, common.Term, source.Host);

                Storage.CopyFrom(source.Storage);
                Oplog.CopyFrom(source.Oplog);
                RetryableWrites.CopyFrom(source.RetryableWrites);

                // The copied data is the oldest state this member can read now: earlier snapshots are gone.
                ResetAppliedHistory();

                // The journal records appends only: the replaced data goes to disk as a whole, in a checkpoint.
                Oplog.Journal?.Checkpoint();
            }
        }

        OplogAppended.Pulse();
        _set.PulseReplication();
    }

    /// <summary>
    /// Makes the member's current data the oldest state it can read (after a rollback or a recovery from disk): earlier
    /// snapshots are gone. Callers hold the storage lock, or the member is not started yet.
    /// </summary>
    public void ResetAppliedHistory()
    {
        Storage.History.Reset();
        _appliedSequences.Clear();
        _appliedSequences.Add((LastApplied, Storage.History.Sequence));
    }

    // A majority-committed write is never rolled back: a divergent entry the member knew as committed is a bug in the
    // emulator's elections or commit point, never something to tolerate quietly.
    private void GuardCommitted(OpTime common, List<OplogEntry> divergent)
    {
        if (divergent.Count > 0 && divergent[0].OpTime <= KnownCommitPoint)
        {
            var first = divergent[0].OpTime;
            var message = $"Member {Host} rolls back entry {first.Timestamp} (term {first.Term}) after common point {common.Timestamp}, "
                + $"but knew {KnownCommitPoint.Timestamp} (term {KnownCommitPoint.Term}) as majority-committed";
            _logger.LogError("Invariant violated: {Message}", message);
            _set.ReportInvariantViolation(message);
        }
    }

    // Callers hold the storage lock; the member's documents are still the pre-rollback versions.
    private void ArchiveDocuments(List<OplogEntry> divergent)
    {
        var seen = new HashSet<(string, string, BsonValue)>();
        foreach (var (database, collection, id) in divergent.SelectMany(WrittenDocuments))
        {
            if (seen.Add((database, collection, id)) && Storage.GetCollection(database, collection)?.FindById(id) is { } document)
            {
                RolledBack.Add(database, collection, document.DeepClone().AsBsonDocument);
            }
        }
    }

    private static IEnumerable<(string Database, string Collection, BsonValue Id)> WrittenDocuments(OplogEntry entry) =>
        entry.Operation switch
        {
            OplogOperation.Insert or OplogOperation.Update when entry.Collection is { } c =>
                [(entry.Database, c, entry.DocumentId ?? entry.Document!["_id"])],
            OplogOperation.ApplyOps => TransactionChange.FromApplyOps(entry.Document!).Select(t => (t.Database, t.Collection, t.Id)),
            _ => [],
        };
}
