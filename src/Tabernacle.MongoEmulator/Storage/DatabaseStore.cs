namespace Tabernacle.MongoEmulator.Storage;

/// <summary>One database on one member: its collections by name.</summary>
internal sealed class DatabaseStore(VersionHistory history, string name)
{
    private readonly Dictionary<string, CollectionStore> _collections = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public IEnumerable<CollectionStore> Collections => _collections.Values;

    public CollectionStore? GetCollection(string name) => _collections.GetValueOrDefault(name);

    public CollectionStore GetOrCreateCollection(string name, MongoDB.Bson.BsonDocument? options = null, Guid? uuid = null)
    {
        if (!_collections.TryGetValue(name, out var collection))
        {
            collection = new CollectionStore(history, Name, name, options, uuid);
            _collections[name] = collection;
        }

        return collection;
    }

    /// <summary>
    /// Drops a collection. Its documents are recorded as deleted so that snapshots taken before the drop (a majority
    /// read while the drop is not yet majority-committed) still see them.
    /// </summary>
    public bool DropCollection(string name)
    {
        if (!_collections.Remove(name, out var collection))
        {
            return false;
        }

        collection.RecordDrop();
        return true;
    }

    /// <summary>Records every collection's documents as deleted (the database is being dropped).</summary>
    public void RecordDrop()
    {
        foreach (var collection in _collections.Values)
        {
            collection.RecordDrop();
        }
    }

    public void Add(CollectionStore collection) => _collections[collection.Name] = collection;
}
