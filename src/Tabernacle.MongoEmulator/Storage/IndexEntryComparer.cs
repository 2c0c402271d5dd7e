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
            var cmp = BsonValueComparer.Default.Compare(x.Key[i], y.Key[i]);
            if (cmp != 0)
            {
                return directions[i] < 0 ? -cmp : cmp;
            }
        }

        return x.RecordId.CompareTo(y.RecordId);
    }
}

/// <summary>One key of one document in an index (a multikey index holds one per array element).</summary>
internal readonly record struct IndexEntry(BsonValue[] Key, long RecordId);
