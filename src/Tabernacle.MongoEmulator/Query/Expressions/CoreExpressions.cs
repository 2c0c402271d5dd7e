using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions;

/// <summary>A constant. Documents and arrays are cloned per evaluation so no two outputs share a mutable value.</summary>
internal sealed class LiteralExpression(BsonValue value) : AggregationExpression
{
    private readonly bool _mutable = value.BsonType is BsonType.Document or BsonType.Array;

    public BsonValue Value { get; } = value;

    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) => _mutable ? Value.DeepClone() : Value;
}

/// <summary><c>"$a.b.c"</c>: a path from <c>$$CURRENT</c>, mapping over arrays on the way.</summary>
internal sealed class FieldPathExpression(string[] parts) : AggregationExpression
{
    public string[] Parts { get; } = parts;

    public string Path => string.Join('.', Parts);

    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) => FieldPathResolver.Resolve(root, Parts, 0);
}

/// <summary>
/// MongoDB's expression path semantics: a missing field is missing; an array met on the way maps the rest of the path
/// over its document elements (dropping elements where it is missing and scalars) and nests over inner arrays.
/// </summary>
internal static class FieldPathResolver
{
    public static BsonValue? Resolve(BsonValue value, string[] parts, int start)
    {
        var current = value;
        for (var i = start; i < parts.Length; i++)
        {
            switch (current)
            {
                case BsonDocument document:
                    if (!document.TryGetValue(parts[i], out var next))
                    {
                        return null;
                    }

                    current = next;
                    break;
                case BsonArray array:
                    return ResolveArray(array, parts, i);
                default:
                    return null;
            }
        }

        return current;
    }

    private static BsonArray ResolveArray(BsonArray array, string[] parts, int start)
    {
        var result = new BsonArray(array.Count);
        foreach (var item in array)
        {
            if (item is BsonDocument document)
            {
                var value = Resolve(document, parts, start);
                if (value is not null)
                {
                    result.Add(value);
                }
            }
            else if (item is BsonArray inner)
            {
                result.Add(ResolveArray(inner, parts, start));
            }
        }

        return result;
    }
}

/// <summary><c>"$$name.path"</c>: a system variable or one bound by <c>let</c>, <c>$let</c>, <c>$map</c>, <c>$filter</c>,
/// <c>$reduce</c>.</summary>
internal abstract class VariableExpression : AggregationExpression
{
    public static AggregationExpression Create(string name, string[] path) => name switch
    {
        "ROOT" or "CURRENT" => new RootVariableExpression(name, path),
        "REMOVE" => new RemoveVariableExpression(),
        "NOW" => new NowVariableExpression(path),
        "CLUSTER_TIME" => new ClusterTimeVariableExpression(path),
        "DESCEND" or "PRUNE" or "KEEP" => new LiteralExpression(name.ToLowerInvariant()),
        _ => ValidateUserVariable(name, path),
    };

    private static UserVariableExpression ValidateUserVariable(string name, string[] path)
    {
        if (!VariableNames.IsValidUserName(name))
        {
            throw new MongoErrorException(17276, $"Use of undefined variable: {name}");
        }

        return new UserVariableExpression(name, path);
    }

    protected static BsonValue? Follow(BsonValue? value, string[] path) =>
        value is null || path.Length == 0 ? value : FieldPathResolver.Resolve(value, path, 0);
}

/// <summary>Rules for user variable names: a lowercase letter (or non-ASCII) first, then letters, digits and underscores.</summary>
internal static class VariableNames
{
    public static bool IsValidUserName(string name)
    {
        if (name.Length == 0 || !(char.IsLower(name[0]) || name[0] > 127))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_' || c > 127))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Validates a name bound by <c>let</c>, <c>$let</c>, <c>as</c>; MongoDB reports code 16867 for a bad one.</summary>
    public static string Validate(string name)
    {
        if (!IsValidUserName(name))
        {
            throw new MongoErrorException(16867, $"'{name}' starts with an invalid character for a user variable name");
        }

        return name;
    }
}

internal sealed class RootVariableExpression(string name, string[] path) : VariableExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
    {
        // $redact and $let may rebind CURRENT/ROOT; otherwise both are the document being evaluated.
        if (scope is not null && scope.TryGet(name, out var bound))
        {
            return Follow(bound, path);
        }

        return Follow(root, path);
    }
}

internal sealed class RemoveVariableExpression : VariableExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) => null;
}

internal sealed class NowVariableExpression(string[] path) : VariableExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) =>
        Follow(new BsonDateTime(scope?.Now ?? DateTime.UtcNow), path);
}

internal sealed class ClusterTimeVariableExpression(string[] path) : VariableExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) =>
        Follow(scope?.ClusterTime ?? new BsonTimestamp((int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds()), 1), path);
}

internal sealed class UserVariableExpression(string name, string[] path) : VariableExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
    {
        if (scope is null || !scope.TryGet(name, out var value))
        {
            throw new MongoErrorException(17276, $"Use of undefined variable: {name}");
        }

        return Follow(value, path);
    }
}

/// <summary><c>{a: expr, b: expr}</c>: builds a document; fields whose value is missing are left out.</summary>
internal sealed class ObjectExpression(string[] names, AggregationExpression[] values) : AggregationExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
    {
        var result = new BsonDocument(allowDuplicateNames: false);
        for (var i = 0; i < names.Length; i++)
        {
            var value = values[i].Evaluate(root, scope);
            if (value is not null)
            {
                result.Set(names[i], value);
            }
        }

        return result;
    }
}

/// <summary><c>[expr, expr]</c>: builds an array; a missing element becomes null, as in MongoDB.</summary>
internal sealed class ArrayExpression(AggregationExpression[] items) : AggregationExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
    {
        var result = new BsonArray(items.Length);
        foreach (var item in items)
        {
            result.Add(item.Evaluate(root, scope) ?? BsonNull.Value);
        }

        return result;
    }
}
