using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Sorting;

/// <summary>Orders documents by a sort specification (<c>{a: 1, "b.c": -1}</c>) with MongoDB's sort semantics.</summary>
internal sealed class DocumentSortComparer : IComparer<BsonDocument>
{
    private DocumentSortComparer()
    {
    }

    /// <summary>Compiles <paramref name="sortSpec"/>; invalid directions throw <see cref="Errors.MongoErrorException"/> (15975).</summary>
    public static DocumentSortComparer Compile(BsonDocument sortSpec, Collation? collation = null)
    {
        ArgumentNullException.ThrowIfNull(sortSpec);
        throw new NotImplementedException("DocumentSortComparer.Compile");
    }

    public int Compare(BsonDocument? x, BsonDocument? y) => throw new NotImplementedException("DocumentSortComparer.Compare");
}
