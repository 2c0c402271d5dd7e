using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// How a command sees documents: the member's current data, or a transaction's snapshot with its own writes.
/// Commands read and write through this so that the same handler serves both.
/// </summary>
internal interface IDocumentReader
{
    /// <summary>The names of the databases that exist, in no particular order.</summary>
    IEnumerable<string> DatabaseNames { get; }

    /// <summary>The collection's catalog entry (indexes, options), or <c>null</c> when it does not exist.</summary>
    CollectionStore? Collection(string database, string collection);

    /// <summary>The catalog entries of the database's collections (views included), in no particular order.</summary>
    IEnumerable<CollectionStore> Collections(string database);

    /// <summary>Adds to the member's count of documents examined (serverStatus' <c>metrics.queryExecutor.scannedObjects</c>).</summary>
    void CountExamined(long documents);

    /// <summary>Documents that may match <paramref name="filter"/> (callers re-check), in natural order.</summary>
    IEnumerable<BsonDocument> Candidates(string database, string collection, QueryFilter filter, CollectionIndex? hint);

    /// <summary>Every document of the collection, in natural order.</summary>
    IEnumerable<BsonDocument> Documents(string database, string collection);
}

/// <summary>Writes of one command: applied and logged at once, or buffered in a transaction until it commits.</summary>
internal interface IDocumentWriter : IDocumentReader
{
    /// <summary>The optime of the last change logged, or <c>null</c> when nothing was logged (yet).</summary>
    OpTime? LastOpTime { get; }

    void Insert(string database, string collection, BsonDocument document, RetryableStatement? statement);

    void Replace(string database, string collection, BsonDocument replacement, RetryableStatement? statement);

    void Delete(string database, string collection, BsonValue id, RetryableStatement? statement);

    /// <summary>Records a retryable statement that changed nothing.</summary>
    void RecordStatement(string database, RetryableStatement statement);

    /// <summary>
    /// Waits while an open transaction holds any of <paramref name="ids"/>, as MongoDB makes a write outside a
    /// transaction wait for the transaction that locked its document. Returns whether it waited: the storage lock was
    /// released meanwhile, so the caller must read the documents again.
    /// </summary>
    bool WaitForTransactions(string database, string collection, IEnumerable<BsonValue> ids, DateTime? deadline,
        CancellationToken cancellationToken);
}

/// <summary>Reads the member's current data (outside transactions). Callers hold the storage lock.</summary>
internal sealed class CurrentDataReader(StorageEngine storage) : IDocumentReader
{
    public IEnumerable<string> DatabaseNames => storage.Databases.Select(d => d.Name);

    public CollectionStore? Collection(string database, string collection) => storage.GetCollection(database, collection);

    public IEnumerable<CollectionStore> Collections(string database) => storage.GetDatabase(database)?.Collections ?? [];

    public void CountExamined(long documents) => storage.CountExamined(documents);

    public IEnumerable<BsonDocument> Candidates(string database, string collection, QueryFilter filter, CollectionIndex? hint) =>
        storage.GetCollection(database, collection)?.Candidates(filter, hint) ?? [];

    public IEnumerable<BsonDocument> Documents(string database, string collection) =>
        storage.GetCollection(database, collection)?.Documents ?? [];
}

/// <summary>
/// Reads the member's data as it was at storage sequence <paramref name="sequence"/> (a majority-committed snapshot),
/// the way a transaction's snapshot view does. The catalog (collections, indexes) is the current one. Callers hold the
/// storage lock, and materialise what they read before releasing it.
/// </summary>
internal sealed class SnapshotDataReader(StorageEngine storage, long sequence) : IDocumentReader
{
    private readonly CurrentDataReader _catalog = new(storage);

    public long Sequence => sequence;

    public IEnumerable<string> DatabaseNames => _catalog.DatabaseNames;

    public CollectionStore? Collection(string database, string collection) => _catalog.Collection(database, collection);

    public IEnumerable<CollectionStore> Collections(string database) => _catalog.Collections(database);

    public void CountExamined(long documents) => _catalog.CountExamined(documents);

    // The same index choice as current reads; the history supplies the snapshot's versions the current keys miss.
    public IEnumerable<BsonDocument> Candidates(string database, string collection, QueryFilter filter, CollectionIndex? hint) =>
        storage.GetCollection(database, collection)?.CandidatesAt(filter, hint, sequence)
        ?? storage.History.DeletedSince($"{database}.{collection}", sequence, _ => false);

    // A collection dropped after the snapshot is read from the pre-images its drop recorded.
    public IEnumerable<BsonDocument> Documents(string database, string collection) =>
        storage.GetCollection(database, collection)?.DocumentsAt(sequence)
        ?? storage.History.DeletedSince($"{database}.{collection}", sequence, _ => false);
}
