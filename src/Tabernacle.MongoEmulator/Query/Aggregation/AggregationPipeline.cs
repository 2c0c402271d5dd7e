using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation.Stages;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation;

/// <summary>A compiled aggregation pipeline; one class per stage lives beside it, registered by stage name.</summary>
internal sealed class AggregationPipeline
{
    private readonly IPipelineStage[] _stages;
    private readonly PipelineContext _context;

    private AggregationPipeline(IPipelineStage[] stages, PipelineContext context)
    {
        _stages = stages;
        _context = context;
    }

    /// <summary>Compiles <paramref name="stages"/>; an unknown stage throws <see cref="Errors.MongoErrorException"/> naming it (code
    /// 40324).</summary>
    public static AggregationPipeline Compile(IReadOnlyList<BsonDocument> stages, PipelineContext context)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(context);
        return new AggregationPipeline(CompileStages(stages, new StageCompileContext(context, isSubPipeline: false)), context);
    }

    /// <summary>Compiles the stages of a top-level pipeline or of a sub-pipeline ($lookup, $facet, $unionWith).</summary>
    internal static IPipelineStage[] CompileStages(IReadOnlyList<BsonDocument> stages, StageCompileContext context)
    {
        var compiled = new List<IPipelineStage>(stages.Count);
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i]
                ?? throw new MongoErrorException(ErrorCodes.TypeMismatch, "Each element of the 'pipeline' array must be an object");
            if (stage.ElementCount != 1)
            {
                throw new MongoErrorException(40323, "A pipeline stage specification object must contain exactly one field.");
            }

            var element = stage.GetElement(0);
            if (element.Name == "$documents" && i != 0)
            {
                throw new MongoErrorException(40602, "$documents is only valid as the first stage in a pipeline");
            }

            var next = StageRegistry.Compile(element.Name, element.Value, context);

            // $sort followed by $limit keeps only the top documents instead of sorting everything.
            if (next is LimitStage limit && compiled.Count > 0 && compiled[^1] is SortStage sort && sort.Limit is null)
            {
                sort.Limit = limit.Count;
            }

            compiled.Add(next);
        }

        return [.. compiled];
    }

    /// <summary>Runs the pipeline over <paramref name="input"/> (the collection's documents, or nothing for <c>$documents</c>).</summary>
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var scope = new ExpressionScope { Now = _context.Now };
        var variables = new BsonDocument();
        if (_context.Variables is not null)
        {
            // The command's let: constant expressions, evaluated once per run.
            var empty = new BsonDocument();
            foreach (var variable in _context.Variables)
            {
                var value =
                    AggregationExpression.Compile(variable.Value, new ExpressionCompileContext(_context.Collation)).Evaluate(empty, scope);
                scope.Set(VariableNames.Validate(variable.Name), value);
                if (value is not null)
                {
                    variables.Set(variable.Name, value);
                }
            }
        }

        return Run(_stages, input, new PipelineRun(scope, _context.Collections, variables));
    }

    /// <summary>Chains the stages lazily: streaming stages pull one document at a time, blocking stages buffer.</summary>
    internal static IEnumerable<BsonDocument> Run(IPipelineStage[] stages, IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var current = input;
        foreach (var stage in stages)
        {
            current = stage.Execute(current, run);
        }

        return current;
    }
}

/// <summary>What a pipeline may reach outside its input: other collections of the same database (for <c>$lookup</c> and
/// <c>$unionWith</c>).</summary>
internal interface IPipelineCollectionSource
{
    /// <summary>The documents of <paramref name="collectionName"/> in the pipeline's database, as the reading member sees them; empty when
    /// it does not exist.</summary>
    IEnumerable<BsonDocument> ReadCollection(string collectionName);
}

/// <summary>Settings of one pipeline run.</summary>
internal sealed record PipelineContext(IPipelineCollectionSource Collections, Collation? Collation = null, BsonDocument? Variables = null)
{
    /// <summary>The value of <c>$$NOW</c> for this run.</summary>
    public DateTime Now { get; init; } = DateTime.UtcNow;
}
