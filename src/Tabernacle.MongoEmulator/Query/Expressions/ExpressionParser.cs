using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions;

/// <summary>
/// Turns the BSON form of an expression into a tree of nodes once, so evaluation never re-reads the specification:
/// <c>"$path"</c> and <c>"$$var"</c> strings, operator objects (<c>{$op: args}</c>), field objects and arrays;
/// everything else is a literal.
/// </summary>
internal static class ExpressionParser
{
    public static AggregationExpression Parse(BsonValue value, ExpressionCompileContext context)
    {
        switch (value.BsonType)
        {
            case BsonType.String:
                return ParseString(value.AsString, value);
            case BsonType.Document:
                return ParseDocument(value.AsBsonDocument, context);
            case BsonType.Array:
                return ParseArray(value.AsBsonArray, context);
            default:
                return new LiteralExpression(value);
        }
    }

    /// <summary>Parses each element of an operator's argument list (a non-array argument is a list of one).</summary>
    public static AggregationExpression[] ParseArguments(BsonValue argument, ExpressionCompileContext context)
    {
        if (argument is BsonArray array)
        {
            var result = new AggregationExpression[array.Count];
            for (var i = 0; i < array.Count; i++)
            {
                result[i] = Parse(array[i], context);
            }

            return result;
        }

        return [Parse(argument, context)];
    }

    private static AggregationExpression ParseString(string text, BsonValue original)
    {
        if (text.Length == 0 || text[0] != '$')
        {
            return new LiteralExpression(original);
        }

        if (text.StartsWith("$$", StringComparison.Ordinal))
        {
            var parts = text[2..].Split('.');
            ValidatePathParts(parts, text);
            return VariableExpression.Create(parts[0], parts.Length > 1 ? parts[1..] : []);
        }

        if (text.Length == 1)
        {
            throw new MongoErrorException(16872, "'$' by itself is not a valid FieldPath");
        }

        var fieldParts = text[1..].Split('.');
        ValidatePathParts(fieldParts, text);
        return new FieldPathExpression(fieldParts);
    }

    private static void ValidatePathParts(string[] parts, string text)
    {
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                throw new MongoErrorException(15998, $"FieldPath field names may not be empty strings. ('{text}')");
            }
        }

        for (var i = 1; i < parts.Length; i++)
        {
            if (parts[i][0] == '$')
            {
                throw new MongoErrorException(16410,
                    $"FieldPath field names may not start with '$'. Consider using $getField or $setField. ('{text}')");
            }
        }
    }

    private static AggregationExpression ParseDocument(BsonDocument document, ExpressionCompileContext context)
    {
        if (document.ElementCount > 0 && document.GetElement(0).Name.StartsWith('$'))
        {
            if (document.ElementCount != 1)
            {
                throw new MongoErrorException(15983,
                    $"an expression specification must contain exactly one field, the name of the expression. Found " +
                        $"{document.ElementCount} fields in {document.ToJson()}");
            }

            var element = document.GetElement(0);
            return ExpressionOperatorRegistry.Compile(element.Name, element.Value, context);
        }

        var names = new string[document.ElementCount];
        var values = new AggregationExpression[document.ElementCount];
        for (var i = 0; i < document.ElementCount; i++)
        {
            var element = document.GetElement(i);
            if (element.Name.StartsWith('$'))
            {
                throw new MongoErrorException(16404,
                    $"a field name in an expression object may not start with '$', found '{element.Name}'");
            }

            if (element.Name.Contains('.', StringComparison.Ordinal))
            {
                throw new MongoErrorException(16412, $"FieldPath field names may not contain '.'. ('{element.Name}')");
            }

            names[i] = element.Name;
            values[i] = Parse(element.Value, context);
        }

        return new ObjectExpression(names, values);
    }

    private static AggregationExpression ParseArray(BsonArray array, ExpressionCompileContext context)
    {
        var items = new AggregationExpression[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            items[i] = Parse(array[i], context);
        }

        return new ArrayExpression(items);
    }
}
