using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// A command inside a transaction: reads see the transaction's snapshot plus its own writes; writes take document
/// locks (a conflict aborts the transaction with WriteConflict) and are buffered until commit. Used under the storage lock.
/// </summary>
internal sealed class TransactionWriter(ReplicaMember member, Transaction transaction) : IDocumentWriter
{
    public StorageEngine Storage => member.Storage;

    public OpTime? LastOpTime => null;

    /// <summary>A transaction's own writes take document locks instead (a conflict aborts it with WriteConflict).</summary>
    public bool WaitForTransactions(string database, string collection, IEnumerable<BsonValue> ids, DateTime? deadline, CancellationToken cancellationToken) => false;

    public CollectionStore? Collection(string database, string collection) => member.Storage.GetCollection(database, collection);

    public IEnumerable<BsonDocument> Candidates(string database, string collection, QueryFilter filter, CollectionIndex? hint) =>
        Documents(database, collection);

    public IEnumerable<BsonDocument> Documents(string database, string collection)
    {
        var store = member.Storage.GetCollection(database, collection);
        var seen = new HashSet<BsonValue>(Query.BsonValueComparer.Default);
        foreach (var document in store?.DocumentsAt(transaction.Snapshot) ?? [])
        {
            var id = document["_id"];
            seen.Add(id);
            if (transaction.TryGetWrite(database, collection, id, out var own))
            {
                if (own is not null)
                {
                    yield return own;
                }
            }
            else
            {
                yield return document;
            }
        }

        foreach (var inserted in transaction.BufferedDocuments(database, collection))
        {
            if (!seen.Contains(inserted["_id"]))
            {
                yield return inserted;
            }
        }
    }

    public void Insert(string database, string collection, BsonDocument document, RetryableStatement? statement)
    {
        var id = document["_id"];
        var ns = $"{database}.{collection}";
        if (Exists(database, collection, id))
        {
            throw new MongoErrorException(ErrorCodes.DuplicateKey, $"E11000 duplicate key error collection: {ns} index: _id_ dup key: {{ _id: {id.ToJson()} }}")
            {
                ExtraInfo = new BsonDocument { { "keyPattern", new BsonDocument("_id", 1) }, { "keyValue", new BsonDocument("_id", id) } },
            };
        }

        member.Storage.GetCollection(database, collection)?.CheckUnique(document);
        member.Transactions.Lock(transaction, ns, id);
        transaction.Buffer(database, collection, id, document);
    }

    public void Replace(string database, string collection, BsonDocument replacement, RetryableStatement? statement)
    {
        var id = replacement["_id"];
        member.Storage.GetCollection(database, collection)?.CheckUnique(replacement);
        member.Transactions.Lock(transaction, $"{database}.{collection}", id);
        transaction.Buffer(database, collection, id, replacement);
    }

    public void Delete(string database, string collection, BsonValue id, RetryableStatement? statement)
    {
        member.Transactions.Lock(transaction, $"{database}.{collection}", id);
        transaction.Buffer(database, collection, id, null);
    }

    public void RecordStatement(string database, RetryableStatement statement)
    {
        // Statements inside a transaction are retried as a whole transaction, never one by one.
    }

    private bool Exists(string database, string collection, BsonValue id)
    {
        if (transaction.TryGetWrite(database, collection, id, out var own))
        {
            return own is not null;
        }

        var store = member.Storage.GetCollection(database, collection);
        if (store is null)
        {
            return false;
        }

        return member.Storage.History.TryGetVersionAt(store.Namespace, id, transaction.Snapshot, out var version)
            ? version is not null
            : store.Contains(id);
    }
}
