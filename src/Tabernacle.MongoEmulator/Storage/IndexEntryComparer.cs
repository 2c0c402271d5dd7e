using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>Orders index entries by key (each field in its declared direction) and then by record id.</summary>
internal sealed class IndexEntryComparer(int[] directions) : IComparer<IndexEntry>
{
    public int Compare(IndexEntry x, IndexEntry y)
    {
        for (var i = 0; i < directions.Length; i++)
        {
            var cmp = BsonValueComparer.Default.Compare(x[i], y[i]);
            if (cmp != 0)
            {
                return directions[i] < 0 ? -cmp : cmp;
            }
        }

        return x.RecordId.CompareTo(y.RecordId);
    }
}

/// <summary>
/// One key of one document in an index (a multikey index holds one per array element). A one-field key is held as
/// its value alone, without an array around it: most indexes have one field, and an index holds an entry per document.
/// </summary>
internal readonly struct IndexEntry
{
    // A BsonValue for a one-field key, a BsonValue[] for a compound one.
    private readonly object _key;

    public IndexEntry(BsonValue[] key, long recordId)
    {
        _key = key.Length == 1 ? key[0] : key;
        RecordId = recordId;
    }

    public long RecordId { get; }

    /// <summary>The key's value for field <paramref name="field"/> of the index.</summary>
    public BsonValue this[int field] => _key as BsonValue ?? ((BsonValue[])_key)[field];

    /// <summary>The key's values, one per field of the index.</summary>
    public BsonValue[] Key => _key is BsonValue value ? [value] : (BsonValue[])_key;
}
