using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

public sealed class ReplicationTests : EmulatorTestBase
{
    private IMongoCollection<BsonDocument> Items => Client.GetDatabase("repl").GetCollection<BsonDocument>("items");

    private MongoClient DirectClient(EmulatorMember member) =>
        new(MongoClientSettings.FromConnectionString($"mongodb://{member.Host}/?directConnection=true&readPreference=secondaryPreferred"));

    private static async Task<bool> HasAsync(MongoClient direct, BsonValue id) =>
        await direct.GetDatabase("repl").GetCollection<BsonDocument>("items").Find(new BsonDocument("_id", id)).AnyAsync();

    [Fact]
    public async Task A_majority_write_becomes_visible_on_every_secondary()
    {
        await Items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 'm1', v: 1 }"));
        foreach (var secondary in Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            using var direct = DirectClient(secondary);
            await WaitUntilAsync(() => HasAsync(direct, "m1"), because: $"{secondary.Host} should replicate the write");
        }

        var acknowledgedBy = Emulator.Members.Count(m => m.GetDocuments("repl", "items").Count == 1);
        Assert.True(acknowledgedBy >= 2, "w:majority returns only once two of three members hold the write");
    }

    [Fact]
    public async Task StopReplProducer_keeps_a_secondary_stale_until_it_is_turned_off()
    {
        var paused = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        var other = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary && m != paused);
        using var direct = DirectClient(paused);
        using var otherDirect = DirectClient(other);
        await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(
            Doc("{ configureFailPoint: 'stopReplProducer', mode: 'alwaysOn' }"));
        Assert.True(paused.IsReplicationPaused);

        await Items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 's1' }"));
        await WaitUntilAsync(() => HasAsync(otherDirect, "s1"), because: "the other secondary keeps replicating");
        Assert.False(await HasAsync(direct, "s1"), "the paused secondary must still serve the old data");

        await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(Doc("{ configureFailPoint: 'stopReplProducer', mode: 'off' }"));
        await WaitUntilAsync(() => HasAsync(direct, "s1"), because: "the secondary catches up once the fail point is off");
    }

    [Fact]
    public async Task Majority_with_wtimeout_fails_with_code_64_when_no_secondary_replicates_but_the_write_stays_on_the_primary()
    {
        foreach (var secondary in Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            secondary.PauseReplication();
        }

        var concern = new WriteConcern(WriteConcern.WValue.Parse("majority"), wTimeout: TimeSpan.FromMilliseconds(300));
        var error =
            await Assert.ThrowsAsync<MongoWriteException>(() => Items.WithWriteConcern(concern).InsertOneAsync(Doc("{ _id: 'w1' }")));
        Assert.Equal(64, error.WriteConcernError.Code);
        Assert.Single(Emulator.Primary!.GetDocuments("repl", "items"));

        await Items.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 'w2' }"));
        Assert.Equal(2, Emulator.Primary!.GetDocuments("repl", "items").Count);
    }

    [Fact]
    public async Task W3_waits_for_every_member()
    {
        await Items.WithWriteConcern(new WriteConcern(3)).InsertOneAsync(Doc("{ _id: 'all' }"));
        Assert.All(Emulator.Members, m => Assert.Single(m.GetDocuments("repl", "items")));
    }

    [Fact]
    public async Task A_write_concern_larger_than_the_set_is_unsatisfiable()
    {
        var error =
            await Assert.ThrowsAsync<MongoWriteException>(() =>
                Items.WithWriteConcern(new WriteConcern(5)).InsertOneAsync(Doc("{ _id: 'x' }")));
        Assert.Equal(100, error.WriteConcernError.Code);
    }

    [Fact]
    public async Task A_replication_delay_makes_secondary_reads_stale_for_that_long()
    {
        var lagging = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        lagging.ReplicationDelay = TimeSpan.FromSeconds(30);
        await Items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 'd1' }"));
        using var direct = DirectClient(lagging);
        Assert.False(await HasAsync(direct, "d1"));
        lagging.ReplicationDelay = TimeSpan.Zero;
        await WaitUntilAsync(() => HasAsync(direct, "d1"), because: "removing the delay lets the member catch up");
    }

    [Fact]
    public async Task AfterClusterTime_on_a_paused_secondary_times_out_with_code_50_then_succeeds_once_it_catches_up()
    {
        var secondary = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        secondary.PauseReplication();
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var insert = await raw.RunAsync(Doc("{ insert: 'items', documents: [ { _id: 'c1' } ], writeConcern: { w: 1 } }"), "repl");
        Assert.Equal(1.0, insert["ok"].ToDouble());
        var operationTime = insert["operationTime"].AsBsonTimestamp;

        using var onSecondary = await RawCommandClient.ConnectAsync(secondary.Port);
        var find = new BsonDocument
        {
            { "find", "items" },
            { "filter", new BsonDocument() },
            { "readConcern", new BsonDocument("afterClusterTime", operationTime) },
            { "maxTimeMS", 300 },
            { "$readPreference", new BsonDocument("mode", "secondary") },
        };
        var timedOut = await onSecondary.RunAsync(find, "repl");
        Assert.Equal(50, timedOut["code"].AsInt32);
        Assert.True(timedOut.Contains("operationTime") && timedOut.Contains("$clusterTime"),
            "error replies carry operationTime and $clusterTime");

        secondary.ResumeReplication();
        find["maxTimeMS"] = 10_000;
        var found = await onSecondary.RunAsync(find, "repl");
        Assert.Equal(1.0, found["ok"].ToDouble());
        Assert.Single(found["cursor"]["firstBatch"].AsBsonArray);
    }
}
