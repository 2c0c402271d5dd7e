using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.ChangeFeeds.Internal;

/// <summary>What a change feed needs from a compiled query: its filter, the client seam, and its shaper for one document.</summary>
internal interface IChangeFeedSource<out T>
{
    DbContext Context { get; }

    TabernacleClientWrapper Client { get; }

    /// <summary>The query bound to this execution's parameter values.</summary>
    MongoReadRequest BindRequest();

    /// <summary>Materialises one stored document as the query would.</summary>
    T Shape(BsonDocument document);
}
