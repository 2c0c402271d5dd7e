using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

public sealed class FailoverTests : EmulatorTestBase
{
    private IMongoCollection<BsonDocument> Items => Client.GetDatabase("failover").GetCollection<BsonDocument>("items");

    [Fact]
    public async Task Two_hundred_retryable_inserts_with_a_step_down_in_the_middle_are_all_stored_exactly_once()
    {
        var first = Emulator.Primary!;
        Task<EmulatorMember>? stepDown = null;
        for (var i = 0; i < 200; i++)
        {
            if (i == 100)
            {
                stepDown = Emulator.StepDownAsync();
            }

            await Items.InsertOneAsync(new BsonDocument { { "_id", i }, { "n", i } });
        }

        var newPrimary = await stepDown!;
        Assert.NotEqual(first.Id, newPrimary.Id);
        await Emulator.WaitForReplicationAsync();
        var stored = await Items.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        Assert.Equal(200, stored.Count);
        Assert.Equal(Enumerable.Range(0, 200), stored.Select(d => d["_id"].AsInt32).Order());
        Assert.All(Emulator.Members, m => Assert.Equal(200, m.GetDocuments("failover", "items").Count));
    }

    [Fact]
    public async Task A_stopped_primary_is_replaced_and_writes_continue_then_it_rejoins_as_a_secondary()
    {
        await Items.InsertOneAsync(Doc("{ _id: 'before' }"));
        var old = Emulator.Primary!;
        var term = Emulator.Term;
        await old.StopAsync();
        Assert.Equal(EmulatorMemberRole.Down, old.Role);

        var replacement = await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(old.Id, replacement.Id);
        Assert.True(Emulator.Term > term);
        await Items.InsertOneAsync(Doc("{ _id: 'after' }"));

        await old.StartAsync();
        await WaitUntilAsync(() => old.GetDocuments("failover", "items").Count == 2, because: "the restarted member catches up");
        Assert.Equal(EmulatorMemberRole.Secondary, old.Role);
    }

    [Fact]
    public async Task FailCommand_closeConnection_on_insert_is_retried_and_leaves_exactly_one_document()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var configured =
            await raw.RunAsync(
                Doc("{ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['insert'], closeConnection: true } }"));
        Assert.Equal(1.0, configured["ok"].ToDouble());

        await Items.InsertOneAsync(Doc("{ _id: 'once' }"));
        Assert.Equal(1, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task A_retryable_write_concern_error_after_the_write_applied_is_retried_without_a_duplicate()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        await raw.RunAsync(
            Doc("{ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['insert'], writeConcernError: { code: " +
                "262, errmsg: 'exceeded time limit' } } }"));

        // The first attempt inserts and reports a retryable write concern error; the retry must be answered from the
        // retryable-write table instead of inserting again (which would fail with a duplicate key).
        await Items.InsertOneAsync(Doc("{ _id: 'dedup' }"));
        Assert.Equal(1, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task FailCommand_errorCode_fails_the_command_for_the_named_times_then_stops()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        await raw.RunAsync(
            Doc("{ configureFailPoint: 'failCommand', mode: { times: 2 }, data: { failCommands: ['find'], errorCode: 2, errorLabels: " +
                "['MyLabel'] } }"));
        var first = await raw.RunAsync(Doc("{ find: 'items', filter: {} }"), "failover");
        var second = await raw.RunAsync(Doc("{ find: 'items', filter: {} }"), "failover");
        var third = await raw.RunAsync(Doc("{ find: 'items', filter: {} }"), "failover");
        Assert.Equal(2, first["code"].AsInt32);
        Assert.Equal("MyLabel", first["errorLabels"][0].AsString);
        Assert.Equal(2, second["code"].AsInt32);
        Assert.Equal(1.0, third["ok"].ToDouble());
    }

    [Fact]
    public async Task StepDown_command_elects_another_member_and_bumps_the_election_id()
    {
        var primary = Emulator.Primary!;
        using var raw = await RawCommandClient.ConnectAsync(primary.Port);
        var helloBefore = await raw.RunAsync(Doc("{ hello: 1 }"));
        var stepDown = await raw.RunAsync(Doc("{ replSetStepDown: 30, secondaryCatchUpPeriodSecs: 5 }"));
        Assert.Equal(1.0, stepDown["ok"].ToDouble());
        var next = await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(5));
        Assert.NotEqual(primary.Id, next.Id);

        using var onNew = await RawCommandClient.ConnectAsync(next.Port);
        var helloAfter = await onNew.RunAsync(Doc("{ hello: 1 }"));
        Assert.True(helloAfter["electionId"].AsObjectId.CompareTo(helloBefore["electionId"].AsObjectId) > 0,
            "electionId strictly increases per election");
        Assert.True(helloAfter["isWritablePrimary"].AsBoolean);

        var old = await raw.RunAsync(Doc("{ hello: 1 }"));
        Assert.False(old["isWritablePrimary"].AsBoolean);
        Assert.Equal(next.Host, old["primary"].AsString);
    }

    [Fact]
    public async Task A_frozen_secondary_is_not_elected()
    {
        var secondaries = Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary).ToList();
        using var raw = await RawCommandClient.ConnectAsync(secondaries[0].Port);
        var frozen = await raw.RunAsync(Doc("{ replSetFreeze: 60 }"));
        Assert.Equal(1.0, frozen["ok"].ToDouble());

        var next = await Emulator.StepDownAsync();
        Assert.Equal(secondaries[1].Id, next.Id);
    }

    [Fact]
    public async Task A_write_waiting_for_majority_when_the_primary_steps_down_gets_a_retryable_interruption()
    {
        foreach (var secondary in Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            secondary.PauseReplication();
        }

        var primary = Emulator.Primary!;
        using var raw = await RawCommandClient.ConnectAsync(primary.Port);
        var write = raw.RunAsync(new BsonDocument
        {
            { "insert", "items" },
            { "documents", new BsonArray { Doc("{ _id: 'waiting' }") } },
            { "writeConcern", Doc("{ w: 'majority' }") },
            { "lsid", new BsonDocument("id", new BsonBinaryData(Guid.NewGuid(), GuidRepresentation.Standard)) },
            { "txnNumber", 1L },
        }, "failover");
        await WaitUntilAsync(() =>
            primary.GetDocuments("failover", "items").Count == 1, because: "the insert applies on the primary before it waits");
        await primary.StepDownAsync(TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { });

        // With both secondaries paused the catch-up cannot succeed, so force the step-down through the coordinator.
        using var admin = await RawCommandClient.ConnectAsync(primary.Port);
        await admin.RunAsync(Doc("{ replSetStepDown: 30, force: true }"));
        var reply = await write;
        Assert.Equal(11602, reply["writeConcernError"]["code"].AsInt32);
        Assert.Contains("RetryableWriteError", reply["errorLabels"].AsBsonArray.Select(l => l.AsString));
    }
}
