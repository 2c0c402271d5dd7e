using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication.Persistence;

/// <summary>An oplog entry as the BSON document a journal or checkpoint record carries, and back.</summary>
internal static class OplogEntryCodec
{
    public static BsonDocument Encode(OplogEntry entry)
    {
        var document = new BsonDocument
        {
            { "ts", entry.OpTime.Timestamp },
            { "t", entry.OpTime.Term },
            { "wall", new BsonDateTime(entry.WallTime) },
            { "op", (int)entry.Operation },
            { "db", entry.Database },
            { "coll", (BsonValue?)entry.Collection ?? BsonNull.Value },
            { "o", (BsonValue?)entry.Document ?? BsonNull.Value },
        };

        // Wrapped, because an _id may itself be null and a missing id must stay distinguishable from it.
        if (entry.DocumentId is { } id)
        {
            document["id"] = new BsonDocument("v", id);
        }

        if (entry.Statement is { } statement)
        {
            document["stmt"] = new BsonDocument
            {
                { "lsid", statement.SessionId },
                { "txn", statement.TxnNumber },
                { "i", statement.StatementId },
                { "r", statement.Result },
            };
        }

        // Change streams read these after a restart: pre-images and update descriptions, replace events, and the
        // writes of a transaction in the order they were made.
        if (entry.PreImages is { } preImages)
        {
            document["pre"] = new BsonArray(preImages.Select(p => (BsonValue?)p ?? BsonNull.Value));
        }

        if (entry.IsReplacement)
        {
            document["repl"] = true;
        }

        if (entry.TransactionOperations is { } operations)
        {
            document["txnOps"] = new BsonArray(operations.Select(o => new BsonDocument
            {
                { "db", o.Database },
                { "coll", o.Collection },
                { "id", new BsonDocument("v", o.Id) },
                { "before", (BsonValue?)o.Before ?? BsonNull.Value },
                { "after", (BsonValue?)o.After ?? BsonNull.Value },
                { "repl", o.IsReplacement },
            }));
        }

        return document;
    }

    public static OplogEntry Decode(BsonDocument document)
    {
        var operation = (OplogOperation)document["op"].AsInt32;
        if (!Enum.IsDefined(operation))
        {
            throw new FormatException($"unknown oplog operation {(int)operation}");
        }

        var entry = new OplogEntry(
            new OpTime(document["ts"].AsBsonTimestamp, document["t"].ToInt64()),
            document["wall"].ToUniversalTime(),
            operation,
            document["db"].AsString,
            document["coll"].IsBsonNull ? null : document["coll"].AsString,
            document["o"].IsBsonNull ? null : document["o"].AsBsonDocument,
            document.TryGetValue("id", out var id) ? id["v"] : null);
        if (document.TryGetValue("stmt", out var stmt))
        {
            entry = entry with
            {
                Statement = new RetryableStatement(
                    stmt["lsid"].AsString, stmt["txn"].ToInt64(), stmt["i"].AsInt32, stmt["r"].AsBsonDocument),
            };
        }

        if (document.TryGetValue("pre", out var pre))
        {
            entry = entry with { PreImages = pre.AsBsonArray.Select(p => p.IsBsonNull ? null : p.AsBsonDocument).ToList() };
        }

        if (document.TryGetValue("repl", out var replacement))
        {
            entry = entry with { IsReplacement = replacement.ToBoolean() };
        }

        if (document.TryGetValue("txnOps", out var txnOps))
        {
            entry = entry with
            {
                TransactionOperations = txnOps.AsBsonArray.Select(o => new TransactionOperation(
                    o["db"].AsString,
                    o["coll"].AsString,
                    o["id"]["v"],
                    o["before"].IsBsonNull ? null : o["before"].AsBsonDocument,
                    o["after"].IsBsonNull ? null : o["after"].AsBsonDocument,
                    o["repl"].ToBoolean())).ToList(),
            };
        }

        return entry;
    }
}
