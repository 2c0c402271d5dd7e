using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>
/// A compiled MongoDB query filter (<c>find</c>'s <c>filter</c>, <c>update</c>'s <c>q</c>, <c>$match</c>).
/// Compile once per command, then test each document.
/// </summary>
internal sealed class QueryFilter
{
    private readonly FilterNode _root;

    private QueryFilter()
    {
        _root = ConstantNode.True;
    }

    private QueryFilter(FilterNode root, FilterConditionsCollector conditions)
    {
        _root = root;
        EqualityConditions = conditions.Equalities;
        IndexableConditions = conditions.Bounds;
        IntersectedRangeConditions = conditions.IntersectedBounds;
        AmbiguousEqualityPaths = conditions.AmbiguousEqualityPaths;
    }

    /// <summary>A filter that matches every document (the empty filter <c>{}</c>).</summary>
    public static QueryFilter MatchAll { get; } = new();

    /// <summary>
    /// Compiles <paramref name="filter"/>. Throws <see cref="Errors.MongoErrorException"/> with MongoDB's code
    /// (2 BadValue for an unknown operator, naming it) when the filter is invalid.
    /// </summary>
    public static QueryFilter Compile(BsonDocument filter, Collation? collation = null, BsonDocument? variables = null)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var conditions = new FilterConditionsCollector(collation);
        var root = new FilterCompiler(collation, variables).ParseFilter(filter, conditions);
        return new QueryFilter(root, conditions);
    }

    /// <summary>Whether <paramref name="document"/> matches.</summary>
    public bool Matches(BsonDocument document) => Matches(document, null);

    /// <summary>
    /// Whether <paramref name="document"/> matches; when <paramref name="details"/> is given it receives the index of
    /// the array element that satisfied the filter (for the positional <c>$</c> operator of updates and projections).
    /// </summary>
    public bool Matches(BsonDocument document, MatchDetails? details)
    {
        ArgumentNullException.ThrowIfNull(document);
        return _root.Matches(document, details);
    }

    /// <summary>
    /// The top-level equality conditions of the filter (<c>{a: 1}</c>, <c>{a: {$eq: 1}}</c>, the same inside a top-level
    /// <c>$and</c>), by dotted path. Upserts seed new documents from them and the storage layer uses them to pick an index.
    /// </summary>
    public IReadOnlyDictionary<string, BsonValue> EqualityConditions { get; } = new Dictionary<string, BsonValue>();

    /// <summary>
    /// The top-level range conditions on a path (<c>$gt/$gte/$lt/$lte</c>, and <c>$in</c> as a list of points), for index
    /// selection. A document that matches the filter always satisfies these bounds.
    /// </summary>
    public IReadOnlyDictionary<string, IndexBounds> IndexableConditions { get; } = new Dictionary<string, IndexBounds>();

    /// <summary>
    /// Every range condition on a path intersected into one interval. Only an index whose keys never came from an array
    /// (not multikey) may use it: an array can satisfy <c>{$gt: 1, $lt: 5}</c> through two different elements.
    /// </summary>
    public IReadOnlyDictionary<string, IndexBounds> IntersectedRangeConditions { get; } = new Dictionary<string, IndexBounds>();

    /// <summary>Paths the filter constrains to two different values by equality (an upsert cannot seed them).</summary>
    public IReadOnlyCollection<string> AmbiguousEqualityPaths { get; } = [];
}

/// <summary>What a successful match found, for the positional <c>$</c> operator.</summary>
internal sealed class MatchDetails
{
    /// <summary>The index of the first array element that satisfied the filter, or <c>null</c> when no array was traversed.</summary>
    public int? ElemMatchIndex { get; set; }
}

/// <summary>
/// Bounds on one path that every matching document satisfies: either a set of points (equality, <c>$in</c>)
/// or an interval. Open ends are <c>null</c>.
/// </summary>
internal sealed record IndexBounds(IReadOnlyList<BsonValue>? Points, BsonValue? Lower, bool LowerInclusive, BsonValue? Upper,
    bool UpperInclusive);
