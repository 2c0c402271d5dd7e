using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$unionWith: the input, then another collection's documents (optionally through a pipeline).</summary>
internal sealed class UnionWithStage(string collection, IPipelineStage[]? pipeline) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        switch (specification)
        {
            case BsonString name:
                return new UnionWithStage(name.Value, null);
            case BsonDocument spec:
                string? coll = null;
                IPipelineStage[]? stages = null;
                foreach (var element in spec)
                {
                    switch (element.Name)
                    {
                        case "coll":
                            coll = element.Value as BsonString is { } s ? s.Value
                                : throw new MongoErrorException(ErrorCodes.TypeMismatch,
                                    "BSON field '$unionWith.coll' is the wrong type, expected type 'string'");
                            break;
                        case "pipeline":
                            stages = context.CompileSubPipeline(element.Value, "$unionWith", ErrorCodes.TypeMismatch);
                            break;
                        default:
                            throw new MongoErrorException(ErrorCodes.IDLUnknownField,
                                $"BSON field '$unionWith.{element.Name}' is an unknown field.");
                    }
                }

                if (coll is null
                    && (stages is null || spec["pipeline"].AsBsonArray.Count == 0
                        || !spec["pipeline"][0].AsBsonDocument.Contains("$documents")))
                {
                    throw new MongoErrorException(ErrorCodes.FailedToParse,
                        "$unionWith stage without explicit collection must have a pipeline with $documents as first stage");
                }

                return new UnionWithStage(coll ?? string.Empty, stages);
            default:
                throw new MongoErrorException(ErrorCodes.FailedToParse,
                    $"the $unionWith stage specification must be an object or string, but found {TypeNames.Of(specification)}");
        }
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        foreach (var document in input)
        {
            yield return document;
        }

        var other = collection.Length == 0 ? [] : run.Collections.ReadCollection(collection);
        var results = pipeline is null ? other : AggregationPipeline.Run(pipeline, other, run);
        foreach (var document in results)
        {
            yield return document;
        }
    }
}
