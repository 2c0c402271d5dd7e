using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$replaceRoot / $replaceWith: the document becomes the value of an expression, which must be an object.</summary>
internal sealed class ReplaceRootStage(AggregationExpression newRoot) : IPipelineStage
{
    public static IPipelineStage CompileReplaceRoot(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(40229,
                $"expected an object as specification for $replaceRoot stage, got {TypeNames.Of(specification)}");
        }

        BsonValue? newRoot = null;
        foreach (var element in spec)
        {
            if (element.Name != "newRoot")
            {
                throw new MongoErrorException(ErrorCodes.IDLUnknownField, $"BSON field '$replaceRoot.{element.Name}' is an unknown field.");
            }

            newRoot = element.Value;
        }

        if (newRoot is null)
        {
            throw new MongoErrorException(ErrorCodes.IDLFailedToParse, "BSON field '$replaceRoot.newRoot' is missing but a required field");
        }

        return new ReplaceRootStage(context.CompileExpression(newRoot));
    }

    public static IPipelineStage CompileReplaceWith(BsonValue specification, StageCompileContext context) =>
        new ReplaceRootStage(context.CompileExpression(specification));

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        foreach (var document in input)
        {
            var value = newRoot.Evaluate(document, run.Scope);
            if (value is not BsonDocument result)
            {
                var shown = value is null ? "MISSING" : value.ToString();
                throw new MongoErrorException(40228,
                    $"'replacement document' must evaluate to an object, but resulting value was: {shown}. Type of resulting value: " +
                        $"'{TypeNames.Of(value)}'. Input document: {document}");
            }

            yield return result;
        }
    }
}
