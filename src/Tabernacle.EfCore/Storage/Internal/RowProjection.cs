using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// A find's projection (sent as is, or none) with the caller's own result serializer, so that a query decodes its
/// results straight from the reply instead of through <see cref="BsonDocument"/>s.
/// </summary>
internal sealed class RowProjection<TRow>(BsonDocument? projection, IBsonSerializer<TRow> serializer)
    : ProjectionDefinition<BsonDocument, TRow>
{
    public override RenderedProjectionDefinition<TRow> Render(RenderArgs<BsonDocument> args) => new(projection, serializer);
}
