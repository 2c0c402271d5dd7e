using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>One compiled stage: transforms the stream of documents coming from the previous stage.</summary>
internal interface IPipelineStage
{
    IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run);
}

/// <summary>The state of one execution: variables (<c>let</c>, <c>$$NOW</c>) and the collections <c>$lookup</c> may read.</summary>
internal sealed class PipelineRun(ExpressionScope scope, IPipelineCollectionSource collections, BsonDocument variables)
{
    public ExpressionScope Scope { get; } = scope;

    public IPipelineCollectionSource Collections { get; } = collections;

    /// <summary>The user variables in scope by value, for query filters ($match) that reference <c>$$name</c>.</summary>
    public BsonDocument Variables { get; } = variables;

    /// <summary>The same run with extra variables (a $lookup's let) visible to a sub-pipeline.</summary>
    public PipelineRun WithVariables(IReadOnlyList<(string Name, BsonValue? Value)> extra)
    {
        var inner = ExpressionScope.ChildOf(Scope);
        var variables = new BsonDocument(Variables);
        foreach (var (name, value) in extra)
        {
            inner.Set(name, value);
            if (value is null)
            {
                variables.Remove(name);
            }
            else
            {
                variables.Set(name, value);
            }
        }

        return new PipelineRun(inner, Collections, variables);
    }
}

/// <summary>What stages need at compile time: the pipeline's settings and the expression context (collation).</summary>
internal sealed class StageCompileContext(PipelineContext pipeline, bool isSubPipeline)
{
    public PipelineContext Pipeline { get; } = pipeline;

    public bool IsSubPipeline { get; } = isSubPipeline;

    public Collation? Collation => Pipeline.Collation;

    public ExpressionCompileContext Expressions { get; } = new(pipeline.Collation);

    public AggregationExpression CompileExpression(BsonValue value) => AggregationExpression.Compile(value, Expressions);

    /// <summary>Compiles a nested pipeline given as a BSON array of stage documents.</summary>
    public IPipelineStage[] CompileSubPipeline(BsonValue value, string stageName, int notArrayCode)
    {
        if (value is not BsonArray array)
        {
            throw new MongoErrorException(notArrayCode,
                $"{stageName} 'pipeline' must be an array of stage objects, but found {TypeNames.Of(value)}");
        }

        var stages = new List<BsonDocument>(array.Count);
        foreach (var item in array)
        {
            stages.Add(item as BsonDocument
                ?? throw new MongoErrorException(ErrorCodes.TypeMismatch,
                    $"{stageName} 'pipeline' must be an array of stage objects, but found an element of type {TypeNames.Of(item)}"));
        }

        return AggregationPipeline.CompileStages(stages, new StageCompileContext(Pipeline, isSubPipeline: true));
    }
}
