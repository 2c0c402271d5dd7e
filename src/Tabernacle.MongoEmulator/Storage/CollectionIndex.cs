using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// A B-tree-like index over one collection: sorted entries of (key values, record id). Enforces unique constraints
/// (respecting sparse and partial options) and serves equality and range seeks on its first field.
/// </summary>
internal sealed class CollectionIndex
{
    private readonly string[] _fields;
    private readonly int[] _directions;
    private readonly SortedChunkList<IndexEntry> _entries;
    private readonly QueryFilter? _partialFilter;

    public CollectionIndex(BsonDocument spec)
    {
        Spec = spec;
        Name = spec["name"].AsString;
        KeyPattern = spec["key"].AsBsonDocument;
        // The _id index is always unique, although its spec (as listIndexes shows it) carries no "unique" field.
        Unique = Name == "_id_" || (spec.TryGetValue("unique", out var unique) && unique.ToBoolean());
        Sparse = spec.TryGetValue("sparse", out var sparse) && sparse.ToBoolean();
        ExpireAfterSeconds = spec.TryGetValue("expireAfterSeconds", out var ttl) && ttl.IsNumeric ? ttl.ToDouble() : null;
        if (spec.TryGetValue("partialFilterExpression", out var partial) && partial is BsonDocument partialDocument)
        {
            _partialFilter = QueryFilter.Compile(partialDocument);
        }

        _fields = KeyPattern.Names.ToArray();
        _directions = KeyPattern.Values.Select(v => v.IsNumeric && v.ToDouble() < 0 ? -1 : 1).ToArray();
        _entries = new SortedChunkList<IndexEntry>(new IndexEntryComparer(_directions));
    }

    public string Name { get; }

    /// <summary>The index document as <c>listIndexes</c> returns it (<c>v</c>, <c>key</c>, <c>name</c> and options).</summary>
    public BsonDocument Spec { get; }

    public BsonDocument KeyPattern { get; }

    public bool Unique { get; }

    public bool Sparse { get; }

    public double? ExpireAfterSeconds { get; }

    public bool IsIdIndex => Name == "_id_";

    /// <summary>The first key field, the one seeks can use.</summary>
    public string LeadingField => _fields[0];

    /// <summary>Whether this index can answer seeks for any query (sparse and partial indexes hold only some documents).</summary>
    public bool CanSeek => !Sparse && _partialFilter is null;

    public IndexEntry[] KeysFor(BsonDocument document, long recordId)
    {
        if (_partialFilter is not null && !_partialFilter.Matches(document))
        {
            return [];
        }

        var values = new List<BsonValue>[_fields.Length];
        var anyPresent = false;
        for (var i = 0; i < _fields.Length; i++)
        {
            values[i] = DocumentPath.IndexKeyValues(document, _fields[i], out var present);
            anyPresent |= present;
        }

        if (Sparse && !anyPresent)
        {
            return [];
        }

        var arrayFields = values.Count(v => v.Count > 1);
        if (arrayFields > 1)
        {
            throw new MongoErrorException(ErrorCodes.CannotIndexParallelArrays,
                $"cannot index parallel arrays [{string.Join("] [", _fields)}] in index {Name}");
        }

        // At most one field fans out into several keys (a multikey index), so the product is a simple expansion.
        var fanOut = Array.FindIndex(values, v => v.Count > 1);
        if (fanOut < 0 && _fields.Length == 1)
        {
            return [new IndexEntry(values[0][0], recordId)];
        }

        var result = new List<IndexEntry>();
        var count = fanOut < 0 ? 1 : values[fanOut].Count;
        var seen = new HashSet<BsonValue>(BsonValueComparer.Default);
        for (var k = 0; k < count; k++)
        {
            var key = new BsonValue[_fields.Length];
            for (var i = 0; i < _fields.Length; i++)
            {
                key[i] = i == fanOut ? values[i][k] : values[i][0];
            }

            if (fanOut < 0 || seen.Add(key[fanOut]))
            {
                result.Add(new IndexEntry(key, recordId));
            }
        }

        return result.ToArray();
    }

    /// <summary>Throws DuplicateKey (11000) when a unique index already holds one of <paramref name="keys"/> for another record.</summary>
    public void CheckUnique(IndexEntry[] keys, long recordId, string ns)
    {
        if (!Unique)
        {
            return;
        }

        foreach (var key in keys)
        {
            var keyValues = key.Key;
            var view = _entries.Between(new IndexEntry(keyValues, long.MinValue), new IndexEntry(keyValues, long.MaxValue));
            foreach (var existing in view)
            {
                if (existing.RecordId != recordId)
                {
                    throw DuplicateKey(ns, key.Key);
                }
            }
        }
    }

    private MongoErrorException DuplicateKey(string ns, BsonValue[] key)
    {
        var keyValue = new BsonDocument();
        for (var i = 0; i < _fields.Length; i++)
        {
            keyValue[_fields[i]] = key[i];
        }

        var shown = string.Join(", ", keyValue.Select(e => $"{e.Name}: {e.Value.ToJson()}"));
        return new MongoErrorException(ErrorCodes.DuplicateKey,
            $"E11000 duplicate key error collection: {ns} index: {Name} dup key: {{ {shown} }}")
        {
            ExtraInfo = new BsonDocument { { "keyPattern", KeyPattern.DeepClone() }, { "keyValue", keyValue } },
        };
    }

    /// <summary>The record whose one-field key is <paramref name="value"/> (a lookup in the unique _id index), or <c>null</c>.</summary>
    public long? RecordWithKey(BsonValue value)
    {
        foreach (var entry in _entries.Between(new IndexEntry([value], long.MinValue), new IndexEntry([value], long.MaxValue)))
        {
            return entry.RecordId;
        }

        return null;
    }

    /// <summary>Whether some document had several keys here (an array value): range intersection is then unsafe.</summary>
    public bool IsMultikey { get; private set; }

    public void Add(IndexEntry[] keys)
    {
        if (keys.Length > 1)
        {
            IsMultikey = true;
        }

        foreach (var key in keys)
        {
            _entries.Add(key);
        }
    }

    /// <summary>Packs the entries into full chunks, after a build over existing documents.</summary>
    public void Compact() => _entries.Compact();

    public void Remove(IndexEntry[] keys)
    {
        foreach (var key in keys)
        {
            _entries.Remove(key);
        }
    }

    private long _accesses;

    /// <summary>How many times a query used this index since <see cref="AccessesSince"/> ($indexStats' accesses).</summary>
    public long Accesses => Interlocked.Read(ref _accesses);

    public DateTime AccessesSince { get; } = DateTime.UtcNow;

    /// <summary>The record ids whose leading key lies within <paramref name="bounds"/> (a superset of the matches; callers re-check the
    /// filter).</summary>
    public IEnumerable<long> Seek(IndexBounds bounds)
    {
        Interlocked.Increment(ref _accesses);
        return SeekEntries(bounds);
    }

    private IEnumerable<long> SeekEntries(IndexBounds bounds)
    {
        if (bounds.Points is { } points)
        {
            foreach (var point in points)
            {
                foreach (var entry in Range(point, point))
                {
                    yield return entry.RecordId;
                }
            }

            yield break;
        }

        // An exclusive end ($lt, $gt) skips the keys equal to it, as mongod's open interval does, instead of
        // handing them to the filter to reject (keys examined would count them).
        var lowerEnd = new IndexEntry(bounds.Lower ?? BsonMinKey.Value, long.MinValue);
        var upperEnd = new IndexEntry(bounds.Upper ?? BsonMaxKey.Value, long.MinValue);
        foreach (var entry in Range(bounds.Lower ?? BsonMinKey.Value, bounds.Upper ?? BsonMaxKey.Value))
        {
            if ((!bounds.LowerInclusive && bounds.Lower is not null && IndexEntry.CompareFirst(entry, lowerEnd) == 0)
                || (!bounds.UpperInclusive && bounds.Upper is not null && IndexEntry.CompareFirst(entry, upperEnd) == 0))
            {
                continue;
            }

            yield return entry.RecordId;
        }
    }

    /// <summary>The leading field's direction in the key pattern (1 or -1).</summary>
    public int LeadingDirection => _directions[0] > 0 ? 1 : -1;

    /// <summary>The entries within <paramref name="bounds"/> (all when null), in index order or reversed; the caller must not change the
    /// index meanwhile.</summary>
    public IEnumerable<IndexEntry> Scan(IndexBounds? bounds, bool forward)
    {
        Interlocked.Increment(ref _accesses);
        return Range(bounds?.Lower ?? BsonMinKey.Value, bounds?.Upper ?? BsonMaxKey.Value, forward);
    }

    private IEnumerable<IndexEntry> Range(BsonValue low, BsonValue high, bool forward = true)
    {
        var first = _directions[0] > 0 ? low : high;
        var last = _directions[0] > 0 ? high : low;
        var lower = new BsonValue[_fields.Length];
        var upper = new BsonValue[_fields.Length];
        lower[0] = first;
        upper[0] = last;
        for (var i = 1; i < _fields.Length; i++)
        {
            lower[i] = _directions[i] > 0 ? BsonMinKey.Value : BsonMaxKey.Value;
            upper[i] = _directions[i] > 0 ? BsonMaxKey.Value : BsonMinKey.Value;
        }

        var from = new IndexEntry(lower, long.MinValue);
        var to = new IndexEntry(upper, long.MaxValue);
        return forward ? _entries.Between(from, to) : _entries.BetweenDescending(from, to);
    }

    public int EntryCount => _entries.Count;
}
