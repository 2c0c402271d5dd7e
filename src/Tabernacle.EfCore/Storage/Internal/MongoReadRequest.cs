using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>A read, bound and ready to send: a <c>find</c> (filter, sort, skip, limit, projection) or an <c>aggregate</c>
/// pipeline.</summary>
internal sealed record MongoReadRequest(string CollectionName)
{
    // The empty filter is made only when a request has none (a bound find always sets its own).
    public BsonDocument Filter { get => field ??= []; init; }

    public BsonDocument? Sort { get; init; }

    public BsonDocument? Projection { get; init; }

    public int? Skip { get; init; }

    public int? Limit { get; init; }

    /// <summary>When set, the read runs as <c>aggregate</c> with these stages instead of <c>find</c>.</summary>
    public IReadOnlyList<BsonDocument>? Pipeline { get; init; }

    public ReadPreference? ReadPreference { get; init; }

    public ReadConcern? ReadConcern { get; init; }

    public string OperationName => Pipeline is null ? "find" : "aggregate";

    /// <summary>The MQL as shell syntax, for logs and <c>ToQueryString()</c>.</summary>
    public string ToMql()
    {
        if (Pipeline is not null)
        {
            return $"db.{CollectionName}.aggregate([{string.Join(", ", Pipeline.Select(ShellSyntax.Of))}])";
        }

        var text = $"db.{CollectionName}.find({ShellSyntax.Of(Filter)}{(Projection is null ? "" : ", " + ShellSyntax.Of(Projection))})";
        if (Sort is not null)
        {
            text += $".sort({ShellSyntax.Of(Sort)})";
        }

        if (Skip is not null)
        {
            text += $".skip({Skip})";
        }

        if (Limit is not null)
        {
            text += $".limit({Limit})";
        }

        return text;
    }
}
