using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>
/// An aggregation-pipeline update: only the document-shaping stages MongoDB allows in updates, run on the one document.
/// The pipeline is compiled once per <c>$$NOW</c> value (one per write command), not per document.
/// </summary>
internal sealed class PipelineUpdate
{
    private static readonly HashSet<string> AllowedStages = new(StringComparer.Ordinal)
    {
        "$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith",
    };

    private readonly List<BsonDocument> _stages;
    private readonly Collation? _collation;
    private readonly BsonDocument? _variables;
    private readonly object _cacheLock = new();
    private (DateTime Now, AggregationPipeline Pipeline)? _cached;

    public PipelineUpdate(BsonArray stages, Collation? collation, BsonDocument? variables)
    {
        _stages = new List<BsonDocument>(stages.Count);
        foreach (var stage in stages)
        {
            if (stage is not BsonDocument document || document.ElementCount != 1)
            {
                throw new MongoErrorException(ErrorCodes.TypeMismatch,
                    "Each element of the 'pipeline' array must be an object with exactly one field");
            }

            var name = document.GetElement(0).Name;
            if (!AllowedStages.Contains(name))
            {
                throw new MongoErrorException(ErrorCodes.InvalidOptions, $"{name} is not allowed to be used within an update");
            }

            _stages.Add(document);
        }

        _collation = collation;
        _variables = variables;
    }

    public BsonDocument Apply(BsonDocument document, DateTime now)
    {
        var pipeline = PipelineFor(now);
        BsonDocument? result = null;
        foreach (var output in pipeline.Execute([document]))
        {
            result = output;
        }

        return result ?? throw new MongoErrorException(ErrorCodes.InternalError, "The update pipeline produced no document");
    }

    private AggregationPipeline PipelineFor(DateTime now)
    {
        lock (_cacheLock)
        {
            if (_cached is { } cached && cached.Now == now)
            {
                return cached.Pipeline;
            }

            var pipeline =
                AggregationPipeline.Compile(_stages, new PipelineContext(NoCollections.Instance, _collation, _variables) { Now = now });
            _cached = (now, pipeline);
            return pipeline;
        }
    }

    /// <summary>An update pipeline cannot read other collections ($lookup is not an allowed stage).</summary>
    private sealed class NoCollections : IPipelineCollectionSource
    {
        public static NoCollections Instance { get; } = new();

        public IEnumerable<BsonDocument> ReadCollection(string collectionName) => [];
    }
}
