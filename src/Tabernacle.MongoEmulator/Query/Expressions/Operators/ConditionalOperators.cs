using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$cond (array and document forms), $ifNull (n-ary), $switch.</summary>
internal static class ConditionalOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$cond"] = CompileCond;
        registry["$ifNull"] = (name, argument, context) =>
            new IfNullExpression(Operator.Arguments(name, argument, context, 2, int.MaxValue));
        registry["$switch"] = CompileSwitch;
    }

    private static AggregationExpression CompileCond(string name, BsonValue argument, ExpressionCompileContext context)
    {
        if (argument is BsonDocument document)
        {
            foreach (var element in document)
            {
                if (element.Name is not ("if" or "then" or "else"))
                {
                    throw new MongoErrorException(17083, $"Unrecognized parameter to $cond: {element.Name}");
                }
            }

            foreach (var required in new[] { "if", "then", "else" })
            {
                if (!document.Contains(required))
                {
                    throw new MongoErrorException(17080 + Array.IndexOf(new[] { "if", "then", "else" }, required),
                        $"Missing '{required}' parameter to $cond");
                }
            }

            return new CondExpression(
                ExpressionParser.Parse(document["if"], context),
                ExpressionParser.Parse(document["then"], context),
                ExpressionParser.Parse(document["else"], context));
        }

        var arguments = Operator.Arguments(name, argument, context, 3, 3);
        return new CondExpression(arguments[0], arguments[1], arguments[2]);
    }

    private static AggregationExpression CompileSwitch(string name, BsonValue argument, ExpressionCompileContext context)
    {
        if (argument is not BsonDocument document)
        {
            throw new MongoErrorException(40060, $"$switch requires an object as an argument, found: {TypeNames.Of(argument)}");
        }

        var cases = new List<(AggregationExpression Case, AggregationExpression Then)>();
        AggregationExpression? defaultExpression = null;
        foreach (var element in document)
        {
            switch (element.Name)
            {
                case "branches":
                    if (element.Value is not BsonArray branches)
                    {
                        throw new MongoErrorException(40061,
                            $"$switch expected an array for 'branches', found: {TypeNames.Of(element.Value)}");
                    }

                    foreach (var branch in branches)
                    {
                        if (branch is not BsonDocument branchDocument)
                        {
                            throw new MongoErrorException(40062,
                                $"$switch expected each branch to be an object, found: {TypeNames.Of(branch)}");
                        }

                        foreach (var part in branchDocument)
                        {
                            if (part.Name is not ("case" or "then"))
                            {
                                throw new MongoErrorException(40063, $"$switch found an unknown argument to a branch: {part.Name}");
                            }
                        }

                        if (!branchDocument.Contains("case"))
                        {
                            throw new MongoErrorException(40064, "$switch requires each branch have a 'case' expression");
                        }

                        if (!branchDocument.Contains("then"))
                        {
                            throw new MongoErrorException(40065, "$switch requires each branch have a 'then' expression.");
                        }

                        cases.Add(
                            (ExpressionParser.Parse(branchDocument["case"], context),
                                ExpressionParser.Parse(branchDocument["then"], context)));
                    }

                    break;
                case "default":
                    defaultExpression = ExpressionParser.Parse(element.Value, context);
                    break;
                default:
                    throw new MongoErrorException(40067, $"$switch found an unknown argument: {element.Name}");
            }
        }

        if (cases.Count == 0)
        {
            throw new MongoErrorException(40068, "$switch requires at least one branch.");
        }

        return new SwitchExpression([.. cases], defaultExpression);
    }

    private sealed class CondExpression(AggregationExpression condition, AggregationExpression then, AggregationExpression otherwise)
        : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) =>
            IsTruthy(condition.Evaluate(root, scope)) ? then.Evaluate(root, scope) : otherwise.Evaluate(root, scope);
    }

    /// <summary>The first argument that is neither null nor missing; the last argument is the fallback whatever its value.</summary>
    private sealed class IfNullExpression(AggregationExpression[] arguments) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            for (var i = 0; i < arguments.Length - 1; i++)
            {
                var value = arguments[i].Evaluate(root, scope);
                if (!Operator.IsNullish(value))
                {
                    return value;
                }
            }

            return arguments[^1].Evaluate(root, scope);
        }
    }

    private sealed class SwitchExpression((AggregationExpression Case, AggregationExpression Then)[] branches,
        AggregationExpression? defaultExpression) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            foreach (var (condition, then) in branches)
            {
                if (IsTruthy(condition.Evaluate(root, scope)))
                {
                    return then.Evaluate(root, scope);
                }
            }

            return defaultExpression is not null
                ? defaultExpression.Evaluate(root, scope)
                : throw new MongoErrorException(40066,
                    "$switch could not find a matching branch for an input, and no default was specified.");
        }
    }
}
