using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$and $or (short-circuiting) and $not.</summary>
internal static class BooleanOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$and"] = (name, argument, context) => new AndExpression(Operator.Arguments(name, argument, context, 0, int.MaxValue));
        registry["$or"] = (name, argument, context) => new OrExpression(Operator.Arguments(name, argument, context, 0, int.MaxValue));
        registry["$not"] = Operator.Unary(value => Operator.Bool(!AggregationExpression.IsTruthy(value)));
    }

    private sealed class AndExpression(AggregationExpression[] arguments) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            foreach (var argument in arguments)
            {
                if (!IsTruthy(argument.Evaluate(root, scope)))
                {
                    return BsonBoolean.False;
                }
            }

            return BsonBoolean.True;
        }
    }

    private sealed class OrExpression(AggregationExpression[] arguments) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            foreach (var argument in arguments)
            {
                if (IsTruthy(argument.Evaluate(root, scope)))
                {
                    return BsonBoolean.True;
                }
            }

            return BsonBoolean.False;
        }
    }
}
