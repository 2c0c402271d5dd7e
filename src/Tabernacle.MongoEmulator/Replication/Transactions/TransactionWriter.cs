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
    private readonly CurrentDataReader _catalog = new(member.Storage);

    public OpTime? LastOpTime => null;

    // The catalog is the current one (DDL inside a transaction is applied at once, as the set's create and index
    // commands are); only documents are read at the transaction's snapshot.
    public IEnumerable<string> DatabaseNames => _catalog.DatabaseNames;

    public IEnumerable<CollectionStore> Collections(string database) => _catalog.Collections(database);

    public void CountExamined(long documents) => _catalog.CountExamined(documents);

    /// <summary>A transaction's own writes take document locks instead (a conflict aborts it with WriteConflict).</summary>
    public bool WaitForTransactions(string database, string collection, IEnumerable<BsonValue> ids, DateTime? deadline,
        CancellationToken cancellationToken) => false;

    public CollectionStore? Collection(string database, string collection) => _catalog.Collection(database, collection);

    // Through the planner's index choice, as reads and writes outside transactions: the snapshot's candidates, with
    // the transaction's own writes in their place, then its other buffered documents (the filter is re-checked).
    public IEnumerable<BsonDocument> Candidates(string database, string collection, QueryFilter filter, CollectionIndex? hint) =>
        WithOwnWrites(database, collection, Store(database, collection)?.CandidatesAt(filter, hint, transaction.Snapshot), filter);

    public IEnumerable<BsonDocument> Documents(string database, string collection) =>
        WithOwnWrites(database, collection, Store(database, collection)?.DocumentsAt(transaction.Snapshot));

    private CollectionStore? Store(string database, string collection) => member.Storage.GetCollection(database, collection);

    private IEnumerable<BsonDocument> WithOwnWrites(
        string database, string collection, IEnumerable<BsonDocument>? snapshot, QueryFilter? filter = null)
    {
        var seen = new HashSet<BsonValue>(Query.BsonValueComparer.Default);
        foreach (var document in snapshot ?? [])
        {
            var id = document["_id"];
            if (!seen.Add(id))
            {
                continue;
            }

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

        foreach (var inserted in Buffered(database, collection, filter))
        {
            if (seen.Add(inserted["_id"]))
            {
                yield return inserted;
            }
        }
    }

    // A filter on _id points looks its buffered documents up by id, so that a transaction of n point writes costs
    // O(n), not O(n²); any other filter looks at every buffered document of the collection.
    private IEnumerable<BsonDocument> Buffered(string database, string collection, QueryFilter? filter)
    {
        if (filter is null || !filter.IndexableConditions.TryGetValue("_id", out var bounds) || bounds.Points is not { } points)
        {
            return transaction.BufferedDocuments(database, collection);
        }

        var found = new List<BsonDocument>();
        foreach (var point in points)
        {
            if (transaction.TryGetWrite(database, collection, point, out var own) && own is not null)
            {
                found.Add(own);
            }
        }

        return found;
    }

    public void Insert(string database, string collection, BsonDocument document, RetryableStatement? statement)
    {
        var id = document["_id"];
        var ns = $"{database}.{collection}";
        if (Exists(database, collection, id))
        {
            throw new MongoErrorException(ErrorCodes.DuplicateKey,
                $"E11000 duplicate key error collection: {ns} index: _id_ dup key: {{ _id: {id.ToJson()} }}")
            {
                ExtraInfo = new BsonDocument { { "keyPattern", new BsonDocument("_id", 1) }, { "keyValue", new BsonDocument("_id", id) } },
            };
        }

        member.Storage.GetCollection(database, collection)?.CheckUnique(document);
        member.Transactions.Lock(transaction, ns, id);
        transaction.Record(new TransactionOperation(database, collection, id, null, document, false));
        transaction.Buffer(database, collection, id, document);
    }

    public void Replace(string database, string collection, BsonDocument replacement, RetryableStatement? statement)
    {
        var id = replacement["_id"];
        member.Storage.GetCollection(database, collection)?.CheckUnique(replacement);
        member.Transactions.Lock(transaction, $"{database}.{collection}", id);
        var replacing = NextIsReplacement;
        NextIsReplacement = false;
        transaction.Record(new TransactionOperation(database, collection, id, VersionOf(database, collection, id), replacement, replacing));
        transaction.Buffer(database, collection, id, replacement);
    }

    public void Delete(string database, string collection, BsonValue id, RetryableStatement? statement)
    {
        member.Transactions.Lock(transaction, $"{database}.{collection}", id);
        transaction.Record(new TransactionOperation(database, collection, id, VersionOf(database, collection, id), null, false));
        transaction.Buffer(database, collection, id, null);
    }

    public void RecordStatement(string database, RetryableStatement statement)
    {
        // Statements inside a transaction are retried as a whole transaction, never one by one.
    }

    /// <summary>Whether the next <see cref="Replace"/> replaces the whole document (a change stream's <c>replace</c>).</summary>
    public bool NextIsReplacement { get; set; }

    // The document as this transaction sees it now: its own write, else the snapshot's version.
    private BsonDocument? VersionOf(string database, string collection, BsonValue id)
    {
        if (transaction.TryGetWrite(database, collection, id, out var own))
        {
            return own;
        }

        var store = member.Storage.GetCollection(database, collection);
        if (store is null)
        {
            return null;
        }

        return member.Storage.History.TryGetVersionAt(store.Namespace, id, transaction.Snapshot, out var version)
            ? version
            : store.FindById(id);
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
