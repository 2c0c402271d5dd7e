using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>
/// $redact: the expression decides per (sub)document: $$KEEP keeps it whole, $$PRUNE removes it, $$DESCEND keeps its
/// scalar fields and applies the decision to embedded documents (also inside arrays). Field paths see the sub-document.
/// </summary>
internal sealed class RedactStage(AggregationExpression expression) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context) =>
        new RedactStage(context.CompileExpression(specification));

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        foreach (var document in input)
        {
            var scope = ExpressionScope.ChildOf(run.Scope);
            scope.Set("ROOT", document);
            var result = Redact(document, scope);
            if (result is not null)
            {
                yield return result;
            }
        }
    }

    private BsonDocument? Redact(BsonDocument current, ExpressionScope scope)
    {
        scope.Set("CURRENT", current);
        var decision = expression.Evaluate(current, scope);
        switch (decision is BsonString s ? s.Value : null)
        {
            case "keep":
                return current;
            case "prune":
                return null;
            case "descend":
                var result = new BsonDocument();
                foreach (var element in current)
                {
                    switch (element.Value)
                    {
                        case BsonDocument child:
                            var redacted = Redact(child, scope);
                            if (redacted is not null)
                            {
                                result.Add(element.Name, redacted);
                            }

                            break;
                        case BsonArray array:
                            result.Add(element.Name, RedactArray(array, scope));
                            break;
                        default:
                            result.Add(element);
                            break;
                    }
                }

                return result;
            default:
                throw new MongoErrorException(17053,
                    $"$redact's expression should not return anything aside from the variables $$KEEP, $$DESCEND, and $$PRUNE, but " +
                        $"returned {decision?.ToString() ?? "MISSING"}");
        }
    }

    private BsonArray RedactArray(BsonArray array, ExpressionScope scope)
    {
        var result = new BsonArray();
        foreach (var item in array)
        {
            switch (item)
            {
                case BsonDocument child:
                    var redacted = Redact(child, scope);
                    if (redacted is not null)
                    {
                        result.Add(redacted);
                    }

                    break;
                case BsonArray inner:
                    result.Add(RedactArray(inner, scope));
                    break;
                default:
                    result.Add(item);
                    break;
            }
        }

        return result;
    }
}
