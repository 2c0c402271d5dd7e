using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// readConcern majority reads the member's majority-committed snapshot: a write applied on the primary but not yet
/// replicated to a majority is visible to a local read only.
/// </summary>
public sealed class ReadConcernMajorityTests : EmulatorTestBase
{
    private const string Database = "rcm";
    private const string CollectionName = "items";

    private IMongoCollection<BsonDocument> Local =>
        Client.GetDatabase(Database).GetCollection<BsonDocument>(CollectionName).WithReadConcern(ReadConcern.Local);

    private IMongoCollection<BsonDocument> Majority =>
        Client.GetDatabase(Database).GetCollection<BsonDocument>(CollectionName).WithReadConcern(ReadConcern.Majority);

    private IEnumerable<EmulatorMember> Secondaries => Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary);

    private void PauseSecondaries()
    {
        foreach (var secondary in Secondaries.ToList())
        {
            secondary.PauseReplication();
        }
    }

    private void ResumeAll()
    {
        foreach (var member in Emulator.Members)
        {
            member.ResumeReplication();
        }
    }

    private static MongoClient DirectClient(EmulatorMember member) =>
        new(MongoClientSettings.FromConnectionString($"mongodb://{member.Host}/?directConnection=true&readPreference=secondaryPreferred"));

    private static async Task<List<BsonValue>> IdsAsync(IMongoCollection<BsonDocument> collection) =>
        (await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(
            Builders<BsonDocument>.Sort.Ascending("_id")).ToListAsync()).Select(d => d["_id"]).ToList();

    private static async Task<long> AggregateCountAsync(IMongoCollection<BsonDocument> collection) =>
        (await collection.Aggregate().Match(FilterDefinition<BsonDocument>.Empty).Count().FirstOrDefaultAsync())?.Count ?? 0;

    [Fact]
    public async Task An_insert_not_yet_on_a_majority_is_visible_to_local_reads_only_until_it_replicates()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 1 }"));
        PauseSecondaries();

        await Local.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 2 }"));

        Assert.Equal([1, 2], await IdsAsync(Local));
        Assert.Equal([1], await IdsAsync(Majority));
        Assert.Equal(2, await Local.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(1, await Majority.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(1, await Majority.CountDocumentsAsync(Doc("{ _id: { $gte: 1 } }")));
        Assert.Equal(2, await AggregateCountAsync(Local));
        Assert.Equal(1, await AggregateCountAsync(Majority));
        Assert.Empty(await Majority.Find(Doc("{ _id: 2 }")).ToListAsync());
        Assert.Equal([1], await (await Majority.DistinctAsync<int>("_id", FilterDefinition<BsonDocument>.Empty)).ToListAsync());

        // The raw command too, with a count that an index would answer on the latest data.
        var reply = await Client.GetDatabase(Database).RunCommandAsync<BsonDocument>(
            Doc($"{{ count: '{CollectionName}', query: {{ _id: 2 }}, readConcern: {{ level: 'majority' }} }}"));
        Assert.Equal(0, reply["n"].ToInt32());

        ResumeAll();
        await WaitUntilAsync(async () =>
            (await IdsAsync(Majority)).Count == 2, because: "the insert becomes majority-committed once the secondaries catch up");
        Assert.Equal(2, await AggregateCountAsync(Majority));
    }

    [Fact]
    public async Task An_uncommitted_update_and_delete_leave_the_majority_read_on_the_committed_versions()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertManyAsync([Doc("{ _id: 1, v: 'old' }"), Doc("{ _id: 2, v: 'kept' }")]);
        PauseSecondaries();

        await Local.WithWriteConcern(WriteConcern.W1).UpdateOneAsync(Doc("{ _id: 1 }"), Doc("{ $set: { v: 'new' } }"));
        await Local.WithWriteConcern(WriteConcern.W1).DeleteOneAsync(Doc("{ _id: 2 }"));

        var local = await Local.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        Assert.Equal(Doc("{ _id: 1, v: 'new' }"), Assert.Single(local));

        var majority = await Majority.Find(FilterDefinition<BsonDocument>.Empty).Sort(Doc("{ _id: 1 }")).ToListAsync();
        Assert.Equal([Doc("{ _id: 1, v: 'old' }"), Doc("{ _id: 2, v: 'kept' }")], majority);
        Assert.Equal(Doc("{ _id: 1, v: 'old' }"), await Majority.Find(Doc("{ v: 'old' }")).SingleOrDefaultAsync());
        Assert.Null(await Majority.Find(Doc("{ v: 'new' }")).FirstOrDefaultAsync());
        Assert.Equal(2, await Majority.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        ResumeAll();
        await WaitUntilAsync(
            async () => (await Majority.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()) is [var only] && only["v"] == "new",
            because: "the update and the delete become majority-committed once the secondaries catch up");
    }

    [Fact]
    public async Task A_majority_cursor_keeps_reading_the_snapshot_it_started_on()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertManyAsync(
            Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "v", "old" } }));
        PauseSecondaries();
        await Local.WithWriteConcern(WriteConcern.W1).UpdateManyAsync(FilterDefinition<BsonDocument>.Empty, Doc("{ $set: { v: 'new' } }"));

        using var cursor = await Majority.FindAsync(FilterDefinition<BsonDocument>.Empty, new FindOptions<BsonDocument> { BatchSize = 3 });
        Assert.True(await cursor.MoveNextAsync());
        ResumeAll();
        await WaitUntilAsync(async () =>
            await Majority.CountDocumentsAsync(Doc("{ v: 'new' }")) == 10, because: "the updates become majority-committed");

        var seen = cursor.Current.ToList();
        while (await cursor.MoveNextAsync())
        {
            seen.AddRange(cursor.Current);
        }

        Assert.Equal(10, seen.Count);
        Assert.All(seen, d => Assert.Equal("old", d["v"].AsString));
    }

    [Fact]
    public async Task A_majority_read_on_a_secondary_returns_its_majority_committed_data()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 1 }"));
        var secondaries = Secondaries.ToList();
        var (lagging, applying) = (secondaries[0], secondaries[1]);

        // The applying secondary receives the write but no majority does: it holds it locally, uncommitted.
        lagging.PauseReplication();
        await Local.WithWriteConcern(new WriteConcern(1)).InsertOneAsync(Doc("{ _id: 2 }"));
        using var direct = DirectClient(applying);
        var onSecondary = direct.GetDatabase(Database).GetCollection<BsonDocument>(CollectionName);
        await WaitUntilAsync(async () =>
            (await IdsAsync(onSecondary.WithReadConcern(ReadConcern.Local))).Count == 2,
                because: "the applying secondary replicates the write");

        // Two of three members now hold it, so it is majority-committed: the secondary's majority read sees it.
        await WaitUntilAsync(async () =>
            (await IdsAsync(onSecondary.WithReadConcern(ReadConcern.Majority))).Count == 2,
                because: "two of three members make a majority");

        // Now only the primary takes a write: the secondary that has not applied it cannot show it, and the lagging
        // secondary's majority read shows what it has applied of the committed data.
        applying.PauseReplication();
        await Local.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 3 }"));
        Assert.Equal([1, 2], await IdsAsync(onSecondary.WithReadConcern(ReadConcern.Majority)));
        Assert.Equal([1, 2], await IdsAsync(Majority));

        using var laggingDirect = DirectClient(lagging);
        var onLagging =
            laggingDirect.GetDatabase(Database).GetCollection<BsonDocument>(CollectionName).WithReadConcern(ReadConcern.Majority);
        Assert.Equal([1], await IdsAsync(onLagging));

        lagging.ResumeReplication();
        await WaitUntilAsync(async () =>
            (await IdsAsync(onLagging)).Count == 3,
                because: "the lagging secondary catches up and the write is committed by it and the primary");
        await WaitUntilAsync(async () => (await IdsAsync(Majority)).Count == 3, because: "the primary learns the new commit point");
        Assert.Equal([1, 2], await IdsAsync(onSecondary.WithReadConcern(ReadConcern.Majority)));
    }

    [Fact]
    public async Task The_history_kept_for_majority_reads_is_pruned_as_the_commit_point_advances()
    {
        // Without a snapshot history window (SnapshotHistoryTests covers it), only the commit point holds the history.
        Emulator.Members[0].Member.Set.SnapshotHistoryWindow = TimeSpan.Zero;
        var items = Local.WithWriteConcern(WriteConcern.WMajority);
        for (var i = 0; i < 200; i++)
        {
            await items.InsertOneAsync(new BsonDocument { { "_id", i }, { "v", 0 } });
            await items.UpdateOneAsync(new BsonDocument("_id", i), Doc("{ $inc: { v: 1 } }"));
        }

        await items.DeleteManyAsync(Doc("{ _id: { $lt: 100 } }"));

        await WaitUntilAsync(
            () => Emulator.Members.All(m => m.Member.Storage.History.RetainedChanges <= 4 && m.Member.RetainedOpTimes <= 4),
            because: "every member forgets the history once the commit point passes it: "
                + string.Join(", ",
                    Emulator.Members.Select(m =>
                        $"{m.Host}: {m.Member.Storage.History.RetainedChanges} changes, {m.Member.RetainedOpTimes} optimes")));
        Assert.Equal(100, await Majority.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        // With replication paused the history grows with the uncommitted writes, and goes once they commit.
        PauseSecondaries();
        for (var i = 0; i < 50; i++)
        {
            await Local.WithWriteConcern(WriteConcern.W1).UpdateOneAsync(new BsonDocument("_id", 150), Doc("{ $inc: { v: 1 } }"));
        }

        Assert.True(Emulator.Primary!.Member.Storage.History.RetainedChanges >= 50);
        Assert.Equal(1, (await Majority.Find(Doc("{ _id: 150 }")).SingleAsync())["v"].ToInt32());
        ResumeAll();
        await WaitUntilAsync(() =>
            Emulator.Members.All(m => m.Member.Storage.History.RetainedChanges <= 4), because: "the history goes once the writes commit");
        Assert.Equal(51, (await Majority.Find(Doc("{ _id: 150 }")).SingleAsync())["v"].ToInt32());
    }

    [Fact]
    public async Task A_transaction_open_across_majority_pruning_keeps_its_snapshot()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 1, v: 'old' }"));
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        var inTransaction = Client.GetDatabase(Database).GetCollection<BsonDocument>(CollectionName);
        Assert.Equal("old", (await inTransaction.Find(session, Doc("{ _id: 1 }")).SingleAsync())["v"].AsString);

        for (var i = 0; i < 20; i++)
        {
            await Local.WithWriteConcern(WriteConcern.WMajority).UpdateOneAsync(Doc("{ _id: 1 }"),
                new BsonDocument("$set", new BsonDocument("v", $"v{i}")));
        }

        Assert.Equal("v19", (await Majority.Find(Doc("{ _id: 1 }")).SingleAsync())["v"].AsString);
        Assert.Equal("old", (await inTransaction.Find(session, Doc("{ _id: 1 }")).SingleAsync())["v"].AsString);
        await session.AbortTransactionAsync();
    }

    [Fact]
    public async Task A_causally_consistent_majority_read_after_a_w1_write_waits_until_it_is_committed()
    {
        PauseSecondaries();
        using var session = await Client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = true });
        await Local.WithWriteConcern(WriteConcern.W1).InsertOneAsync(session, Doc("{ _id: 1 }"));

        var read = Majority.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync();
        await Task.Delay(200); // Only to give the read a chance to answer too early; the assertion does not depend on timing.
        Assert.False(read.IsCompleted, "a majority read after the write's cluster time waits for it to be majority-committed");
        ResumeAll();
        Assert.Single(await read);
    }

    [Fact]
    public async Task Snapshot_reads_outside_transactions_read_the_majority_snapshot_and_report_its_time()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 1 }"));
        PauseSecondaries();
        await Local.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 2 }"));

        var reply = await Client.GetDatabase(Database).RunCommandAsync<BsonDocument>(
            Doc($"{{ find: '{CollectionName}', readConcern: {{ level: 'snapshot' }} }}"));
        Assert.Equal([1], reply["cursor"]["firstBatch"].AsBsonArray.Select(d => d["_id"]).ToList());
        Assert.IsType<BsonTimestamp>(reply["cursor"]["atClusterTime"]);

        // A snapshot session sends the first read's atClusterTime with its later reads.
        using var session = await Client.StartSessionAsync(new ClientSessionOptions { Snapshot = true });
        var collection = Client.GetDatabase(Database).GetCollection<BsonDocument>(CollectionName);
        Assert.Single(await collection.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync());
        await Local.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 3 }"));
        Assert.Single(await collection.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync());
        Assert.Equal([1], await (await collection.DistinctAsync<int>(session, "_id", FilterDefinition<BsonDocument>.Empty)).ToListAsync());
        ResumeAll();
    }

    [Fact]
    public async Task A_drop_not_yet_on_a_majority_leaves_the_collection_to_majority_reads()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertManyAsync([Doc("{ _id: 1 }"), Doc("{ _id: 2 }")]);
        PauseSecondaries();
        await Client.GetDatabase(Database).WithWriteConcern(WriteConcern.W1).DropCollectionAsync(CollectionName);

        Assert.Empty(await IdsAsync(Local));
        Assert.Equal([1, 2], await IdsAsync(Majority));

        ResumeAll();
        await WaitUntilAsync(async () => (await IdsAsync(Majority)).Count == 0, because: "the drop becomes majority-committed");
    }

    [Fact]
    public async Task Linearizable_reads_on_the_primary_see_its_latest_data()
    {
        await Local.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 1 }"));
        Assert.Single(await Local.WithReadConcern(ReadConcern.Linearizable).Find(FilterDefinition<BsonDocument>.Empty).ToListAsync());
    }
}

/// <summary>In a five-member set a secondary can hold a write that no majority has yet: its majority read hides it.</summary>
public sealed class ReadConcernMajorityFiveMemberTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 5 };

    [Fact]
    public async Task A_secondary_majority_read_hides_what_it_applied_before_a_majority_did()
    {
        var items = Client.GetDatabase("rcm5").GetCollection<BsonDocument>("items");
        await items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 1 }"));
        var secondaries = Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary).ToList();
        var applying = secondaries[0];
        foreach (var paused in secondaries.Skip(1))
        {
            paused.PauseReplication();
        }

        // The primary and one secondary hold the write: two of five, no majority.
        await items.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 2 }"));
        using var direct =
            new MongoClient(
                MongoClientSettings.FromConnectionString(
                    $"mongodb://{applying.Host}/?directConnection=true&readPreference=secondaryPreferred"));
        var onSecondary = direct.GetDatabase("rcm5").GetCollection<BsonDocument>("items");
        await WaitUntilAsync(async () =>
            await onSecondary.WithReadConcern(ReadConcern.Local).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty) == 2,
                because: "the applying secondary replicates the write");
        Assert.Equal(1, await onSecondary.WithReadConcern(ReadConcern.Majority).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(1, await items.WithReadConcern(ReadConcern.Majority).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        // A third member makes the majority: both reads then see the write.
        secondaries[1].ResumeReplication();
        await WaitUntilAsync(async () =>
            await onSecondary.WithReadConcern(ReadConcern.Majority).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty) == 2,
                because: "three of five members make a majority");
        await WaitUntilAsync(async () =>
            await items.WithReadConcern(ReadConcern.Majority).CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty) == 2,
                because: "the primary learns the commit point");
    }
}
