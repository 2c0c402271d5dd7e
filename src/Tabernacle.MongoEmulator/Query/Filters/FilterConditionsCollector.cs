using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>
/// Gathers the top-level equality and range conditions of a filter while it is compiled: upserts seed documents
/// from the equalities and the storage layer picks indexes from the bounds.
/// </summary>
internal sealed class FilterConditionsCollector
{
    private readonly bool _stringsAreCollated;

    public FilterConditionsCollector(Collation? collation) => _stringsAreCollated = collation is not null;

    public Dictionary<string, BsonValue> Equalities { get; } = new(StringComparer.Ordinal);

    /// <summary>Paths that carry more than one equality (upsert cannot choose a value for them).</summary>
    public HashSet<string> AmbiguousEqualityPaths { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, IndexBounds> Bounds { get; } = new(StringComparer.Ordinal);

    /// <summary>Both sides of the range conditions on a path, intersected: valid for indexes that hold no arrays.</summary>
    public Dictionary<string, IndexBounds> IntersectedBounds { get; } = new(StringComparer.Ordinal);

    public void Collect(string path, ValueMatcher matcher)
    {
        switch (matcher)
        {
            case EqualityMatcher equality:
                AddEquality(path, equality.Target);
                if (IsIndexablePoint(equality.Target))
                {
                    Bounds[path] = new IndexBounds([equality.Target], null, false, null, false);
                }

                break;
            case ComparisonMatcher comparison:
                AddRange(path, comparison);
                break;
            case InMatcher @in:
                AddPoints(path, @in);
                break;
            case AllOfMatcher { IsArrayContainment: false } all:
                foreach (var condition in all.Conditions)
                {
                    Collect(path, condition);
                }

                break;
        }
    }

    private void AddEquality(string path, BsonValue value)
    {
        if (Equalities.TryGetValue(path, out var existing))
        {
            if (!existing.Equals(value))
            {
                AmbiguousEqualityPaths.Add(path);
            }

            return;
        }

        Equalities[path] = value;
    }

    private void AddPoints(string path, InMatcher @in)
    {
        if (@in.HasRegex || (Bounds.TryGetValue(path, out var existing) && existing.Points is not null))
        {
            return;
        }

        foreach (var value in @in.Values)
        {
            if (!IsIndexablePoint(value))
            {
                return;
            }
        }

        Bounds[path] = new IndexBounds(@in.Values, null, false, null, false);
    }

    private void AddRange(string path, ComparisonMatcher comparison)
    {
        AddIntersected(path, comparison);

        // Only the first range condition on a path becomes a bound: a document whose array holds 0 and 10 matches
        // {$gt: 1, $lt: 5} through two different elements, so intersecting both sides would lose it.
        if (Bounds.ContainsKey(path) || !IsIndexablePoint(comparison.Target))
        {
            return;
        }

        Bounds[path] = comparison.Operator switch
        {
            "$gt" => new IndexBounds(null, comparison.Target, false, null, false),
            "$gte" => new IndexBounds(null, comparison.Target, true, null, false),
            "$lt" => new IndexBounds(null, null, false, comparison.Target, false),
            _ => new IndexBounds(null, null, false, comparison.Target, true),
        };
    }

    private void AddIntersected(string path, ComparisonMatcher comparison)
    {
        if (!IsIndexablePoint(comparison.Target))
        {
            return;
        }

        IntersectedBounds.TryGetValue(path, out var current);
        current ??= new IndexBounds(null, null, false, null, false);
        var comparer = BsonValueComparer.Default;
        IntersectedBounds[path] = comparison.Operator switch
        {
            "$gt" or "$gte" when current.Lower is null || comparer.Compare(comparison.Target, current.Lower) > 0
                => current with { Lower = comparison.Target, LowerInclusive = comparison.Operator == "$gte" },
            "$lt" or "$lte" when current.Upper is null || comparer.Compare(comparison.Target, current.Upper) < 0
                => current with { Upper = comparison.Target, UpperInclusive = comparison.Operator == "$lte" },
            _ => current,
        };
    }

    /// <summary>
    /// Values an index lookup can use as is. Null (which also means missing), arrays (which match whole or by element),
    /// regexes, MinKey/MaxKey and, under a collation, strings need the full filter and are left out.
    /// </summary>
    private bool IsIndexablePoint(BsonValue value) => value.BsonType switch
    {
        BsonType.Null or BsonType.Undefined or BsonType.Array or BsonType.RegularExpression or BsonType.MinKey or BsonType.MaxKey => false,
        BsonType.String or BsonType.Symbol => !_stringsAreCollated,
        BsonType.Document => !_stringsAreCollated,
        _ => true,
    };
}
