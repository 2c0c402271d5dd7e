using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary><c>$exists: true</c> (<c>$exists: false</c> is its negation).</summary>
internal sealed class ExistsMatcher : ValueMatcher
{
    public static ExistsMatcher Instance { get; } = new();

    public override bool Matches(BsonValue? value) => value is not null;
}

/// <summary><c>$type</c>: BSON type codes or aliases, "number" for any numeric type.</summary>
internal sealed class TypeMatcher(int[] codes, bool matchesAnyNumber) : ValueMatcher
{
    public override bool Matches(BsonValue? value)
    {
        if (value is null)
        {
            return false;
        }

        if (matchesAnyNumber && BsonTypeNames.IsNumber(value))
        {
            return true;
        }

        var code = BsonTypeNames.CodeOf(value);
        foreach (var candidate in codes)
        {
            if (candidate == code)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary><c>$mod: [divisor, remainder]</c> on numbers, both truncated to integers as MongoDB does.</summary>
internal sealed class ModMatcher(long divisor, long remainder) : ValueMatcher
{
    public override bool Matches(BsonValue? value)
    {
        if (value is null || !BsonTypeNames.IsNumber(value))
        {
            return false;
        }

        long number;
        if (value.BsonType is BsonType.Int32 or BsonType.Int64)
        {
            number = value.ToInt64();
        }
        else
        {
            var d = BsonValueComparer.ToDouble(value);
            if (double.IsNaN(d) || double.IsInfinity(d))
            {
                return false;
            }

            number = (long)Math.Truncate(d);
        }

        // long.MinValue % -1 overflows in .NET; mathematically it is 0.
        return (divisor == -1 ? 0 : number % divisor) == remainder;
    }
}

/// <summary><c>$size</c>: arrays of exactly n elements (never expanded, never anything but an array).</summary>
internal sealed class SizeMatcher(int size) : ValueMatcher
{
    public override bool ExpandsArrays => false;

    public override bool Matches(BsonValue? value) => value is BsonArray array && array.Count == size;
}

/// <summary>
/// <c>$elemMatch</c> with a query document (<c>{$elemMatch: {b: 1, c: {$gt: 2}}}</c>): some element is a document
/// matching the whole query.
/// </summary>
internal sealed class ElemMatchObjectMatcher(FilterNode query) : ValueMatcher, IArrayPositionMatcher
{
    public override bool ExpandsArrays => false;

    public override bool Matches(BsonValue? value) => value is BsonArray array && IndexOfMatch(array) >= 0;

    public int IndexOfMatch(BsonArray array)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is BsonDocument document && query.Matches(document, null))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary><c>$elemMatch</c> with operators (<c>{$elemMatch: {$gte: 80, $lt: 85}}</c>): one element satisfies them all.</summary>
internal sealed class ElemMatchValueMatcher(ValueMatcher[] conditions) : ValueMatcher, IArrayPositionMatcher
{
    public override bool ExpandsArrays => false;

    public override bool Matches(BsonValue? value) => value is BsonArray array && IndexOfMatch(array) >= 0;

    public int IndexOfMatch(BsonArray array)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (AllMatch(array[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private bool AllMatch(BsonValue element)
    {
        foreach (var condition in conditions)
        {
            if (!condition.Matches(element))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Several operators on one value. On a path each operator traverses the path independently
/// (<c>{a: {$gt: 1, $lt: 5}}</c> matches <c>[0, 10]</c>); applied to a single element they must all hold.
/// </summary>
internal sealed class AllOfMatcher(ValueMatcher[] conditions, bool isArrayContainment = false) : ValueMatcher
{
    public ValueMatcher[] Conditions { get; } = conditions;

    /// <summary>Whether this is <c>$all</c>, whose values are not equality conditions an upsert could seed.</summary>
    public bool IsArrayContainment { get; } = isArrayContainment;

    public override bool Matches(BsonValue? value)
    {
        foreach (var condition in Conditions)
        {
            if (!condition.Matches(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Negation (<c>$not</c>, <c>$ne</c>, <c>$nin</c>, <c>$exists: false</c>). On a path it negates the whole path
/// condition (<c>{a: {$ne: 1}}</c> rejects <c>[1, 2]</c>); inside <c>$elemMatch</c> it negates per element.
/// </summary>
internal sealed class NotMatcher(ValueMatcher inner) : ValueMatcher
{
    public ValueMatcher Inner { get; } = inner;

    public override bool Matches(BsonValue? value) => !Inner.Matches(value);
}

/// <summary>A constant (<c>$all: []</c> never matches).</summary>
internal sealed class ConstantMatcher(bool result) : ValueMatcher
{
    public override bool Matches(BsonValue? value) => result;
}
