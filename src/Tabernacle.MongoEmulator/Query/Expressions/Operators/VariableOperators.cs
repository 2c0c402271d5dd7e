using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$let and $literal.</summary>
internal static class VariableOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$literal"] = (_, argument, _) => new LiteralExpression(argument);
        registry["$let"] = CompileLet;
    }

    private static AggregationExpression CompileLet(string name, BsonValue argument, ExpressionCompileContext context)
    {
        if (argument is not BsonDocument document)
        {
            throw new MongoErrorException(16874, "$let only supports an object as its argument");
        }

        BsonDocument? vars = null;
        BsonValue? body = null;
        foreach (var element in document)
        {
            switch (element.Name)
            {
                case "vars":
                    vars = element.Value as BsonDocument
                        ?? throw new MongoErrorException(10065, "invalid parameter: expected an object (vars)");
                    break;
                case "in":
                    body = element.Value;
                    break;
                default:
                    throw new MongoErrorException(16875, $"Unrecognized parameter to $let: {element.Name}");
            }
        }

        if (vars is null)
        {
            throw new MongoErrorException(16876, "Missing 'vars' parameter to $let");
        }

        if (body is null)
        {
            throw new MongoErrorException(16877, "Missing 'in' parameter to $let");
        }

        var names = new string[vars.ElementCount];
        var values = new AggregationExpression[vars.ElementCount];
        for (var i = 0; i < vars.ElementCount; i++)
        {
            var element = vars.GetElement(i);
            names[i] = element.Name == "CURRENT" ? element.Name : VariableNames.Validate(element.Name);
            values[i] = ExpressionParser.Parse(element.Value, context);
        }

        return new LetExpression(names, values, ExpressionParser.Parse(body, context));
    }

    /// <summary>Binds every variable in the enclosing scope first (they cannot see each other), then evaluates the body.</summary>
    private sealed class LetExpression(string[] names, AggregationExpression[] values, AggregationExpression body) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inner = ExpressionScope.ChildOf(scope);
            for (var i = 0; i < names.Length; i++)
            {
                inner.Set(names[i], values[i].Evaluate(root, scope));
            }

            return body.Evaluate(root, inner);
        }
    }
}
