using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// How commands reach one member's state: reads at a read concern, the catalog, and the transaction table. Every
/// operation here takes the member's storage lock itself, so the command layer never holds it (writes go through
/// <see cref="ReplicaMember.Write{T}"/> and <see cref="ReplicaMember.WriteInTransaction{T}"/>, which take it too).
/// </summary>
/// <remarks>
/// Lock order, the same everywhere a lock is taken: the set's election gate (<c>ReplicaSetCoordinator</c>) before a
/// member's storage lock (<c>StorageEngine.SyncRoot</c>), never after; a member's storage lock before its snapshot-pin
/// lock; two storage locks (initial sync) the sync source's before the syncing member's. Nothing here takes the
/// election gate, so a command holding a storage lock can never wait on an election.
/// </remarks>
internal sealed class MemberGate(ReplicaMember member)
{
    /// <summary>
    /// Runs a read under the storage lock: against the transaction's snapshot in a transaction; otherwise against the
    /// member's majority-committed snapshot for readConcern majority or snapshot (or the snapshot at atClusterTime),
    /// and against its latest data for local, available and linearizable (on the primary, the latest data is what a
    /// linearizable read returns once it confirmed it is still primary, which the emulator's single process always is).
    /// Returns the optime the read was at when it was not the latest data.
    /// </summary>
    public (T Result, OpTime? ReadOpTime) Read<T>(
        Transaction? transaction, string? readConcernLevel, BsonTimestamp? atClusterTime, Func<IDocumentReader, T> read)
    {
        lock (member.Storage.SyncRoot)
        {
            if (transaction is not null)
            {
                return (member.WriteInTransaction(transaction, read), null);
            }

            var reader = ReaderForReadConcern(readConcernLevel, atClusterTime, out var readOpTime);
            return (read(reader), readOpTime);
        }
    }

    /// <summary>
    /// Runs a read of the member's latest data under the storage lock, whatever the read concern: for what mongod
    /// reads without one (listDatabases) and for collections a pipeline reads after a lock-free first stage.
    /// </summary>
    public T ReadLatest<T>(Func<IDocumentReader, T> read)
    {
        lock (member.Storage.SyncRoot)
        {
            return read(new CurrentDataReader(member.Storage));
        }
    }

    /// <summary>Starts the session's transaction (its first command), or joins the one it started.</summary>
    public Transaction BeginOrJoinTransaction(
        bool start, string sessionId, long txnNumber, BsonDocument? writeConcern, string? owner)
    {
        lock (member.Storage.SyncRoot)
        {
            return start
                ? member.Transactions.Begin(sessionId, txnNumber, writeConcern, owner)
                : member.Transactions.Get(sessionId, txnNumber);
        }
    }

    /// <summary>The statement id under which a committed transaction is recorded in the retryable-write table.</summary>
    public const int CommitStatementId = -1;

    /// <summary>
    /// Commits the session's transaction: its catalog changes and documents appear at once, under one storage lock, and
    /// are logged as one oplog entry. Returns the entry's optime, or <c>null</c> when there was nothing to wait for (a
    /// retried commit of a committed transaction); a transaction that is gone or aborted is NoSuchTransaction.
    /// </summary>
    public OpTime? CommitTransaction(string sessionId, long txnNumber) => member.Write<OpTime?>(unit =>
    {
        if (member.RetryableWrites.Find(sessionId, txnNumber, CommitStatementId) is not null)
        {
            return null;
        }

        var transaction = member.Transactions.Find(sessionId, txnNumber);
        if (transaction is null || transaction.State == TransactionState.Aborted)
        {
            throw TransactionManager.NoSuchTransaction(txnNumber, transaction?.AbortReason);
        }

        if (transaction.State == TransactionState.Committed)
        {
            return null;
        }

        var changes = transaction.Changes();
        var statement = new RetryableStatement(sessionId, txnNumber, CommitStatementId, new BsonDocument("ok", 1));
        foreach (var change in changes.Where(c => c.Document is not null))
        {
            unit.Collection(change.Database, change.Collection)?.CheckUnique(change.Document!);
        }

        // Collections and indexes the transaction created appear now, with its documents, under the same lock.
        foreach (var (database, command) in transaction.CatalogCommands)
        {
            unit.Command(database, command);
        }

        member.Transactions.End(transaction, TransactionState.Committed);
        if (changes.Count > 0)
        {
            unit.CommitTransaction(changes, statement, [.. transaction.Operations]);
        }
        else
        {
            unit.RecordStatement("admin", statement);
        }

        return unit.LastOpTime;
    });

    /// <summary>Aborts the session's transaction at the client's request; an unknown one is NoSuchTransaction.</summary>
    public int AbortTransaction(string sessionId, long txnNumber, string reason) => member.Write(_ =>
    {
        var transaction = member.Transactions.Get(sessionId, txnNumber);
        member.Transactions.End(transaction, TransactionState.Aborted, reason);
        return 0;
    });

    /// <summary>Writes a no-op oplog entry on the primary (for a write concern to wait on) and returns its optime.</summary>
    public OpTime WriteNoop(BsonDocument message) =>
        member.Write(_ => member.AppendToOplog(OplogOperation.Noop, "admin", null, message, null, null).OpTime);

    /// <summary>Aborts a transaction (a statement in it failed); its document locks are released at once.</summary>
    public void AbortTransaction(Transaction transaction, string reason)
    {
        lock (member.Storage.SyncRoot)
        {
            member.Transactions.End(transaction, TransactionState.Aborted, reason);
        }
    }

    /// <summary>Aborts the open transactions <paramref name="matches"/> selects (ended or killed sessions).</summary>
    public int AbortTransactionsWhere(Func<Transaction, bool> matches, string reason)
    {
        lock (member.Storage.SyncRoot)
        {
            return member.Transactions.AbortWhere(matches, reason);
        }
    }

    /// <summary>
    /// The open transactions, or <c>null</c> when the storage lock stayed busy for <paramref name="wait"/>: a long
    /// scan holds it, and currentOp (how one finds that scan to kill it) must not wait for it.
    /// </summary>
    public IReadOnlyList<Transaction>? TryListOpenTransactions(TimeSpan wait)
    {
        if (!Monitor.TryEnter(member.Storage.SyncRoot, wait))
        {
            return null;
        }

        try
        {
            return member.Transactions.InProgress;
        }
        finally
        {
            Monitor.Exit(member.Storage.SyncRoot);
        }
    }

    /// <summary><c>transactionLifetimeLimitSeconds</c>: how long a transaction may stay open before the reaper aborts it.</summary>
    public TimeSpan TransactionLifetime => member.Transactions.Lifetime;

    /// <summary>Sets <c>transactionLifetimeLimitSeconds</c>; returns the previous lifetime.</summary>
    public TimeSpan SetTransactionLifetime(TimeSpan lifetime)
    {
        lock (member.Storage.SyncRoot)
        {
            var was = member.Transactions.Lifetime;
            member.Transactions.Lifetime = lifetime;
            return was;
        }
    }

    // Callers hold the storage lock.
    private IDocumentReader ReaderForReadConcern(string? level, BsonTimestamp? atClusterTime, out OpTime? readOpTime)
    {
        var storage = member.Storage;
        long sequence;
        switch (level)
        {
            case "snapshot" when atClusterTime is not null:
                sequence = member.SequenceAt(atClusterTime)
                    ?? throw new MongoErrorException(
                        ErrorCodes.SnapshotTooOld, $"Read timestamp {atClusterTime} is older than the oldest available timestamp.");
                readOpTime = new OpTime(atClusterTime, member.LastApplied.Term);
                break;
            case "majority" or "snapshot":
                (var opTime, sequence) = member.MajorityReadPoint();
                readOpTime = opTime;
                if (level == "snapshot")
                {
                    // The time handed out as atClusterTime: a snapshot session reads at it again later.
                    member.PinSnapshotForSet(opTime.Timestamp);
                }

                break;
            default:
                readOpTime = null;
                return new CurrentDataReader(storage);
        }

        // Nothing changed since the snapshot: the current data is it, and its indexes can serve the read.
        return sequence >= storage.History.Sequence ? new CurrentDataReader(storage) : new SnapshotDataReader(storage, sequence);
    }
}
