using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// One key of one document in an index (a multikey index holds one per array element), 16 bytes. An index holds an
/// entry per document, so a one-field key (most indexes have one field) is held without a <see cref="BsonValue"/>
/// object where it can be: an int32 key is packed with the record id into one long (while record ids fit 32 bits), a
/// string key is its .NET string; any other one-field key is its value alone, a compound key an array of values.
/// That spares the 24-byte box of each int32 key and the 24-byte wrapper of each string key.
/// </summary>
internal readonly struct IndexEntry
{
    // Marks _bits as (int32 key << 32) | record id.
    private static readonly object PackedInt32 = new();

    // PackedInt32, a string (a BsonString key), a BsonValue (another one-field key) or a BsonValue[] (a compound key).
    private readonly object _key;

    // The record id, or the packed int32 key and record id.
    private readonly long _bits;

    public IndexEntry(BsonValue key, long recordId)
    {
        (_key, _bits) = key switch
        {
            BsonInt32 number when recordId is >= 0 and <= uint.MaxValue => (PackedInt32, ((long)number.Value << 32) | recordId),
            BsonString text => (text.Value, recordId),
            _ => ((object)key, recordId),
        };
    }

    public IndexEntry(BsonValue[] key, long recordId)
        : this(key.Length == 1 ? key[0] : null!, recordId)
    {
        if (key.Length != 1)
        {
            _key = key;
            _bits = recordId;
        }
    }

    public long RecordId => ReferenceEquals(_key, PackedInt32) ? (long)(uint)_bits : _bits;

    /// <summary>The key's value for field <paramref name="field"/> of the index.</summary>
    public BsonValue this[int field] => _key switch
    {
        BsonValue value => value,
        string text => new BsonString(text),
        BsonValue[] values => values[field],
        _ => BsonInt32.Create((int)(_bits >> 32)),
    };

    /// <summary>The key's values, one per field of the index.</summary>
    public BsonValue[] Key => _key as BsonValue[] ?? [this[0]];

    /// <summary>Compares the first fields of two entries' keys in MongoDB's order, without boxing packed keys where it can.</summary>
    public static int CompareFirst(in IndexEntry x, in IndexEntry y)
    {
        var fast = CompareFast(x, y);
        if (fast is { } cmp)
        {
            return cmp;
        }

        fast = CompareFast(y, x);
        return fast is { } reversed ? -reversed : BsonValueComparer.Default.Compare(x[0], y[0]);
    }

    // The comparison when x holds a packed int32 or a string key and y something it can be compared with directly.
    private static int? CompareFast(in IndexEntry x, in IndexEntry y)
    {
        if (ReferenceEquals(x._key, PackedInt32))
        {
            var value = (int)(x._bits >> 32);
            return y._key switch
            {
                _ when ReferenceEquals(y._key, PackedInt32) => value.CompareTo((int)(y._bits >> 32)),
                BsonInt32 other => value.CompareTo(other.Value),
                BsonInt64 other => ((long)value).CompareTo(other.Value),
                BsonMinKey => 1,
                BsonMaxKey => -1,
                _ => null,
            };
        }

        if (x._key is string text)
        {
            return y._key switch
            {
                string other => BsonValueComparer.Default.CompareStrings(text, other),
                BsonString other => BsonValueComparer.Default.CompareStrings(text, other.Value),
                BsonMinKey => 1,
                BsonMaxKey => -1,
                _ => null,
            };
        }

        return null;
    }
}
