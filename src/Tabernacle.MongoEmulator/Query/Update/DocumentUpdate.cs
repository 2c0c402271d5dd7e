using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>
/// A compiled update: a replacement document, an update-operator document (<c>$set</c>, <c>$inc</c>, ...) or an
/// aggregation pipeline (a <see cref="BsonArray"/> of <c>$set/$unset/$replaceWith/$project/...</c> stages).
/// </summary>
internal sealed class DocumentUpdate
{
    private DocumentUpdate()
    {
    }

    /// <summary>Compiles <paramref name="update"/>; invalid updates throw <see cref="Errors.MongoErrorException"/> with MongoDB's code.</summary>
    public static DocumentUpdate Compile(BsonValue update, BsonArray? arrayFilters = null, Collation? collation = null, BsonDocument? variables = null)
    {
        ArgumentNullException.ThrowIfNull(update);
        throw new NotImplementedException("DocumentUpdate.Compile");
    }

    /// <summary>Whether this is a replacement document rather than operators or a pipeline.</summary>
    public bool IsReplacement { get; }

    /// <summary>
    /// Applies the update to a copy of <paramref name="original"/> and returns the new document (the input is never mutated).
    /// <paramref name="isUpsertInsert"/> enables <c>$setOnInsert</c>. <paramref name="now"/> is the time for
    /// <c>$currentDate</c> and <c>$$NOW</c>. Errors (an immutable <c>_id</c> change: 66; <c>$inc</c> on a string: 14) throw.
    /// </summary>
    public BsonDocument Apply(BsonDocument original, MatchDetails? match, bool isUpsertInsert, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(original);
        throw new NotImplementedException("DocumentUpdate.Apply");
    }

    /// <summary>
    /// Builds the document an upsert inserts when nothing matched: the filter's equality conditions (dotted paths expanded),
    /// then the update applied with <c>$setOnInsert</c> active (or the replacement, keeping the filter's <c>_id</c>).
    /// </summary>
    public BsonDocument CreateUpsertDocument(QueryFilter filter, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(filter);
        throw new NotImplementedException("DocumentUpdate.CreateUpsertDocument");
    }
}
