using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>The state of a multi-document transaction.</summary>
internal enum TransactionState
{
    InProgress,
    Committed,
    Aborted,
}

/// <summary>
/// One open multi-document transaction on the primary: its snapshot, its buffered writes (the final state of each
/// document it touched) and the write concern it commits with. Accessed under the member's storage lock.
/// </summary>
internal sealed class Transaction(string sessionId, long txnNumber, long snapshot, DateTime startedAt, BsonDocument? writeConcern)
{
    private readonly Dictionary<(string Database, string Collection), Dictionary<BsonValue, BsonDocument?>> _writes = [];
    private readonly List<(string Database, string Collection, BsonValue Id)> _order = [];
    private readonly List<TransactionOperation> _operations = [];
    private readonly List<(string Database, BsonDocument Command)> _catalog = [];

    public string SessionId { get; } = sessionId;

    public long TxnNumber { get; } = txnNumber;

    /// <summary>The storage sequence the transaction reads at.</summary>
    public long Snapshot { get; } = snapshot;

    public DateTime StartedAt { get; } = startedAt;

    public BsonDocument? WriteConcern { get; } = writeConcern;

    /// <summary>When the reaper aborts it: its start plus the lifetime limit in force then (mongod's transactionExpireDate).</summary>
    public DateTime ExpiresAt { get; init; } = DateTime.MaxValue;

    /// <summary>The user that started it (<c>user@db</c>), or <c>null</c> without authentication; killAllSessions matches on it.</summary>
    public string? Owner { get; init; }

    public TransactionState State { get; set; } = TransactionState.InProgress;

    /// <summary>Why the transaction was aborted by the server (write conflict, step-down, expiry), for NoSuchTransaction
    /// messages.</summary>
    public string? AbortReason { get; set; }

    public bool HasWrites => _order.Count > 0 || _catalog.Count > 0;

    /// <summary>
    /// The catalog commands (collections and indexes created in the transaction), in order: applied at commit, before
    /// the documents, and invisible to everyone else until then, as mongod's DDL in transactions.
    /// </summary>
    public IReadOnlyList<(string Database, BsonDocument Command)> CatalogCommands => _catalog;

    public void BufferCatalog(string database, BsonDocument command) => _catalog.Add((database, command));

    /// <summary>Whether the transaction created <paramref name="collection"/> (explicitly or by creating an index on it).</summary>
    public bool Creates(string database, string collection) =>
        _catalog.Any(c => c.Database == database && c.Command.GetElement(0).Name == "create" && c.Command[0].AsString == collection);

    /// <summary>The index specs the transaction created on <paramref name="collection"/>.</summary>
    public IEnumerable<BsonDocument> CreatedIndexes(string database, string collection) => _catalog
        .Where(c => c.Database == database && c.Command.GetElement(0).Name == "createIndexes" && c.Command[0].AsString == collection)
        .Select(c => c.Command["spec"].AsBsonDocument);

    /// <summary>The buffered version of a document: found with <c>null</c> means the transaction deleted it.</summary>
    public bool TryGetWrite(string database, string collection, BsonValue id, out BsonDocument? document)
    {
        document = null;
        return _writes.TryGetValue((database, collection), out var documents) && documents.TryGetValue(id, out document);
    }

    public IEnumerable<BsonDocument> BufferedDocuments(string database, string collection) =>
        _writes.TryGetValue((database, collection), out var documents) ? documents.Values.OfType<BsonDocument>() : [];

    public void Buffer(string database, string collection, BsonValue id, BsonDocument? document)
    {
        if (!_writes.TryGetValue((database, collection), out var documents))
        {
            documents = new Dictionary<BsonValue, BsonDocument?>(BsonValueComparer.Default);
            _writes[(database, collection)] = documents;
        }

        if (!documents.ContainsKey(id))
        {
            _order.Add((database, collection, id));
        }

        documents[id] = document;
    }

    /// <summary>The final state of every document the transaction wrote, in first-write order.</summary>
    public List<TransactionChange> Changes() =>
        _order.Select(key =>
            new TransactionChange(key.Database, key.Collection, key.Id, _writes[(key.Database, key.Collection)][key.Id])).ToList();

    /// <summary>Every write in the order it was made, with the document before and after it: what change streams report.</summary>
    public IReadOnlyList<TransactionOperation> Operations => _operations;

    public void Record(TransactionOperation operation) => _operations.Add(operation);

    public IEnumerable<(string Namespace, BsonValue Id)> LockedDocuments => _order.Select(k => ($"{k.Database}.{k.Collection}", k.Id));
}

/// <summary>One write of a transaction: the document before (<c>null</c>: inserted) and after (<c>null</c>: deleted).</summary>
internal sealed record TransactionOperation(
    string Database, string Collection, BsonValue Id, BsonDocument? Before, BsonDocument? After, bool IsReplacement);
