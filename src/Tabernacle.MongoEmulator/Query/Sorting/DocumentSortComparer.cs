using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Sorting;

/// <summary>
/// MongoDB's document order for <c>find</c>'s <c>sort</c> and the <c>$sort</c> stage: each key is a dotted path; a
/// missing value sorts as null; an array contributes its smallest element when ascending and its largest when
/// descending; an empty array sorts below null. Strings compare with the collation.
/// </summary>
internal sealed class DocumentSortComparer : IComparer<BsonDocument>
{
    // The sort key of an empty array: below null (and above MinKey), as the manual's comparison order says.
    private static readonly BsonValue EmptyArrayKey = new BsonArray();

    private readonly SortKey[] _keys;
    private readonly BsonValueComparer _comparer;

    private DocumentSortComparer(SortKey[] keys, BsonValueComparer comparer)
    {
        _keys = keys;
        _comparer = comparer;
    }

    /// <summary>The number of sort keys.</summary>
    public int KeyCount => _keys.Length;

    /// <summary>Parses a sort specification; an empty one compares every document as equal.</summary>
    public static DocumentSortComparer Compile(BsonDocument sortSpec, Collation? collation = null)
    {
        ArgumentNullException.ThrowIfNull(sortSpec);
        var keys = new SortKey[sortSpec.ElementCount];
        for (var i = 0; i < sortSpec.ElementCount; i++)
        {
            var element = sortSpec.GetElement(i);
            if (element.Name.Length == 0)
            {
                throw new MongoErrorException(ErrorCodes.BadValue, "$sort: empty field names are not allowed");
            }

            keys[i] = new SortKey(element.Name.Split('.'), ParseDirection(element));
        }

        return new DocumentSortComparer(keys, BsonValueComparer.For(collation));
    }

    private static int ParseDirection(BsonElement element)
    {
        var value = element.Value;
        if (value is BsonDocument meta)
        {
            if (meta.ElementCount == 1 && meta.GetElement(0).Name == "$meta")
            {
                throw new MongoErrorException(ErrorCodes.CommandNotSupported, $"$meta sort ({meta}) is not supported by the emulator");
            }

            throw new MongoErrorException(17312, "$meta is the only expression supported by $sort right now");
        }

        if (!Numbers.IsNumberValue(value))
        {
            throw new MongoErrorException(15974, $"Illegal key in $sort specification: {element.Name}: {value}");
        }

        var number = BsonValueComparer.ToDouble(value);
        if (number is not (1 or -1))
        {
            throw new MongoErrorException(15975, "$sort key ordering must be 1 (for ascending) or -1 (for descending)");
        }

        return (int)number;
    }

    /// <inheritdoc />
    public int Compare(BsonDocument? x, BsonDocument? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        foreach (var key in _keys)
        {
            var cmp = CompareKeys(ExtractKey(x, key), ExtractKey(y, key)) * key.Direction;
            if (cmp != 0)
            {
                return cmp;
            }
        }

        return 0;
    }

    /// <summary>The documents in sort order; documents with equal keys keep their input order.</summary>
    public List<BsonDocument> Sort(IEnumerable<BsonDocument> documents) => Sort(documents, static d => d);

    /// <summary>The items in the sort order of their documents; items with equal keys keep their input order.</summary>
    public List<T> Sort<T>(IEnumerable<T> items, Func<T, BsonDocument> document)
    {
        // Extract every key once (not once per comparison), then sort indexes with the input position as tie-breaker.
        var list = items as List<T> ?? [.. items];
        if (_keys.Length == 0)
        {
            return list;
        }

        var keys = new BsonValue[list.Count * _keys.Length];
        for (var i = 0; i < list.Count; i++)
        {
            var current = document(list[i]);
            for (var k = 0; k < _keys.Length; k++)
            {
                keys[(i * _keys.Length) + k] = ExtractKey(current, _keys[k]);
            }
        }

        var order = new int[list.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            for (var k = 0; k < _keys.Length; k++)
            {
                var cmp = CompareKeys(keys[(a * _keys.Length) + k], keys[(b * _keys.Length) + k]) * _keys[k].Direction;
                if (cmp != 0)
                {
                    return cmp;
                }
            }

            return a.CompareTo(b);
        });

        var result = new List<T>(list.Count);
        foreach (var index in order)
        {
            result.Add(list[index]);
        }

        return result;
    }

    /// <summary>The first <paramref name="limit"/> documents in sort order, without sorting the rest (for <c>$sort</c> +
    /// <c>$limit</c>).</summary>
    public List<BsonDocument> Top(IEnumerable<BsonDocument> documents, int limit) => Top(documents, static d => d, limit);

    /// <summary>
    /// The first <paramref name="limit"/> items in the sort order of their documents, without sorting the rest: memory
    /// stays O(limit) and time O(n log limit) however many items stream through (find's sort + limit, $sort + $limit).
    /// </summary>
    public List<T> Top<T>(IEnumerable<T> items, Func<T, BsonDocument> document, int limit)
    {
        // A bounded buffer that is re-sorted when it doubles; the sort is stable, so ties keep their input order.
        var buffer = new List<T>();
        foreach (var item in items)
        {
            buffer.Add(item);
            if (buffer.Count >= Math.Max(limit * 2, 64))
            {
                buffer = Sort(buffer, document);
                buffer.RemoveRange(limit, buffer.Count - limit);
            }
        }

        buffer = Sort(buffer, document);
        if (buffer.Count > limit)
        {
            buffer.RemoveRange(limit, buffer.Count - limit);
        }

        return buffer;
    }

    private int CompareKeys(BsonValue x, BsonValue y)
    {
        var xEmpty = ReferenceEquals(x, EmptyArrayKey);
        var yEmpty = ReferenceEquals(y, EmptyArrayKey);
        if (xEmpty || yEmpty)
        {
            if (xEmpty && yEmpty)
            {
                return 0;
            }

            var other = xEmpty ? y : x;
            var sign = other.BsonType == BsonType.MinKey ? 1 : -1;
            return xEmpty ? sign : -sign;
        }

        return _comparer.Compare(x, y);
    }

    /// <summary>The value a document sorts by for one key: the extreme of every value found along the path.</summary>
    private BsonValue ExtractKey(BsonDocument document, SortKey key)
    {
        BsonValue? best = null;
        var sawEmptyArray = false;
        var sawValue = false;
        Collect(document, key.Path, 0, key.Direction, ref best, ref sawEmptyArray, ref sawValue);
        if (best is not null)
        {
            return best;
        }

        return sawEmptyArray && !sawValue ? EmptyArrayKey : BsonNull.Value;
    }

    private void Collect(BsonValue value, string[] path, int index, int direction, ref BsonValue? best, ref bool sawEmptyArray,
        ref bool sawValue)
    {
        if (index == path.Length)
        {
            if (value is BsonArray leaf)
            {
                if (leaf.Count == 0)
                {
                    sawEmptyArray = true;
                    return;
                }

                // The elements of a terminal array are the candidates (an inner array is compared as a whole).
                foreach (var item in leaf)
                {
                    Consider(item, direction, ref best);
                }

                sawValue = true;
                return;
            }

            Consider(value, direction, ref best);
            sawValue = true;
            return;
        }

        switch (value)
        {
            case BsonDocument document:
                if (document.TryGetValue(path[index], out var next))
                {
                    Collect(next, path, index + 1, direction, ref best, ref sawEmptyArray, ref sawValue);
                }
                else
                {
                    Consider(BsonNull.Value, direction, ref best);
                    sawValue = true;
                }

                break;
            case BsonArray array:
                if (array.Count == 0)
                {
                    sawEmptyArray = true;
                    break;
                }

                // A numeric path part may also index the array ("a.0"); otherwise the path maps over its elements.
                if (int.TryParse(path[index], out var position) && position >= 0 && position < array.Count
                    && path[index].All(char.IsAsciiDigit))
                {
                    Collect(array[position], path, index + 1, direction, ref best, ref sawEmptyArray, ref sawValue);
                    break;
                }

                foreach (var item in array)
                {
                    if (item is BsonDocument or BsonArray)
                    {
                        Collect(item, path, index, direction, ref best, ref sawEmptyArray, ref sawValue);
                    }
                    else
                    {
                        Consider(BsonNull.Value, direction, ref best);
                        sawValue = true;
                    }
                }

                break;
            default:
                Consider(BsonNull.Value, direction, ref best);
                sawValue = true;
                break;
        }
    }

    private void Consider(BsonValue candidate, int direction, ref BsonValue? best)
    {
        if (best is null)
        {
            best = candidate;
            return;
        }

        var cmp = _comparer.Compare(candidate, best);
        if (direction > 0 ? cmp < 0 : cmp > 0)
        {
            best = candidate;
        }
    }

    private sealed record SortKey(string[] Path, int Direction);
}
