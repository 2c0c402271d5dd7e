using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>
/// $match, streaming. A top-level <c>$expr</c> is evaluated here as an aggregation expression (so it sees the
/// run's variables, e.g. a $lookup's let); the rest of the filter goes to <see cref="QueryFilter"/>, compiled once,
/// or once per run when it references <c>$$variables</c>.
/// </summary>
internal sealed class MatchStage : IPipelineStage
{
    private readonly BsonDocument? _queryPart;
    private readonly QueryFilter? _compiledQuery;
    private readonly AggregationExpression? _expr;
    private readonly Collation? _collation;

    private MatchStage(BsonDocument? queryPart, QueryFilter? compiledQuery, AggregationExpression? expr, Collation? collation)
    {
        _queryPart = queryPart;
        _compiledQuery = compiledQuery;
        _expr = expr;
        _collation = collation;
    }

    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument filter)
        {
            throw new MongoErrorException(15959, "the match filter must be an expression in an object");
        }

        AggregationExpression? expr = null;
        var rest = new BsonDocument();
        foreach (var element in filter)
        {
            if (element.Name == "$expr")
            {
                expr = context.CompileExpression(element.Value);
            }
            else
            {
                rest.Add(element);
            }
        }

        if (rest.ElementCount == 0)
        {
            return new MatchStage(null, null, expr, context.Collation);
        }

        // Filters without $$variables do not depend on the run, so they compile once here.
        var compiled = ReferencesVariables(rest) ? null : QueryFilter.Compile(rest, context.Collation);
        return new MatchStage(rest, compiled, expr, context.Collation);
    }

    private static bool ReferencesVariables(BsonValue value) => value switch
    {
        BsonString s => s.Value.StartsWith("$$", StringComparison.Ordinal),
        BsonDocument d => d.Elements.Any(e => ReferencesVariables(e.Value)),
        BsonArray a => a.Any(ReferencesVariables),
        _ => false,
    };

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var query = _compiledQuery ?? (_queryPart is null ? null : QueryFilter.Compile(_queryPart, _collation, run.Variables));
        foreach (var document in input)
        {
            if (query is not null && !query.Matches(document))
            {
                continue;
            }

            if (_expr is not null && !AggregationExpression.IsTruthy(_expr.Evaluate(document, run.Scope)))
            {
                continue;
            }

            yield return document;
        }
    }
}
