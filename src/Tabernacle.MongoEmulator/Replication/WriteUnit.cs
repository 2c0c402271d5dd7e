using MongoDB.Bson;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The primary's side of a write: each change is applied to the primary's storage and, only if that succeeded,
/// appended to its oplog with a fresh optime. Used while holding the member's storage lock.
/// </summary>
internal sealed class WriteUnit(ReplicaMember member)
{
    /// <summary>The optime of the last entry this unit logged, or <c>null</c> when it changed nothing.</summary>
    public OpTime? LastOpTime { get; private set; }

    public StorageEngine Storage => member.Storage;

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

    public void Insert(CollectionStore collection, BsonDocument document, RetryableStatement? statement = null)
    {
        collection.Insert(document);
        Log(OplogOperation.Insert, collection.Database, collection.Name, document, document["_id"], statement);
    }

    public void Replace(CollectionStore collection, BsonDocument replacement, RetryableStatement? statement = null)
    {
        collection.Replace(replacement["_id"], replacement);
        Log(OplogOperation.Update, collection.Database, collection.Name, replacement, replacement["_id"], statement);
    }

    public void Delete(CollectionStore collection, BsonValue id, RetryableStatement? statement = null)
    {
        if (collection.Delete(id))
        {
            Log(OplogOperation.Delete, collection.Database, collection.Name, null, id, statement);
        }
    }

    public void Command(string database, BsonDocument command)
    {
        CatalogOperations.Apply(member.Storage, database, command);
        Log(OplogOperation.Command, database, null, command, null, null);
    }

    /// <summary>Records a retryable statement that changed nothing, so that its retry is answered from the table too.</summary>
    public void RecordStatement(string database, RetryableStatement statement) =>
        Log(OplogOperation.Noop, database, null, null, null, statement);

    private void Log(OplogOperation operation, string database, string? collection, BsonDocument? document, BsonValue? id, RetryableStatement? statement)
    {
        var entry = member.AppendToOplog(operation, database, collection, document, id, statement);
        LastOpTime = entry.OpTime;
    }
}
