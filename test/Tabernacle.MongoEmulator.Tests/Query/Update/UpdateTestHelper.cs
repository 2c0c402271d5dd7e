using MongoDB.Bson;
using MongoDB.Bson.IO;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Update;

namespace Tabernacle.MongoEmulator.Tests.Query.Update;

internal static class UpdateTestHelper
{
    public static readonly DateTime Now = new(2024, 5, 1, 12, 30, 0, DateTimeKind.Utc);

    private static readonly JsonWriterSettings Shell = new() { OutputMode = JsonOutputMode.Shell };

    /// <summary>Shell JSON keeps field order and numeric types (NumberLong, 1.0) visible, so comparisons are exact.</summary>
    public static string Json(BsonDocument document) => document.ToJson(Shell);

    public static string Canonical(string json) => Json(BsonDocument.Parse(json));

    public static BsonDocument Apply(string document, string update, string? arrayFilters = null, string? filter = null,
        bool upsertInsert = false)
    {
        var compiled = DocumentUpdate.Compile(ParseUpdate(update), arrayFilters is null ? null : BsonSerializer(arrayFilters));
        var original = BsonDocument.Parse(document);
        MatchDetails? details = null;
        if (filter is not null)
        {
            details = new MatchDetails();
            if (!QueryFilter.Compile(BsonDocument.Parse(filter)).Matches(original, details))
            {
                throw new InvalidOperationException("The test's filter does not match its document");
            }
        }

        return compiled.Apply(original, details, upsertInsert, Now);
    }

    public static BsonValue ParseUpdate(string update) =>
        update.TrimStart().StartsWith('[') ? BsonSerializer(update) : BsonDocument.Parse(update);

    public static BsonArray BsonSerializer(string json) => MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonArray>(json);
}
