using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Projection;

/// <summary>What a projection does with the field at the end of one path.</summary>
internal abstract class ProjectionLeaf
{
    /// <summary>The projected value of the field, or <c>null</c> to leave it out.</summary>
    public abstract BsonValue? Project(BsonValue value, ProjectionContext context);
}

/// <summary>Per-document state: the root (for expressions) and the query's match (for the positional <c>$</c>).</summary>
internal sealed record ProjectionContext(BsonDocument Root, MatchDetails? Match, ExpressionScope Scope);

/// <summary><c>field: 1</c>: the value as it is.</summary>
internal sealed class IncludeLeaf : ProjectionLeaf
{
    public static IncludeLeaf Instance { get; } = new();

    public override BsonValue? Project(BsonValue value, ProjectionContext context) => value.DeepClone();
}

/// <summary><c>field: 0</c>: left out.</summary>
internal sealed class ExcludeLeaf : ProjectionLeaf
{
    public static ExcludeLeaf Instance { get; } = new();

    public override BsonValue? Project(BsonValue value, ProjectionContext context) => null;
}

/// <summary><c>{$slice: n}</c> or <c>{$slice: [skip, limit]}</c>: part of an array; other values pass unchanged.</summary>
internal sealed class SliceLeaf(int skip, int? limit) : ProjectionLeaf
{
    public static SliceLeaf Parse(BsonValue argument)
    {
        if (BsonTypeNames.IsNumber(argument))
        {
            var n = ToInt(argument);
            return n >= 0 ? new SliceLeaf(0, n) : new SliceLeaf(n, null);
        }

        if (argument is BsonArray { Count: 2 } pair && BsonTypeNames.IsNumber(pair[0]) && BsonTypeNames.IsNumber(pair[1]))
        {
            var limit = ToInt(pair[1]);
            if (limit <= 0)
            {
                throw new MongoErrorException(ErrorCodes.BadValue, $"$slice limit must be positive");
            }

            return new SliceLeaf(ToInt(pair[0]), limit);
        }

        throw new MongoErrorException(ErrorCodes.BadValue, "$slice only supports numbers and [skip, limit] arrays");
    }

    private static int ToInt(BsonValue value) => (int)Math.Clamp(BsonValueComparer.ToDouble(value), int.MinValue, int.MaxValue);

    public override BsonValue? Project(BsonValue value, ProjectionContext context)
    {
        if (value is not BsonArray array)
        {
            return value.DeepClone();
        }

        // A negative skip counts from the end; a lone negative n is "the last n".
        var start = skip < 0 ? Math.Max(0, array.Count + skip) : Math.Min(skip, array.Count);
        var count = Math.Min(limit ?? (array.Count - start), array.Count - start);
        var result = new BsonArray(count);
        for (var i = start; i < start + count; i++)
        {
            result.Add(array[i].DeepClone());
        }

        return result;
    }
}

/// <summary><c>{$elemMatch: {...}}</c>: the first matching element, as a one-element array; left out when none matches.</summary>
internal sealed class ElemMatchLeaf(IArrayPositionMatcher matcher) : ProjectionLeaf
{
    public override BsonValue? Project(BsonValue value, ProjectionContext context)
    {
        if (value is not BsonArray array)
        {
            return null;
        }

        var index = matcher.IndexOfMatch(array);
        return index < 0 ? null : new BsonArray { array[index].DeepClone() };
    }
}

/// <summary><c>"field.$": 1</c>: the array element the query matched, as a one-element array.</summary>
internal sealed class PositionalLeaf : ProjectionLeaf
{
    public static PositionalLeaf Instance { get; } = new();

    public override BsonValue? Project(BsonValue value, ProjectionContext context)
    {
        if (value is not BsonArray array)
        {
            throw new MongoErrorException(51247, "positional operator '.$' requires corresponding field in query specifier to be an array");
        }

        var index = context.Match?.ElemMatchIndex;
        if (index is null || index.Value >= array.Count)
        {
            throw new MongoErrorException(51246, "positional operator '.$' couldn't find a matching element in the array");
        }

        return new BsonArray { array[index.Value].DeepClone() };
    }
}

/// <summary>A computed field (an aggregation expression or a literal), evaluated against the whole document.</summary>
internal sealed class ComputedLeaf : ProjectionLeaf
{
    private readonly BsonValue? _constant;
    private readonly AggregationExpression? _expression;

    public ComputedLeaf(BsonValue specification, Collation? collation)
    {
        // Literals need no expression engine: strings not starting with '$', scalars, and $literal.
        if (specification is BsonDocument { ElementCount: 1 } literal && literal.GetElement(0).Name == "$literal")
        {
            _constant = literal[0];
        }
        else if (specification is not (BsonDocument or BsonArray) && !(specification.IsString && specification.AsString.StartsWith('$')))
        {
            _constant = specification;
        }
        else
        {
            _expression = AggregationExpression.Compile(specification, new ExpressionCompileContext(collation));
        }
    }

    public override BsonValue? Project(BsonValue value, ProjectionContext context) => Evaluate(context);

    public BsonValue? Evaluate(ProjectionContext context) =>
        _constant?.DeepClone() ?? _expression!.Evaluate(context.Root, context.Scope);
}
