using System.Security.Cryptography;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication.ChangeStreams;

/// <summary>A change event with its place in the history; <see cref="Invalidates"/> ends the stream.</summary>
internal sealed record ChangeEvent(StreamPosition Position, BsonDocument Document, bool Invalidates);

/// <summary>
/// Turns one oplog entry into the change events a stream sees, in MongoDB 7.0's shapes: insert, update (with its
/// update description), replace, delete, drop, dropDatabase and invalidate; a transaction's changes carry its
/// <c>lsid</c> and <c>txnNumber</c>. Full documents and pre-images follow the stream's modes. Callers hold the
/// member's storage lock (lookups and collection options read the member's data).
/// </summary>
internal sealed class ChangeEventFactory(ChangeStreamSpec spec, ReplicaMember member)
{
    private static readonly byte[] NoUserDigest = SHA256.HashData([]);

    public IEnumerable<ChangeEvent> EventsOf(OplogEntry entry)
    {
        var time = entry.OpTime.Timestamp;
        switch (entry.Operation)
        {
            case OplogOperation.Insert or OplogOperation.Update or OplogOperation.Delete
                when spec.Watches(entry.Database, entry.Collection):
                var before = entry.PreImages is { Count: > 0 } images ? images[0] : null;
                var id = entry.DocumentId ?? entry.Document!["_id"];
                var kind = entry.Operation switch
                {
                    OplogOperation.Insert => "insert",
                    OplogOperation.Delete => "delete",
                    _ => entry.IsReplacement || before is null ? "replace" : "update",
                };
                var single = new StreamPosition(time, 0);
                var shown = DocumentEvent(kind, single, entry, entry.Collection!, id, before, entry.Document, null);
                yield return new ChangeEvent(single, shown, false);
                break;
            case OplogOperation.ApplyOps when entry.TransactionOperations is { } operations:
                // Each write of the transaction in the order it was made, as mongod's applyOps entry lists them.
                for (var i = 0; i < operations.Count; i++)
                {
                    var write = operations[i];
                    if (!spec.Watches(write.Database, write.Collection))
                    {
                        continue;
                    }

                    var writeKind = write.After is null ? "delete"
                        : write.Before is null ? "insert"
                        : write.IsReplacement ? "replace" : "update";
                    var position = new StreamPosition(time, i);
                    var writeEntry = entry with { Database = write.Database };
                    var writeEvent = DocumentEvent(
                        writeKind, position, writeEntry, write.Collection, write.Id, write.Before, write.After, entry.Statement);
                    yield return new ChangeEvent(position, writeEvent, false);
                }

                break;
            case OplogOperation.ApplyOps:
                var changes = entry.Document!["applyOps"].AsBsonArray;
                var preImages = entry.PreImages;
                for (var i = 0; i < changes.Count; i++)
                {
                    var op = changes[i].AsBsonDocument;
                    var database = op["db"].AsString;
                    var collection = op["coll"].AsString;
                    if (!spec.Watches(database, collection))
                    {
                        continue;
                    }

                    var preImage = preImages is { } all && i < all.Count ? all[i] : null;
                    var postImage = op.TryGetValue("o", out var o) ? o.AsBsonDocument : null;
                    var opKind = postImage is null ? "delete" : preImage is null ? "insert" : "update";
                    var transactionEntry = entry with { Database = database };
                    var opPosition = new StreamPosition(time, i);
                    yield return new ChangeEvent(opPosition,
                        DocumentEvent(opKind, opPosition, transactionEntry, collection, op["_id"], preImage, postImage, entry.Statement),
                        false);
                }

                break;
            case OplogOperation.Command:
                foreach (var change in CatalogEvents(entry))
                {
                    yield return change;
                }

                break;
        }
    }

    private IEnumerable<ChangeEvent> CatalogEvents(OplogEntry entry)
    {
        var time = entry.OpTime.Timestamp;
        var command = entry.Document!;
        switch (command.GetElement(0).Name)
        {
            case "drop":
                var collection = command["drop"].AsString;
                if (!spec.Watches(entry.Database, collection))
                {
                    yield break;
                }

                yield return new ChangeEvent(new StreamPosition(time, 0),
                    Header("drop", entry, new StreamPosition(time, 0)).Add("ns", Namespace(entry.Database, collection)), false);
                if (spec.Level == ChangeStreamLevel.Collection)
                {
                    yield return Invalidate(entry, 1);
                }

                break;
            case "renameCollection":
                var from = command["renameCollection"].AsString;
                var to = command["to"].AsString;
                var watchesTarget = spec.Level != ChangeStreamLevel.Collection && spec.Watches(entry.Database, to);
                if (!spec.Watches(entry.Database, from) && !watchesTarget)
                {
                    yield break;
                }

                var rename = Header("rename", entry, new StreamPosition(time, 0));
                rename.Add("ns", Namespace(entry.Database, from)).Add("to", Namespace(entry.Database, to));
                yield return new ChangeEvent(new StreamPosition(time, 0), rename, false);
                if (spec.Level == ChangeStreamLevel.Collection && spec.Collection == from)
                {
                    yield return Invalidate(entry, 1);
                }

                break;
            case "dropDatabase":
                if (!spec.Watches(entry.Database, null))
                {
                    yield break;
                }

                if (spec.Level == ChangeStreamLevel.Collection)
                {
                    yield return new ChangeEvent(new StreamPosition(time, 0),
                        Header("drop", entry, new StreamPosition(time, 0)).Add("ns", Namespace(entry.Database, spec.Collection)), false);
                }
                else
                {
                    yield return new ChangeEvent(new StreamPosition(time, 0),
                        Header("dropDatabase", entry, new StreamPosition(time, 0)).Add("ns", new BsonDocument("db", entry.Database)),
                        false);
                }

                if (spec.Level != ChangeStreamLevel.Cluster)
                {
                    yield return Invalidate(entry, 1);
                }

                break;
        }
    }

    private static ChangeEvent Invalidate(OplogEntry entry, int index)
    {
        var position = new StreamPosition(entry.OpTime.Timestamp, index, FromInvalidate: true);
        return new ChangeEvent(position, Header("invalidate", entry, position), true);
    }

    private BsonDocument DocumentEvent(
        string kind, StreamPosition position, OplogEntry entry, string collection, BsonValue id, BsonDocument? before, BsonDocument? after,
        RetryableStatement? transaction)
    {
        var change = Header(kind, entry, position);
        var imagesKept = PreAndPostImagesEnabled(entry.Database, collection);
        switch (kind)
        {
            case "insert" or "replace":
                change["fullDocument"] = (BsonValue?)after ?? BsonNull.Value;
                break;
            case "update":
                change["fullDocument"] = UpdateFullDocument(entry.Database, collection, id, after, imagesKept);
                break;
        }

        change["ns"] = Namespace(entry.Database, collection);
        change["documentKey"] = new BsonDocument("_id", id);
        if (kind == "update")
        {
            change["updateDescription"] = UpdateDescriptionBuilder.Build(before!, after!);
        }

        if (kind is "update" or "replace" or "delete" && spec.FullDocumentBeforeChange != "off")
        {
            if (!imagesKept && spec.FullDocumentBeforeChange == "required")
            {
                throw new MongoErrorException(ErrorCodes.NoMatchingDocument,
                    $"Change stream was configured to require a pre-image for all update, delete and replace events, but the pre-image was "
                    + $"not found for event with _id {change["_id"].ToJson()}");
            }

            change["fullDocumentBeforeChange"] = imagesKept && before is not null ? before : BsonNull.Value;
        }

        if (transaction is not null)
        {
            change["lsid"] = new BsonDocument
            {
                { "id", new BsonBinaryData(Convert.FromHexString(transaction.SessionId), BsonBinarySubType.UuidStandard) },
                { "uid", new BsonBinaryData(NoUserDigest) },
            };
            change["txnNumber"] = transaction.TxnNumber;
        }

        return change;
    }

    private BsonValue UpdateFullDocument(string database, string collection, BsonValue id, BsonDocument? after, bool imagesKept)
    {
        switch (spec.FullDocument)
        {
            case "updateLookup":
                return LookUp(database, collection, id) ?? (BsonValue)BsonNull.Value;
            case "whenAvailable":
                return imagesKept && after is not null ? after : BsonNull.Value;
            case "required":
                return imagesKept && after is not null
                    ? after
                    : throw new MongoErrorException(ErrorCodes.NoMatchingDocument,
                        "Change stream was configured to require a post-image for all update, delete and replace events, "
                        + "but the post-image was not found: enable changeStreamPreAndPostImages on the collection");
            default:
                return BsonNull.Value;
        }
    }

    // updateLookup reads the document as the majority-committed snapshot has it now, as mongod's lookup does.
    private BsonDocument? LookUp(string database, string collection, BsonValue id)
    {
        var (_, sequence) = member.MajorityReadPoint();
        if (sequence >= member.Storage.History.Sequence)
        {
            return member.Storage.GetCollection(database, collection)?.FindById(id);
        }

        return new SnapshotDataReader(member.Storage, sequence).Documents(database, collection)
            .FirstOrDefault(d => d.TryGetValue("_id", out var value) && value.Equals(id));
    }

    private bool PreAndPostImagesEnabled(string database, string collection) =>
        member.Storage.GetCollection(database, collection) is { } store
        && store.Options.TryGetValue("changeStreamPreAndPostImages", out var option) && option is BsonDocument settings
        && settings.GetValue("enabled", false).ToBoolean();

    private static BsonDocument Header(string kind, OplogEntry entry, StreamPosition position) => new()
    {
        { "_id", position.ToToken() },
        { "operationType", kind },
        { "clusterTime", entry.OpTime.Timestamp },
        { "wallTime", new BsonDateTime(entry.WallTime) },
    };

    private static BsonDocument Namespace(string database, string? collection) =>
        collection is null ? new BsonDocument("db", database) : new BsonDocument { { "db", database }, { "coll", collection } };
}
