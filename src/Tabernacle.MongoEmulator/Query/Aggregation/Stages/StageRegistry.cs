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
        ["$out"] = (_, _) => throw new MongoErrorException(ErrorCodes.CommandNotSupported, "$out is not supported by the emulator"),
        ["$merge"] = (_, _) => throw new MongoErrorException(ErrorCodes.CommandNotSupported, "$merge is not supported by the emulator"),
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
