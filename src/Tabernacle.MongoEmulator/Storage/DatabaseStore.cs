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

    public bool DropCollection(string name) => _collections.Remove(name);

    public void Add(CollectionStore collection) => _collections[collection.Name] = collection;
}
