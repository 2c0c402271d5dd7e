using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$type $isNumber $convert and its shorthands $toString $toInt $toLong $toDouble $toDecimal $toBool $toDate
/// $toObjectId.</summary>
internal static class TypeOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$type"] = Operator.Unary(v => new BsonString(TypeNames.Of(v)));
        registry["$isNumber"] = Operator.Unary(v => Operator.Bool(Numbers.IsNumber(v)));
        registry["$convert"] = CompileConvert;
        RegisterShorthand(registry, "$toString", BsonType.String);
        RegisterShorthand(registry, "$toInt", BsonType.Int32);
        RegisterShorthand(registry, "$toLong", BsonType.Int64);
        RegisterShorthand(registry, "$toDouble", BsonType.Double);
        RegisterShorthand(registry, "$toDecimal", BsonType.Decimal128);
        RegisterShorthand(registry, "$toBool", BsonType.Boolean);
        RegisterShorthand(registry, "$toDate", BsonType.DateTime);
        RegisterShorthand(registry, "$toObjectId", BsonType.ObjectId);
    }

    private static void RegisterShorthand(Dictionary<string, OperatorCompiler> registry, string name, BsonType target) =>
        registry[name] = Operator.Unary(value => Operator.IsNullish(value) ? BsonNull.Value : TypeConversion.Convert(value!, target));

    private static AggregationExpression CompileConvert(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["input", "to", "onError", "onNull"], ["input", "to"], 46456, 46457, 46458);
        return new ConvertExpression(args.Required("input"), args.Required("to"), args.Expression("onError"), args.Expression("onNull"));
    }

    private sealed class ConvertExpression(AggregationExpression input, AggregationExpression to, AggregationExpression? onError,
        AggregationExpression? onNull) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var toValue = to.Evaluate(root, scope);
            var value = input.Evaluate(root, scope);
            if (Operator.IsNullish(value))
            {
                return onNull is null ? BsonNull.Value : onNull.Evaluate(root, scope);
            }

            if (Operator.IsNullish(toValue))
            {
                return BsonNull.Value;
            }

            var target = TypeConversion.ParseTargetType(toValue!);
            try
            {
                return TypeConversion.Convert(value!, target);
            }
            catch (MongoErrorException e) when (e.Code == ErrorCodes.ConversionFailure && onError is not null)
            {
                return onError.Evaluate(root, scope);
            }
        }
    }
}
