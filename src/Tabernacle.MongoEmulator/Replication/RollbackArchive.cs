using System.Collections.Concurrent;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// What a member's rollbacks undid, as mongod keeps it in its <c>rollback</c> directory: for each collection, the
/// versions of the documents that the member held before the rollback replaced or removed them.
/// </summary>
internal sealed class RollbackArchive
{
    private readonly ConcurrentDictionary<(string Database, string Collection), ConcurrentQueue<BsonDocument>> _documents = new();
    private int _count;

    /// <summary>How many rollbacks this member went through.</summary>
    public int Count => Volatile.Read(ref _count);

    public void RecordRollback() => Interlocked.Increment(ref _count);

    public void Add(string database, string collection, BsonDocument document) =>
        _documents.GetOrAdd((database, collection), _ => new ConcurrentQueue<BsonDocument>()).Enqueue(document);

    public IReadOnlyList<BsonDocument> Get(string database, string collection) =>
        _documents.TryGetValue((database, collection), out var documents) ? [.. documents.Select(d => d.DeepClone().AsBsonDocument)] : [];
}
