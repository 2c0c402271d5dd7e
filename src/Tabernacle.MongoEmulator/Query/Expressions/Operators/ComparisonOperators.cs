using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$eq $ne $gt $gte $lt $lte $cmp: BSON order across types (missing below null), strings by the collation.</summary>
internal static class ComparisonOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$cmp"] = Compare(c => new BsonInt32(c));
        registry["$eq"] = Compare(c => Operator.Bool(c == 0));
        registry["$ne"] = Compare(c => Operator.Bool(c != 0));
        registry["$gt"] = Compare(c => Operator.Bool(c > 0));
        registry["$gte"] = Compare(c => Operator.Bool(c >= 0));
        registry["$lt"] = Compare(c => Operator.Bool(c < 0));
        registry["$lte"] = Compare(c => Operator.Bool(c <= 0));
    }

    private static OperatorCompiler Compare(Func<int, BsonValue> result) =>
        (name, argument, context) =>
        {
            var comparer = context.Comparer;
            var arguments = Operator.Arguments(name, argument, context, 2, 2);
            return new BinaryOperatorExpression(arguments[0], arguments[1], (x, y) => result(Math.Sign(comparer.Compare(x, y))));
        };
}
