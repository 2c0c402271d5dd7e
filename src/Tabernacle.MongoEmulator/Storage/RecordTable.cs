namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// A collection's records by record id (natural order is record-id order): the stored BSON bytes of each document,
/// in a <see cref="SortedChunkList{T}"/> of 16-byte entries. New records take ever larger ids, so inserts append.
/// </summary>
internal sealed class RecordTable
{
    private readonly SortedChunkList<KeyValuePair<long, byte[]>> _records = new(IdComparer.Instance);

    public int Count => _records.Count;

    public IEnumerable<byte[]> Values => _records.All().Select(static r => r.Value);

    public byte[] this[long id]
    {
        get => _records.TryGetValue(new(id, null!), out var record) ? record.Value : throw new KeyNotFoundException($"no record {id}");
        set
        {
            if (!_records.Add(new(id, value)))
            {
                _records.Replace(new(id, value));
            }
        }
    }

    public KeyValuePair<long, byte[]> First() => _records.First();

    public bool Remove(long id) => _records.Remove(new(id, null!));

    public IEnumerator<KeyValuePair<long, byte[]>> GetEnumerator() => _records.All().GetEnumerator();

    private sealed class IdComparer : IComparer<KeyValuePair<long, byte[]>>
    {
        public static readonly IdComparer Instance = new();

        public int Compare(KeyValuePair<long, byte[]> x, KeyValuePair<long, byte[]> y) => x.Key.CompareTo(y.Key);
    }
}
