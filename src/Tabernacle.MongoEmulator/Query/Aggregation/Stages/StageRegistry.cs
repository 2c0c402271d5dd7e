using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>Every pipeline stage by name.</summary>
internal static class StageRegistry
{
    private static readonly Dictionary<string, Func<BsonValue, StageCompileContext, IPipelineStage>> Stages = new(StringComparer.Ordinal)
    {
        ["$match"] = MatchStage.Compile,
        ["$project"] = (spec, context) => ProjectStage.CompileProject(spec, context),
        ["$addFields"] = (spec, context) => ProjectStage.CompileAddFields("$addFields", spec, context),
        ["$set"] = (spec, context) => ProjectStage.CompileAddFields("$set", spec, context),
        ["$unset"] = (spec, context) => ProjectStage.CompileUnset(spec, context),
        ["$group"] = GroupStage.Compile,
        ["$sort"] = SortStage.Compile,
        ["$skip"] = SkipStage.Compile,
        ["$limit"] = LimitStage.Compile,
        ["$count"] = CountStage.Compile,
        ["$unwind"] = UnwindStage.Compile,
        ["$lookup"] = LookupStage.Compile,
        ["$replaceRoot"] = ReplaceRootStage.CompileReplaceRoot,
        ["$replaceWith"] = ReplaceRootStage.CompileReplaceWith,
        ["$facet"] = FacetStage.Compile,
        ["$bucket"] = BucketStage.Compile,
        ["$bucketAuto"] = BucketAutoStage.Compile,
        ["$sortByCount"] = SortByCountStage.Compile,
        ["$sample"] = SampleStage.Compile,
        ["$unionWith"] = UnionWithStage.Compile,
        ["$documents"] = DocumentsStage.Compile,
        ["$redact"] = RedactStage.Compile,
        // The aggregate command runs a final $out or $merge itself (AggregateOutput); anywhere else (a sub-pipeline,
        // or before another stage) mongod refuses it.
        ["$out"] = (_, _) => throw new MongoErrorException(40601, "$out can only be the final stage in the pipeline"),
        ["$merge"] = (_, _) => throw new MongoErrorException(40601, "$merge can only be the final stage in the pipeline"),
    };

    public static IPipelineStage Compile(string name, BsonValue specification, StageCompileContext context)
    {
        if (!Stages.TryGetValue(name, out var compile))
        {
            throw new MongoErrorException(ErrorCodes.UnrecognizedPipelineStage, $"Unrecognized pipeline stage name: '{name}'");
        }

        return compile(specification, context);
    }
}
