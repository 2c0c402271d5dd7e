using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Query.Projection;

/// <summary>A compiled <c>find</c>/<c>findAndModify</c> projection (inclusion, exclusion, <c>$slice</c>, <c>$elemMatch</c>, positional <c>$</c>, expressions).</summary>
internal sealed class QueryProjection
{
    private QueryProjection()
    {
    }

    /// <summary>Compiles a projection; invalid ones (mixing inclusion and exclusion, ...) throw <see cref="Errors.MongoErrorException"/> with MongoDB's code.</summary>
    public static QueryProjection Compile(BsonDocument projection, Collation? collation = null, BsonDocument? variables = null)
    {
        ArgumentNullException.ThrowIfNull(projection);
        throw new NotImplementedException("QueryProjection.Compile");
    }

    /// <summary>Returns the projected copy of <paramref name="document"/>; never mutates the input.</summary>
    public BsonDocument Apply(BsonDocument document, MatchDetails? match = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        throw new NotImplementedException("QueryProjection.Apply");
    }
}
