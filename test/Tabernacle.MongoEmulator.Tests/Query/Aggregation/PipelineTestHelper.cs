using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Aggregation;

namespace Tabernacle.MongoEmulator.Tests.Query.Aggregation;

/// <summary>Collections held in memory, for $lookup and $unionWith.</summary>
internal sealed class InMemoryCollections : IPipelineCollectionSource
{
    private readonly Dictionary<string, List<BsonDocument>> _collections = new(StringComparer.Ordinal);

    public InMemoryCollections With(string name, params string[] documents)
    {
        _collections[name] = documents.Select(BsonDocument.Parse).ToList();
        return this;
    }

    public IEnumerable<BsonDocument> ReadCollection(string collectionName) =>
        _collections.TryGetValue(collectionName, out var documents) ? documents : [];
}

internal static class PipelineTestHelper
{
    private static readonly JsonWriterSettings Shell = new() { OutputMode = JsonOutputMode.Shell };

    public static readonly DateTime FixedNow = new(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);

    public static List<BsonDocument> Stages(string pipelineJson) =>
        BsonSerializer.Deserialize<BsonArray>(pipelineJson).Select(v => v.AsBsonDocument).ToList();

    public static List<BsonDocument> Documents(params string[] documents) => documents.Select(BsonDocument.Parse).ToList();

    public static List<BsonDocument> Run(string pipelineJson, IEnumerable<BsonDocument> input, InMemoryCollections? collections = null,
        Collation? collation = null, BsonDocument? variables = null)
    {
        var context = new PipelineContext(collections ?? new InMemoryCollections(), collation, variables) { Now = FixedNow };
        return AggregationPipeline.Compile(Stages(pipelineJson), context).Execute(input).ToList();
    }

    public static List<BsonDocument> Run(string pipelineJson, params string[] input) => Run(pipelineJson, Documents(input));

    /// <summary>Asserts the output equals the expected documents, in order, type-strictly.</summary>
    public static void AssertOutput(IReadOnlyList<BsonDocument> actual, params string[] expected)
    {
        // Shell-mode JSON keeps BSON types visible (1 vs 1.0 vs NumberLong(1)) and makes failures readable.
        Assert.Equal(expected.Select(e => BsonDocument.Parse(e).ToJson(Shell)).ToList(), actual.Select(d => d.ToJson(Shell)).ToList());
    }

    public static void AssertOutputUnordered(IReadOnlyList<BsonDocument> actual, params string[] expected)
    {
        var expectedSet = expected.Select(e => BsonDocument.Parse(e).ToJson(Shell)).OrderBy(s => s, StringComparer.Ordinal).ToList();
        var actualSet = actual.Select(d => d.ToJson(Shell)).OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedSet, actualSet);
    }

    public static MongoErrorException AssertError(int code, string pipelineJson, params string[] input)
    {
        var error = Assert.Throws<MongoErrorException>(() => Run(pipelineJson, input));
        Assert.Equal(code, error.Code);
        return error;
    }
}
