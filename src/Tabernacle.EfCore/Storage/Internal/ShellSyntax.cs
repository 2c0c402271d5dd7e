using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>BSON written the way the mongo shell shows it (<c>ObjectId("…")</c>, <c>ISODate("…")</c>, <c>NumberDecimal("…")</c>), for logs
/// and <c>ToQueryString()</c>.</summary>
internal static class ShellSyntax
{
    private static readonly JsonWriterSettings Settings = new() { OutputMode = JsonOutputMode.Shell };

    public static string Of(BsonValue value) => value.ToJson(Settings);
}
