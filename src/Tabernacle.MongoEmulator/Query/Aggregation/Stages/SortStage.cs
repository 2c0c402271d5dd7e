using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Sorting;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$sort: blocking and stable; when a $limit follows, keeps only the top documents.</summary>
internal sealed class SortStage(DocumentSortComparer comparer) : IPipelineStage
{
    /// <summary>Set when the next stage is a $limit, which then still runs (and is a no-op).</summary>
    public long? Limit { get; set; }

    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(15973, "the $sort key specification must be an object");
        }

        if (spec.ElementCount == 0)
        {
            throw new MongoErrorException(15976, "$sort stage must have at least one sort key");
        }

        return new SortStage(DocumentSortComparer.Compile(spec, context.Collation));
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var sorted = Limit is { } limit && limit < int.MaxValue ? comparer.Top(input, (int)limit) : comparer.Sort(input);
        foreach (var document in sorted)
        {
            yield return document;
        }
    }
}
