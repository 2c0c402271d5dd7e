using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>Orders index entries by key (each field in its declared direction) and then by record id.</summary>
internal sealed class IndexEntryComparer(int[] directions) : IComparer<IndexEntry>
{
    public int Compare(IndexEntry x, IndexEntry y)
    {
        if (directions.Length == 1)
        {
            var cmp = IndexEntry.CompareFirst(x, y);
            if (cmp != 0)
            {
                return directions[0] < 0 ? -cmp : cmp;
            }
        }
        else
        {
            for (var i = 0; i < directions.Length; i++)
            {
                var cmp = BsonValueComparer.Default.Compare(x[i], y[i]);
                if (cmp != 0)
                {
                    return directions[i] < 0 ? -cmp : cmp;
                }
            }
        }

        return x.RecordId.CompareTo(y.RecordId);
    }
}
