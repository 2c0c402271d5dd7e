using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// The retryable-write table keeps each session's latest write only, as mongod's config.transactions does: it grows
/// with the sessions, not with the writes, and a retry of an older write is TransactionTooOld instead of running twice.
/// </summary>
public sealed class RetryableWriteTableTests : EmulatorTestBase
{
    [Fact]
    public void A_newer_write_of_a_session_replaces_the_older_ones_which_are_then_too_old_to_retry()
    {
        var table = new RetryableWriteTable();
        table.Record(new RetryableStatement("s1", 1, 0, new BsonDocument("n", 1)));
        table.Record(new RetryableStatement("s1", 1, 1, new BsonDocument("n", 2)));
        Assert.Equal(2, table.Find("s1", 1, 1)!["n"].AsInt32);

        table.Record(new RetryableStatement("s1", 2, 0, new BsonDocument("n", 3)));

        Assert.Equal(3, table.Find("s1", 2, 0)!["n"].AsInt32);
        Assert.Null(table.Find("s1", 2, 1));
        Assert.Null(table.Find("s1", 3, 0));
        var error = Assert.Throws<MongoErrorException>(() => table.Find("s1", 1, 0));
        Assert.Equal(ErrorCodes.TransactionTooOld, error.Code);
        Assert.Equal(1, table.Sessions);

        // An older statement replayed after a newer one (an oplog applied again) changes nothing.
        table.Record(new RetryableStatement("s1", 1, 5, new BsonDocument("n", 4)));
        Assert.Equal(3, table.Find("s1", 2, 0)!["n"].AsInt32);
    }

    [Fact]
    public async Task Many_retryable_writes_of_one_session_leave_one_record_per_session_on_every_member()
    {
        var items = Client.GetDatabase("retry").GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.WMajority);
        await items.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "n", 0 } });
        using var session = await Client.StartSessionAsync();
        for (var i = 0; i < 100; i++)
        {
            await items.UpdateOneAsync(session, Doc("{ _id: 1 }"), Doc("{ $inc: { n: 1 } }"));
        }

        Assert.Equal(100, (await items.Find(Doc("{ _id: 1 }")).SingleAsync())["n"].AsInt32);
        await WaitUntilAsync(
            () => Emulator.Members.All(m => m.Member.RetryableWrites.Sessions <= 2),
            because: "each member keeps the latest write per session: "
                + string.Join(", ", Emulator.Members.Select(m => $"{m.Host}: {m.Member.RetryableWrites.Sessions}")));
    }
}
