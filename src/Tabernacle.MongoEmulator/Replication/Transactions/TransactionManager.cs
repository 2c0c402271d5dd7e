using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The open transactions of one member (only a primary has any), by session, and the document locks they hold.
/// Every method runs under the member's storage lock.
/// </summary>
internal sealed class TransactionManager(StorageEngine storage, TimeProvider time)
{
    private TimeSpan _lifetime = TimeSpan.FromSeconds(60);

    /// <summary>
    /// MongoDB's <c>transactionLifetimeLimitSeconds</c> (60 s by default; <c>setParameter</c> changes it). As in mongod,
    /// a transaction's expiry is fixed when it starts, so a change applies to transactions started afterwards.
    /// </summary>
    public TimeSpan Lifetime
    {
        get => _lifetime;
        set
        {
            _lifetime = value;
            LifetimeChanged.Pulse();
        }
    }

    /// <summary>Pulsed when <see cref="Lifetime"/> changes, so the reaper adopts its new period at once (mongod's observer).</summary>
    public AsyncSignal LifetimeChanged { get; } = new();

    /// <summary>How many transactions the reaper has aborted for exceeding their lifetime.</summary>
    public long ExpiredAborts { get; private set; }

    private readonly Dictionary<string, Transaction> _bySession = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, BsonValue Id), Transaction> _locks = new(new LockKeyComparer());

    private int _waitingWrites;

    /// <summary>Writes outside transactions that are waiting, right now, for a transaction to release a document.</summary>
    public int WaitingWrites => Volatile.Read(ref _waitingWrites);

    /// <summary>Counts a waiting write for <see cref="WaitingWrites"/> until the returned scope is disposed.</summary>
    public IDisposable TrackWaitingWrite()
    {
        Interlocked.Increment(ref _waitingWrites);
        return new WaitingWriteScope(this);
    }

    private sealed class WaitingWriteScope(TransactionManager owner) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref owner._waitingWrites);
    }

    public int OpenCount => _bySession.Values.Count(t => t.State == TransactionState.InProgress);

    /// <summary>The transactions in progress (currentOp's idle sessions); callers hold the storage lock.</summary>
    public IReadOnlyList<Transaction> InProgress => [.. _bySession.Values.Where(t => t.State == TransactionState.InProgress)];

    /// <summary>Starts transaction <paramref name="txnNumber"/> of a session; a smaller number than the session's last is
    /// TransactionTooOld.</summary>
    public Transaction Begin(string sessionId, long txnNumber, BsonDocument? writeConcern, string? owner = null)
    {
        if (_bySession.TryGetValue(sessionId, out var existing))
        {
            if (txnNumber < existing.TxnNumber)
            {
                throw new MongoErrorException(ErrorCodes.TransactionTooOld,
                    $"Cannot start transaction {txnNumber} on session {sessionId} because a newer transaction {existing.TxnNumber} has " +
                        $"already started.");
            }

            if (txnNumber == existing.TxnNumber)
            {
                throw new MongoErrorException(ErrorCodes.ConflictingOperationInProgress,
                    $"Cannot start transaction {txnNumber} on session {sessionId} because it has already started.");
            }

            End(existing, TransactionState.Aborted, "a newer transaction started on the session");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var transaction = new Transaction(sessionId, txnNumber, storage.History.OpenSnapshot(), now, writeConcern)
        {
            ExpiresAt = now + Lifetime,
            Owner = owner,
        };
        _bySession[sessionId] = transaction;
        return transaction;
    }

    /// <summary>The session's transaction <paramref name="txnNumber"/>, if it is still in progress; otherwise NoSuchTransaction
    /// (251).</summary>
    public Transaction Get(string sessionId, long txnNumber)
    {
        if (_bySession.TryGetValue(sessionId, out var transaction) && transaction.TxnNumber == txnNumber)
        {
            if (transaction.State == TransactionState.InProgress)
            {
                return transaction;
            }

            if (transaction.State == TransactionState.Committed)
            {
                throw new MongoErrorException(ErrorCodes.TransactionCommitted,
                    $"Transaction with {{ txnNumber: {txnNumber} }} has been committed.");
            }

            throw NoSuchTransaction(txnNumber, transaction.AbortReason);
        }

        throw NoSuchTransaction(txnNumber, null);
    }

    /// <summary>The session's transaction with that number in whatever state, or <c>null</c>.</summary>
    public Transaction? Find(string sessionId, long txnNumber) =>
        _bySession.TryGetValue(sessionId, out var transaction) && transaction.TxnNumber == txnNumber ? transaction : null;

    /// <summary>Takes the lock on a document for <paramref name="transaction"/>; a conflict aborts it with WriteConflict (112).</summary>
    public void Lock(Transaction transaction, string ns, BsonValue id)
    {
        if (_locks.TryGetValue((ns, id), out var holder) && holder != transaction)
        {
            Conflict(transaction, "another transaction is writing the same document");
        }

        if (storage.History.ChangedSince(ns, id, transaction.Snapshot))
        {
            Conflict(transaction, "the document changed after the transaction's snapshot");
        }

        _locks[(ns, id)] = transaction;
    }

    private void Conflict(Transaction transaction, string why)
    {
        End(transaction, TransactionState.Aborted, $"of a write conflict ({why})");
        throw new MongoErrorException(
            ErrorCodes.WriteConflict,
            "Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document "
            + $"transaction. ({why})");
    }

    /// <summary>The open transaction that holds one of the documents, or <c>null</c>.</summary>
    public Transaction? HolderOf(string ns, IEnumerable<BsonValue> ids)
    {
        foreach (var id in ids)
        {
            if (_locks.TryGetValue((ns, id), out var holder) && holder.State == TransactionState.InProgress)
            {
                return holder;
            }
        }

        return null;
    }

    /// <summary>
    /// A write outside any transaction reached a document an open transaction holds without waiting first (the write
    /// commands wait, see <see cref="IDocumentWriter.WaitForTransactions"/>; this covers any other path): the
    /// transaction is aborted so that neither side loses its change.
    /// </summary>
    public void AbortConflicting(string ns, BsonValue id)
    {
        if (_locks.TryGetValue((ns, id), out var holder))
        {
            End(holder, TransactionState.Aborted, "of a write conflict with a write outside the transaction");
        }
    }

    public void End(Transaction transaction, TransactionState state, string? reason = null)
    {
        if (transaction.State != TransactionState.InProgress)
        {
            return;
        }

        transaction.State = state;
        transaction.AbortReason = reason;
        foreach (var key in transaction.LockedDocuments)
        {
            if (_locks.TryGetValue(key, out var holder) && holder == transaction)
            {
                _locks.Remove(key);
            }
        }

        storage.History.CloseSnapshot(transaction.Snapshot);

        // Writes outside transactions may be waiting for these documents (WriteUnit.WaitForTransactions).
        if (Monitor.IsEntered(storage.SyncRoot))
        {
            Monitor.PulseAll(storage.SyncRoot);
        }
    }

    /// <summary>Aborts every open transaction (on step-down or shutdown).</summary>
    public void AbortAll(string reason)
    {
        foreach (var transaction in _bySession.Values.ToList())
        {
            End(transaction, TransactionState.Aborted, reason);
        }
    }

    /// <summary>
    /// Aborts the in-progress transactions that <paramref name="matches"/> selects (killSessions, killAllSessions,
    /// endSessions), releasing their locks; returns how many.
    /// </summary>
    public int AbortWhere(Func<Transaction, bool> matches, string reason)
    {
        var chosen = _bySession.Values.Where(t => t.State == TransactionState.InProgress && matches(t)).ToList();
        foreach (var transaction in chosen)
        {
            End(transaction, TransactionState.Aborted, reason);
        }

        return chosen.Count;
    }

    /// <summary>Aborts transactions past their expiry (mongod's periodic abortExpiredTransactions job), releasing their locks.</summary>
    public int AbortExpired()
    {
        var now = time.GetUtcNow().UtcDateTime;
        var count = AbortWhere(t => now >= t.ExpiresAt, "it exceeded transactionLifetimeLimitSeconds");
        ExpiredAborts += count;
        return count;
    }

    public static MongoErrorException NoSuchTransaction(long txnNumber, string? reason) => new(
        ErrorCodes.NoSuchTransaction,
        reason is null
            ? $"Given transaction number {txnNumber} does not match any in-progress transactions."
            : $"Transaction with {{ txnNumber: {txnNumber} }} has been aborted because {reason}.");

    private sealed class LockKeyComparer : IEqualityComparer<(string Namespace, BsonValue Id)>
    {
        public bool Equals((string Namespace, BsonValue Id) x, (string Namespace, BsonValue Id) y) =>
            x.Namespace == y.Namespace && BsonValueComparer.Default.Equals(x.Id, y.Id);

        public int GetHashCode((string Namespace, BsonValue Id) obj) =>
            HashCode.Combine(obj.Namespace, BsonValueComparer.Default.GetHashCode(obj.Id));
    }
}
