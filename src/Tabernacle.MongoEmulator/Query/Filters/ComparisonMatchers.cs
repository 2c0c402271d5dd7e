using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>
/// <c>$eq</c> (and the implicit <c>{field: value}</c>): equal values of the same canonical type; <c>null</c> also
/// matches a missing field and <c>undefined</c>.
/// </summary>
internal sealed class EqualityMatcher(BsonValue target, BsonValueComparer comparer) : ValueMatcher
{
    private readonly bool _targetIsNull = target.BsonType is BsonType.Null;

    public BsonValue Target { get; } = target;

    public override bool Matches(BsonValue? value)
    {
        if (value is null)
        {
            return _targetIsNull;
        }

        return ComparisonMatcher.SameTypeBracket(value, Target) && comparer.Compare(value, Target) == 0;
    }
}

/// <summary>The range operators <c>$gt $gte $lt $lte</c>, which only compare values of the same canonical type.</summary>
internal sealed class ComparisonMatcher : ValueMatcher
{
    private readonly BsonValueComparer _comparer;
    private readonly bool _acceptLess;
    private readonly bool _acceptEqual;
    private readonly bool _acceptGreater;
    private readonly bool _crossesTypes;
    private readonly bool _targetIsNaN;

    public ComparisonMatcher(string op, BsonValue target, BsonValueComparer comparer)
    {
        Operator = op;
        Target = target;
        _comparer = comparer;
        _acceptLess = op is "$lt" or "$lte";
        _acceptGreater = op is "$gt" or "$gte";
        _acceptEqual = op is "$gte" or "$lte";

        // MinKey and MaxKey bound every type, so comparisons against them cross type brackets.
        _crossesTypes = target.BsonType is BsonType.MinKey or BsonType.MaxKey;
        _targetIsNaN = IsNaN(target);
    }

    public string Operator { get; }

    public BsonValue Target { get; }

    public override bool Matches(BsonValue? value)
    {
        if (value is null)
        {
            // A missing field compares equal to null (and sorts like MinKey < missing for the MinKey bound).
            return Target.BsonType switch
            {
                BsonType.Null or BsonType.Undefined => _acceptEqual,
                BsonType.MinKey => _acceptGreater,
                BsonType.MaxKey => _acceptLess,
                _ => false,
            };
        }

        if (!_crossesTypes && !SameTypeBracket(value, Target))
        {
            return false;
        }

        if (_targetIsNaN || IsNaN(value))
        {
            // NaN only equals NaN; it is neither greater nor smaller than any number.
            return _acceptEqual && _targetIsNaN && IsNaN(value);
        }

        var cmp = _comparer.Compare(value, Target);
        return cmp < 0 ? _acceptLess : cmp > 0 ? _acceptGreater : _acceptEqual;
    }

    /// <summary>Whether two values are in the same canonical type bracket (null and undefined share one).</summary>
    public static bool SameTypeBracket(BsonValue a, BsonValue b)
    {
        var rankA = BsonValueComparer.CanonicalTypeRank(a);
        var rankB = BsonValueComparer.CanonicalTypeRank(b);
        return rankA == rankB || (rankA is 2 or 5 && rankB is 2 or 5);
    }

    private static bool IsNaN(BsonValue value) => value.BsonType switch
    {
        BsonType.Double => double.IsNaN(value.AsDouble),
        BsonType.Decimal128 => Decimal128.IsNaN(value.AsDecimal128),
        _ => false,
    };
}

/// <summary><c>$in</c>: equality to any listed value (hashed for long lists) or a match of any listed regex.</summary>
internal sealed class InMatcher : ValueMatcher
{
    private readonly HashSet<BsonValue> _values;
    private readonly RegexMatcher[] _regexes;
    private readonly bool _matchesNull;

    public InMatcher(IReadOnlyList<BsonValue> values, IReadOnlyList<RegexMatcher> regexes, BsonValueComparer comparer)
    {
        _values = new HashSet<BsonValue>(values, comparer);
        _regexes = [.. regexes];
        _matchesNull = false;
        foreach (var value in values)
        {
            _matchesNull |= value.BsonType == BsonType.Null;
        }

        Values = values;
    }

    public IReadOnlyList<BsonValue> Values { get; }

    public bool HasRegex => _regexes.Length > 0;

    public override bool Matches(BsonValue? value)
    {
        if (value is null)
        {
            return _matchesNull;
        }

        if (_values.Contains(value))
        {
            return true;
        }

        foreach (var regex in _regexes)
        {
            if (regex.Matches(value))
            {
                return true;
            }
        }

        return false;
    }
}
