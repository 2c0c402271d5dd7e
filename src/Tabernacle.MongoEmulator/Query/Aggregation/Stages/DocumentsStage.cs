using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$documents: the pipeline's input is the array the expression evaluates to (the stage input is ignored).</summary>
internal sealed class DocumentsStage(AggregationExpression documents) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context) =>
        new DocumentsStage(context.CompileExpression(specification));

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var value = documents.Evaluate([], run.Scope);
        if (value is not BsonArray array)
        {
            throw new MongoErrorException(5858203, "an array is expected");
        }

        var result = new List<BsonDocument>(array.Count);
        foreach (var item in array)
        {
            result.Add(item as BsonDocument
                ?? throw new MongoErrorException(ErrorCodes.TypeMismatch, "$documents elements must be objects"));
        }

        return result;
    }
}
