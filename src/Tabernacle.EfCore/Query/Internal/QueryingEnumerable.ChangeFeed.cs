using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using Tabernacle.EfCore.ChangeFeeds.Internal;
using Tabernacle.EfCore.Query.Internal.Expressions;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// The seam change feeds use: the query's bound request (its filter) and the query's own shaper for one document, so
/// a change's document is materialised exactly as a query result is, whatever the materialisation internals become.
/// </summary>
internal sealed partial class QueryingEnumerable<TRow, T> : IChangeFeedSource<T>
{
    private bool _feedStateManagerReady;

    DbContext IChangeFeedSource<T>.Context => queryContext.Context;

    TabernacleClientWrapper IChangeFeedSource<T>.Client => queryContext.Client;

    MongoReadRequest IChangeFeedSource<T>.BindRequest() =>
        query.ResultOperator == ResultOperator.None
            ? Request()
            : throw new InvalidOperationException(
                "WatchAsync watches entities: a query that ends in Any, Count or an aggregate cannot be watched.");

    T IChangeFeedSource<T>.Shape(BsonDocument document)
    {
        if (!_feedStateManagerReady)
        {
            queryContext.InitializeStateManager(standAloneStateManager);
            _feedStateManagerReady = true;
        }

        // The row the query's own serializer makes of the document (a value buffer on the wire path), so a change is
        // materialised exactly as a query result is.
        using var reader = new MongoDB.Bson.IO.BsonDocumentReader(document);
        return shaper(queryContext, serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader)));
    }
}
