using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Aggregation;

/// <summary>A compiled aggregation pipeline; one class per stage lives beside it, registered by stage name.</summary>
internal sealed class AggregationPipeline
{
    private AggregationPipeline()
    {
    }

    /// <summary>Compiles <paramref name="stages"/>; an unknown stage throws <see cref="Errors.MongoErrorException"/> naming it (code 40324).</summary>
    public static AggregationPipeline Compile(IReadOnlyList<BsonDocument> stages, PipelineContext context)
    {
        ArgumentNullException.ThrowIfNull(stages);
        throw new NotImplementedException("AggregationPipeline.Compile");
    }

    /// <summary>Runs the pipeline over <paramref name="input"/> (the collection's documents, or nothing for <c>$documents</c>).</summary>
    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input) => throw new NotImplementedException("AggregationPipeline.Execute");
}

/// <summary>What a pipeline may reach outside its input: other collections of the same database (for <c>$lookup</c> and <c>$unionWith</c>).</summary>
internal interface IPipelineCollectionSource
{
    /// <summary>The documents of <paramref name="collectionName"/> in the pipeline's database, as the reading member sees them; empty when it does not exist.</summary>
    IEnumerable<BsonDocument> ReadCollection(string collectionName);
}

/// <summary>Settings of one pipeline run.</summary>
internal sealed record PipelineContext(IPipelineCollectionSource Collections, Collation? Collation = null, BsonDocument? Variables = null)
{
    /// <summary>The value of <c>$$NOW</c> for this run.</summary>
    public DateTime Now { get; init; } = DateTime.UtcNow;
}
