namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// All data of one member. Every read and write takes <see cref="SyncRoot"/>: the emulator serialises operations on a
/// member (as a single-threaded storage engine would) so that commands see consistent indexes and documents.
/// </summary>
internal sealed class StorageEngine
{
    private readonly Dictionary<string, DatabaseStore> _databases = new(StringComparer.Ordinal);

    public object SyncRoot { get; } = new();

    /// <summary>The write sequence and the pre-images open transactions need.</summary>
    public VersionHistory History { get; } = new();

    public IEnumerable<DatabaseStore> Databases => _databases.Values;

    private long _documentsExamined;

    /// <summary>Documents read to answer queries (serverStatus <c>metrics.queryExecutor.scannedObjects</c>): shows whether an index served
    /// a query.</summary>
    public long DocumentsExamined => Interlocked.Read(ref _documentsExamined);

    public void CountExamined(long documents) => Interlocked.Add(ref _documentsExamined, documents);

    public DatabaseStore? GetDatabase(string name) => _databases.GetValueOrDefault(name);

    public DatabaseStore GetOrCreateDatabase(string name)
    {
        if (!_databases.TryGetValue(name, out var database))
        {
            database = new DatabaseStore(History, name);
            _databases[name] = database;
        }

        return database;
    }

    public CollectionStore? GetCollection(string database, string collection) => GetDatabase(database)?.GetCollection(collection);

    public bool DropDatabase(string name)
    {
        if (!_databases.Remove(name, out var database))
        {
            return false;
        }

        database.RecordDrop();
        return true;
    }

    /// <summary>Replaces this member's data with a deep copy of <paramref name="source"/>'s (an initial sync or rollback
    /// recovery).</summary>
    public void CopyFrom(StorageEngine source)
    {
        _databases.Clear();
        foreach (var database in source._databases.Values)
        {
            var copy = new DatabaseStore(History, database.Name);
            foreach (var collection in database.Collections)
            {
                copy.Add(collection.Clone(History));
            }

            _databases[database.Name] = copy;
        }
    }
}
