using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>One node of a compiled filter tree: decides whether a whole document matches.</summary>
internal abstract class FilterNode
{
    /// <summary>
    /// Whether <paramref name="document"/> matches. <paramref name="details"/>, when given, receives the array position
    /// that satisfied a path condition (for the positional <c>$</c>).
    /// </summary>
    public abstract bool Matches(BsonDocument document, MatchDetails? details);
}

/// <summary>A value predicate on one path value; the path traversal (arrays, missing fields) lives in <see cref="PathNode"/>.</summary>
internal abstract class ValueMatcher
{
    /// <summary>
    /// Whether an array found at the end of the path is also tested element by element (true for most operators;
    /// false for <c>$size</c> and <c>$elemMatch</c>, which look at the array itself).
    /// </summary>
    public virtual bool ExpandsArrays => true;

    /// <summary>Whether <paramref name="value"/> satisfies the predicate; <c>null</c> means the field is missing.</summary>
    public abstract bool Matches(BsonValue? value);
}

/// <summary>A matcher that tests an array as a whole but can say which element satisfied it (<c>$elemMatch</c>).</summary>
internal interface IArrayPositionMatcher
{
    /// <summary>The index of the first element that satisfies the matcher, or -1.</summary>
    int IndexOfMatch(BsonArray array);
}
