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

    /// <summary>Why the transaction was aborted by the server (write conflict, step-down, expiry), for NoSuchTransaction messages.</summary>
    public string? AbortReason { get; set; }

    public bool HasWrites => _order.Count > 0;

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
        _order.Select(key => new TransactionChange(key.Database, key.Collection, key.Id, _writes[(key.Database, key.Collection)][key.Id])).ToList();

    /// <summary>Every write in the order it was made, with the document before and after it: what change streams report.</summary>
    public IReadOnlyList<TransactionOperation> Operations => _operations;

    public void Record(TransactionOperation operation) => _operations.Add(operation);

    public IEnumerable<(string Namespace, BsonValue Id)> LockedDocuments => _order.Select(k => ($"{k.Database}.{k.Collection}", k.Id));
}

/// <summary>One write of a transaction: the document before (<c>null</c>: inserted) and after (<c>null</c>: deleted).</summary>
internal sealed record TransactionOperation(
    string Database, string Collection, BsonValue Id, BsonDocument? Before, BsonDocument? After, bool IsReplacement);
