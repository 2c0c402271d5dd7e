using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The primary's side of a write: each change is applied to the primary's storage and, only if that succeeded,
/// appended to its oplog with a fresh optime. Used while holding the member's storage lock.
/// </summary>
internal sealed class WriteUnit(ReplicaMember member) : IDocumentWriter
{
    private readonly CurrentDataReader _reader = new(member.Storage);

    /// <summary>The set's current time (<c>$$NOW</c> and <c>$currentDate</c> of the writes in this unit).</summary>
    public DateTime UtcNow => member.Set.UtcNow;

    /// <summary>The optime of the last entry this unit logged, or <c>null</c> when it changed nothing.</summary>
    public OpTime? LastOpTime { get; private set; }

    public CollectionStore GetOrCreateCollection(string database, string collection)
    {
        var existing = member.Storage.GetCollection(database, collection);
        if (existing is not null)
        {
            return existing;
        }

        Command(database, CatalogOperations.Create(collection, null));
        return member.Storage.GetCollection(database, collection)!;
    }

    public IEnumerable<string> DatabaseNames => _reader.DatabaseNames;

    public CollectionStore? Collection(string database, string collection) => _reader.Collection(database, collection);

    public IEnumerable<CollectionStore> Collections(string database) => _reader.Collections(database);

    public void CountExamined(long documents) => _reader.CountExamined(documents);

    public IEnumerable<BsonDocument> Candidates(string database, string collection, Query.Filters.QueryFilter filter,
        CollectionIndex? hint) =>
        _reader.Candidates(database, collection, filter, hint);

    public IEnumerable<BsonDocument> Documents(string database, string collection) => _reader.Documents(database, collection);

    public bool WaitForTransactions(string database, string collection, IEnumerable<BsonValue> ids, DateTime? deadline,
        CancellationToken cancellationToken)
    {
        var ns = $"{database}.{collection}";
        var keys = ids.ToList();
        if (member.Transactions.HolderOf(ns, keys) is null)
        {
            return false;
        }

        using var tracking = member.Transactions.TrackWaitingWrite();
        do
        {
            var remaining = deadline is { } limit ? limit - member.Set.UtcNow : TransactionWaitSlice;
            if (remaining <= TimeSpan.Zero)
            {
                throw new MongoErrorException(ErrorCodes.MaxTimeMSExpired,
                    "operation exceeded time limit while waiting for a transaction that holds the document");
            }

            cancellationToken.ThrowIfCancellationRequested();

            // Releases the storage lock so the transaction can commit or abort (TransactionManager.End pulses);
            // the slice bounds each wait so cancellation and the deadline are noticed.
            Monitor.Wait(member.Storage.SyncRoot, remaining < TransactionWaitSlice ? remaining : TransactionWaitSlice);
            member.EnsureWritablePrimary();
        }
        while (member.Transactions.HolderOf(ns, keys) is not null);

        return true;
    }

    private static readonly TimeSpan TransactionWaitSlice = TimeSpan.FromMilliseconds(100);

    public void Insert(string database, string collection, BsonDocument document, RetryableStatement? statement) =>
        Insert(GetOrCreateCollection(database, collection), document, statement);

    public void Replace(string database, string collection, BsonDocument replacement, RetryableStatement? statement) =>
        Replace(member.Storage.GetCollection(database, collection)!, replacement, statement);

    /// <summary>
    /// Whether the next <see cref="Replace(CollectionStore, BsonDocument, RetryableStatement?)"/> is a whole-document replacement.
    /// </summary>
    public bool NextIsReplacement { get; set; }

    public void Delete(string database, string collection, BsonValue id, RetryableStatement? statement)
    {
        if (member.Storage.GetCollection(database, collection) is { } store)
        {
            Delete(store, id, statement);
        }
    }

    public void Insert(CollectionStore collection, BsonDocument document, RetryableStatement? statement = null)
    {
        member.Transactions.AbortConflicting(collection.Namespace, document["_id"]);
        var stored = collection.Insert(document);
        LogStored(OplogOperation.Insert, collection, stored, document["_id"], statement, null, isReplacement: false);
    }

    // The oplog entries of single-document writes carry the collection's stored bytes of the new and the old version
    // (shared, not copied): the last entries the oplog keeps then cost no document trees, and the trees a write
    // builds die young instead of living as long as the entry.
    public void Replace(CollectionStore collection, BsonDocument replacement, RetryableStatement? statement = null)
    {
        member.Transactions.AbortConflicting(collection.Namespace, replacement["_id"]);
        var before = collection.StoredBytes(replacement["_id"]);
        var stored = collection.Replace(replacement["_id"], replacement);
        var replacing = NextIsReplacement;
        NextIsReplacement = false;
        LogStored(OplogOperation.Update, collection, stored, replacement["_id"], statement, [before], replacing);
    }

    public void Delete(CollectionStore collection, BsonValue id, RetryableStatement? statement = null)
    {
        member.Transactions.AbortConflicting(collection.Namespace, id);
        var before = collection.StoredBytes(id);
        if (collection.Delete(id))
        {
            LogStored(OplogOperation.Delete, collection, null, id, statement, [before], isReplacement: false);
        }
    }

    private void LogStored(
        OplogOperation operation, CollectionStore collection, byte[]? stored, BsonValue id, RetryableStatement? statement,
        byte[]?[]? preImages, bool isReplacement)
    {
        var entry = member.AppendToOplog(operation, collection.Database, collection.Name, null, id, statement, null, isReplacement,
            storedDocument: stored, storedPreImages: preImages);
        LastOpTime = entry.OpTime;
    }

    public void Command(string database, BsonDocument command)
    {
        CatalogOperations.Apply(member.Storage, database, command);
        Log(OplogOperation.Command, database, null, command, null, null);
    }

    /// <summary>Records a retryable statement that changed nothing, so that its retry is answered from the table too.</summary>
    public void RecordStatement(string database, RetryableStatement statement) =>
        Log(OplogOperation.Noop, database, null, null, null, statement);

    /// <summary>Applies a committed transaction's final document states and logs them as one atomic entry.</summary>
    public void CommitTransaction(
        IReadOnlyList<TransactionChange> changes, RetryableStatement statement, IReadOnlyList<TransactionOperation>? operations = null)
    {
        var before = changes.Select(c => member.Storage.GetCollection(c.Database, c.Collection)?.FindById(c.Id)).ToList();
        foreach (var change in changes)
        {
            TransactionChange.Apply(member.Storage, change);
        }

        var applyOps = TransactionChange.ToApplyOps(changes);
        var entry = member.AppendToOplog(OplogOperation.ApplyOps, "admin", null, applyOps, null, statement, before, operations: operations);
        LastOpTime = entry.OpTime;
    }

    private void Log(
        OplogOperation operation, string database, string? collection, BsonDocument? document, BsonValue? id, RetryableStatement? statement,
        IReadOnlyList<BsonDocument?>? preImages = null, bool isReplacement = false)
    {
        var entry = member.AppendToOplog(operation, database, collection, document, id, statement, preImages, isReplacement);
        LastOpTime = entry.OpTime;
    }
}
