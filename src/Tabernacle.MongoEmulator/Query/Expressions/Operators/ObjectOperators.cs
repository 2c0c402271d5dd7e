using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$mergeObjects $objectToArray $arrayToObject $getField $setField $unsetField.</summary>
internal static class ObjectOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$mergeObjects"] = Operator.Nary(0, int.MaxValue, MergeObjects);
        registry["$objectToArray"] = Operator.Unary(ObjectToArray);
        registry["$arrayToObject"] = Operator.Unary(ArrayToObject);
        registry["$getField"] = CompileGetField;
        registry["$setField"] = (name, argument, context) => CompileSetField(name, argument, context, unset: false);
        registry["$unsetField"] = (name, argument, context) => CompileSetField(name, argument, context, unset: true);
    }

    /// <summary>Later documents overwrite earlier fields; null and missing arguments are skipped.</summary>
    public static BsonDocument Merge(BsonDocument target, BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return target;
        }

        if (value is not BsonDocument document)
        {
            throw new MongoErrorException(40400,
                $"$mergeObjects requires object inputs, but input {value} is of type {TypeNames.Of(value)}");
        }

        foreach (var element in document)
        {
            target.Set(element.Name, element.Value);
        }

        return target;
    }

    private static BsonValue? MergeObjects(BsonValue?[] args)
    {
        var result = new BsonDocument();
        foreach (var arg in args)
        {
            Merge(result, arg);
        }

        return result;
    }

    private static BsonValue? ObjectToArray(BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        if (value is not BsonDocument document)
        {
            throw new MongoErrorException(40390, $"$objectToArray requires a document input, found: {TypeNames.Of(value)}");
        }

        var result = new BsonArray(document.ElementCount);
        foreach (var element in document)
        {
            result.Add(new BsonDocument { { "k", element.Name }, { "v", element.Value } });
        }

        return result;
    }

    private static BsonValue? ArrayToObject(BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        if (value is not BsonArray array)
        {
            throw new MongoErrorException(40386, $"$arrayToObject requires an array input, found: {TypeNames.Of(value)}");
        }

        var result = new BsonDocument();
        if (array.Count == 0)
        {
            return result;
        }

        // The first element fixes the format: [k, v] pairs or {k, v} documents.
        var pairs = array[0] is BsonArray;
        foreach (var item in array)
        {
            string key;
            BsonValue itemValue;
            if (pairs)
            {
                if (item is not BsonArray pair)
                {
                    throw new MongoErrorException(40391,
                        $"$arrayToObject requires a consistent input format. Elements must all be arrays or all be objects. Array was " +
                            $"detected, now found: {TypeNames.Of(item)}");
                }

                if (pair.Count != 2)
                {
                    throw new MongoErrorException(40397,
                        $"$arrayToObject requires an array of size 2 arrays,found array of size: {pair.Count}");
                }

                if (pair[0].BsonType != BsonType.String)
                {
                    throw new MongoErrorException(40395,
                        $"$arrayToObject requires an array of key-value pairs, where the key must be of type string. Found key type: " +
                            $"{TypeNames.Of(pair[0])}");
                }

                key = pair[0].AsString;
                itemValue = pair[1];
            }
            else
            {
                if (item is not BsonDocument kv)
                {
                    throw new MongoErrorException(40391,
                        $"$arrayToObject requires a consistent input format. Elements must all be arrays or all be objects. Object was " +
                            $"detected, now found: {TypeNames.Of(item)}");
                }

                if (kv.ElementCount != 2 || !kv.Contains("k") || !kv.Contains("v"))
                {
                    throw new MongoErrorException(40392,
                        $"$arrayToObject requires an object keys of 'k' and 'v'. Found incorrect number of keys:{kv.ElementCount}");
                }

                if (kv["k"].BsonType != BsonType.String)
                {
                    throw new MongoErrorException(40394,
                        $"$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' must be of type string. Found " +
                            $"type: {TypeNames.Of(kv["k"])}");
                }

                key = kv["k"].AsString;
                itemValue = kv["v"];
            }

            if (key.Contains('\0', StringComparison.Ordinal))
            {
                throw new MongoErrorException(4940401, "Key field cannot contain an embedded null byte");
            }

            result.Set(key, itemValue);
        }

        return result;
    }

    private static AggregationExpression CompileGetField(string name, BsonValue argument, ExpressionCompileContext context)
    {
        if (argument is not BsonDocument document || !document.Contains("field"))
        {
            // Shorthand: {$getField: "name"} or {$getField: {$literal: "$name"}} reads from $$CURRENT.
            return new GetFieldExpression(ConstantFieldName(name, argument), null);
        }

        var args = NamedArguments.Parse(name, argument, context, ["field", "input"], ["field"], 3041701, 3041701, 3041702);
        return new GetFieldExpression(ConstantFieldName(name, args.Raw("field")!), args.Expression("input"));
    }

    private static string ConstantFieldName(string op, BsonValue field)
    {
        // The field name must be a constant string: a string literal or {$literal: "..."}.
        if (field is BsonDocument literal && literal.ElementCount == 1 && literal.GetElement(0).Name == "$literal"
            && literal[0].BsonType == BsonType.String)
        {
            return literal[0].AsString;
        }

        if (field.BsonType != BsonType.String || field.AsString.StartsWith('$'))
        {
            throw new MongoErrorException(op == "$getField" ? 5654601 : 4161106,
                $"{op} requires 'field' to evaluate to a constant, but got a non-constant argument");
        }

        return field.AsString;
    }

    private sealed class GetFieldExpression(string field, AggregationExpression? input) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var value = input is null ? root : input.Evaluate(root, scope);
            // Null, undefined or missing input gives null (the manual); the server answers missing for any other
            // non-object rather than the error the manual describes (SERVER-94854), and the emulator follows the server.
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonDocument document)
            {
                return null;
            }

            return document.TryGetValue(field, out var result) ? result : null;
        }
    }

    private static AggregationExpression CompileSetField(string name, BsonValue argument, ExpressionCompileContext context, bool unset)
    {
        var allowed = unset ? new[] { "field", "input" } : ["field", "input", "value"];
        var args = NamedArguments.Parse(name, argument, context, allowed, allowed, 4161100, 4161101, 4161102);
        return new SetFieldExpression(ConstantFieldName(name, args.Raw("field")!), args.Required("input"),
            unset ? null : args.Required("value"), name);
    }

    private sealed class SetFieldExpression(string field, AggregationExpression input, AggregationExpression? value, string op)
        : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inputValue = input.Evaluate(root, scope);
            if (Operator.IsNullish(inputValue))
            {
                return BsonNull.Value;
            }

            if (inputValue is not BsonDocument document)
            {
                throw new MongoErrorException(4161105, $"{op} requires 'input' to evaluate to type Object");
            }

            var result = new BsonDocument(document);
            var newValue = value?.Evaluate(root, scope);
            if (newValue is null)
            {
                result.Remove(field);
            }
            else
            {
                result.Set(field, newValue);
            }

            return result;
        }
    }
}
