using MongoDB.Bson;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>The final state of one document written by a transaction: its new version, or <c>null</c> when deleted.</summary>
internal sealed record TransactionChange(string Database, string Collection, BsonValue Id, BsonDocument? Document)
{
    public static void Apply(StorageEngine storage, TransactionChange change)
    {
        if (change.Document is null)
        {
            storage.GetCollection(change.Database, change.Collection)?.Delete(change.Id);
        }
        else
        {
            storage.GetOrCreateDatabase(change.Database).GetOrCreateCollection(change.Collection).Upsert(change.Document);
        }
    }

    public static BsonDocument ToApplyOps(IReadOnlyList<TransactionChange> changes) => new("applyOps", new BsonArray(changes.Select(c =>
    {
        var op = new BsonDocument { { "op", c.Document is null ? "d" : "u" }, { "db", c.Database }, { "coll", c.Collection },
            { "_id", c.Id } };
        if (c.Document is not null)
        {
            op["o"] = c.Document;
        }

        return op;
    })));

    public static IEnumerable<TransactionChange> FromApplyOps(BsonDocument applyOps) =>
        applyOps["applyOps"].AsBsonArray.Select(v => v.AsBsonDocument).Select(op => new TransactionChange(
            op["db"].AsString,
            op["coll"].AsString,
            op["_id"],
            op.TryGetValue("o", out var o) ? o.AsBsonDocument : null));
}
