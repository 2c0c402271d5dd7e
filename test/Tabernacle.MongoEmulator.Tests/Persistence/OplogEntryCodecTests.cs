using MongoDB.Bson;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Replication.Persistence;

namespace Tabernacle.MongoEmulator.Tests.Persistence;

/// <summary>The journal's form of an oplog entry keeps every field, so a recovered oplog equals the one written.</summary>
public sealed class OplogEntryCodecTests
{
    public static TheoryData<string> Entries => ["insert", "delete-null-id", "noop", "statement", "change-stream", "transaction", "stored"];

    private static OplogEntry Entry(string kind) => kind switch
    {
        "insert" => new OplogEntry(
            new OpTime(new BsonTimestamp(1_700_000_000, 3), 2), new DateTime(2026, 12, 7, 10, 0, 0, 123, DateTimeKind.Utc),
            OplogOperation.Insert, "shop", "items", new BsonDocument { { "_id", 1 }, { "n", new BsonArray { 1, "a" } } }, 1),
        "delete-null-id" => new OplogEntry(
            new OpTime(new BsonTimestamp(1_700_000_001, 1), 5), DateTime.UnixEpoch,
            OplogOperation.Delete, "shop", "items", null, BsonNull.Value),
        "noop" => new OplogEntry(
            new OpTime(new BsonTimestamp(1_700_000_002, 1), 5), DateTime.UnixEpoch, OplogOperation.Noop, "admin", null, null, null),
        "change-stream" => new OplogEntry(
            new OpTime(new BsonTimestamp(1_700_000_004, 1), 7), DateTime.UnixEpoch, OplogOperation.Update, "shop", "items",
            new BsonDocument { { "_id", "y" }, { "n", 2 } }, "y")
        {
            PreImages = [new BsonDocument { { "_id", "y" }, { "n", 1 } }, null],
            IsReplacement = true,
        },
        "transaction" => new OplogEntry(
            new OpTime(new BsonTimestamp(1_700_000_005, 1), 7), DateTime.UnixEpoch, OplogOperation.ApplyOps, "admin", null, null, null)
        {
            TransactionOperations =
            [
                new("shop", "items", 1, null, new BsonDocument("_id", 1), false),
                new("shop", "items", BsonNull.Value, new BsonDocument("_id", BsonNull.Value), null, true),
            ],
        },
        // A primary's write carries the collection's stored bytes of the new and old versions instead of trees.
        "stored" => new OplogEntry(
            new OpTime(new BsonTimestamp(1_700_000_006, 1), 7), DateTime.UnixEpoch, OplogOperation.Update, "shop", "items", null, "z")
        {
            StoredDocument = new BsonDocument { { "_id", "z" }, { "n", -0.0 } }.ToBson(),
            StoredPreImages = [new BsonDocument { { "_id", "z" }, { "n", 1 } }.ToBson(), null],
        },
        _ => new OplogEntry(
            new OpTime(new BsonTimestamp(1_700_000_003, 9), 7), DateTime.UnixEpoch, OplogOperation.Update, "shop", "items",
            new BsonDocument("_id", "x"), "x")
        {
            Statement = new RetryableStatement("session-1", 42, 3, new BsonDocument("n", 1)),
        },
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void An_entry_survives_the_round_trip_through_its_record(string kind)
    {
        var entry = Entry(kind);

        var bytes = OplogEntryCodec.Encode(entry).ToBson();
        var decoded = OplogEntryCodec.Decode(MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonDocument>(bytes));

        Assert.Equal(entry.OpTime, decoded.OpTime);
        Assert.Equal(entry.WallTime, decoded.WallTime);
        Assert.Equal((entry.Operation, entry.Database, entry.Collection), (decoded.Operation, decoded.Database, decoded.Collection));
        Assert.Equal(entry.Document, decoded.Document);
        if (kind == "stored")
        {
            Assert.Equal(new BsonDocument { { "_id", "z" }, { "n", -0.0 } }, decoded.Document);
            Assert.Equal([new BsonDocument { { "_id", "z" }, { "n", 1 } }, null], decoded.PreImages!);
        }

        Assert.Equal(entry.DocumentId, decoded.DocumentId);
        Assert.Equal(entry.Statement, decoded.Statement);
        Assert.Equal(entry.PreImages, decoded.PreImages);
        Assert.Equal(entry.IsReplacement, decoded.IsReplacement);
        Assert.Equal(entry.TransactionOperations, decoded.TransactionOperations);
    }

    [Fact]
    public void The_codec_knows_every_field_of_an_oplog_entry()
    {
        // A field added to OplogEntry (by change streams, say) must be added to OplogEntryCodec too, or a restart loses it.
        var known = new[]
        {
            "OpTime", "WallTime", "Operation", "Database", "Collection", "Document", "DocumentId", "Statement", "PreImages",
            "IsReplacement", "TransactionOperations",

            // Document and PreImages held as a collection's stored bytes: the codec writes them through those two.
            "StoredDocument", "StoredPreImages",
        };

        var fields = typeof(OplogEntry).GetProperties().Where(p => p.Name != "EqualityContract").Select(p => p.Name);

        Assert.Equal(known.Order(), fields.Order());
    }
}
