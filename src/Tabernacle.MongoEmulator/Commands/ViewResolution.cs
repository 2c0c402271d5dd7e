using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation;
using Tabernacle.MongoEmulator.Commands.Handlers;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>
/// Read-only views (<c>create</c> with <c>viewOn</c> and <c>pipeline</c>), resolved as mongod resolves them: a read of
/// a view runs the pipelines of the views it stands on, innermost first, over the backing collection, then the read's
/// own stages (a <c>find</c> becomes <c>$match</c>, <c>$sort</c>, <c>$skip</c>, <c>$limit</c> and <c>$project</c>).
/// </summary>
internal static class ViewResolution
{
    // mongod: "View depth too deep or view cycle detected. Maximum depth is 20" (ViewDepthLimitExceeded).
    private const int MaxDepth = 20;
    private const int ViewDepthLimitExceeded = 149;

    /// <summary>The backing collection and the combined pipeline of the view <paramref name="name"/>; null for a collection.</summary>
    public static (string Source, List<BsonDocument> Pipeline)? Resolve(IDocumentReader reader, string database, string name)
    {
        List<BsonDocument>? pipeline = null;
        var current = name;
        for (var depth = 0;
             reader.Collection(database, current) is { } entry && entry.Options.TryGetValue("viewOn", out var viewOn);
             depth++)
        {
            if (depth >= MaxDepth)
            {
                throw new MongoErrorException(
                    ViewDepthLimitExceeded, $"View depth too deep or view cycle detected. Maximum depth is {MaxDepth}");
            }

            var stages = entry.Options.GetValue("pipeline", new BsonArray()).AsBsonArray.Select(s => s.AsBsonDocument);
            pipeline = stages.Concat(pipeline ?? []).ToList();
            current = viewOn.AsString;
        }

        return pipeline is null ? null : (current, pipeline);
    }

    /// <summary>
    /// Runs <paramref name="stages"/> over the view: the view's pipeline first, on its backing collection. Also what
    /// <c>$lookup</c> and <c>$unionWith</c> read when their <c>from</c>/<c>coll</c> is a view, as on mongod.
    /// </summary>
    public static List<BsonDocument> Read(
        IDocumentReader reader,
        string database,
        (string Source, List<BsonDocument> Pipeline) view,
        IEnumerable<BsonDocument> stages,
        CommandContext? context)
    {
        // A view read by $lookup or $unionWith (no context of its own) runs its pipeline without collation or variables.
        var pipeline = AggregationPipeline.Compile(
            view.Pipeline.Concat(stages).ToList(),
            new PipelineContext(new ReaderCollectionSource(reader, database), context?.Collation, context?.Variables));
        return pipeline.Execute(reader.Documents(database, view.Source)).ToList();
    }

    /// <summary>The stages a <c>find</c> on a view stands for.</summary>
    public static IEnumerable<BsonDocument> FindStages(
        BsonDocument? filter, BsonDocument? sort, long skip, long limit, BsonDocument? projection)
    {
        if (filter is { ElementCount: > 0 })
        {
            yield return new BsonDocument("$match", filter);
        }

        if (sort is { ElementCount: > 0 })
        {
            yield return new BsonDocument("$sort", sort);
        }

        if (skip > 0)
        {
            yield return new BsonDocument("$skip", skip);
        }

        if (limit > 0)
        {
            yield return new BsonDocument("$limit", limit);
        }

        if (projection is { ElementCount: > 0 })
        {
            yield return new BsonDocument("$project", projection);
        }
    }
}
