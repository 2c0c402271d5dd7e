using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// Snapshot sessions as the driver's session specification tests use them: later reads at the first read's
/// atClusterTime still find it after majority-committed writes, and the commands mongod refuses a snapshot for are refused.
/// </summary>
public sealed class SnapshotSessionTests : EmulatorTestBase
{
    private IMongoCollection<BsonDocument> Items => Client.GetDatabase("snap").GetCollection<BsonDocument>("items");

    [Fact]
    public async Task A_snapshot_session_reads_its_first_time_again_after_majority_writes_moved_the_commit_point()
    {
        await Items.WithWriteConcern(WriteConcern.WMajority).InsertManyAsync([Doc("{ _id: 1, x: 1 }"), Doc("{ _id: 2, x: 2 }")]);
        using var session = await Client.StartSessionAsync(new ClientSessionOptions { Snapshot = true });
        Assert.Equal(2, (await Items.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync()).Count);

        // Writes after the snapshot, each acknowledged by a majority, so the commit point moves well past it.
        for (var i = 3; i < 8; i++)
        {
            await Items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(new BsonDocument { { "_id", i }, { "x", i } });
        }

        await Items.WithWriteConcern(WriteConcern.WMajority).UpdateOneAsync(Doc("{ _id: 1 }"), Doc("{ $set: { x: 100 } }"));
        var again = await Items.Find(session, FilterDefinition<BsonDocument>.Empty).Sort(Doc("{ _id: 1 }")).ToListAsync();
        Assert.Equal([1, 2], again.Select(d => d["_id"].AsInt32));
        Assert.Equal(1, again[0]["x"].AsInt32);
        var sum = await Items.Aggregate(session).Group(Doc("{ _id: null, s: { $sum: '$x' } }")).SingleAsync();
        Assert.Equal(3, sum["s"].AsInt32);
        Assert.Equal([1, 2], await (await Items.DistinctAsync<int>(session, "_id", FilterDefinition<BsonDocument>.Empty)).ToListAsync());

        // Outside the session the latest data shows.
        Assert.Equal(7, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task A_snapshot_session_is_refused_for_writes_and_catalog_reads_with_InvalidOptions()
    {
        await Items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(Doc("{ _id: 1 }"));
        using var session = await Client.StartSessionAsync(new ClientSessionOptions { Snapshot = true });
        var database = Client.GetDatabase("snap");

        async Task AssertRefused(Func<Task> operation, string command)
        {
            var error = await Assert.ThrowsAnyAsync<MongoException>(operation);
            var code = error switch
            {
                MongoCommandException c => c.Code,
                MongoWriteException w => w.WriteError.Code,
                _ => -1,
            };
            Assert.True(code == 72, $"{command}: {error.GetType().Name} {error.Message}");
            Assert.Contains($"Command {command} does not support", error.Message, StringComparison.Ordinal);
        }

        await AssertRefused(() => Items.InsertOneAsync(session, Doc("{ _id: 22 }")), "insert");
        await AssertRefused(() => Items.UpdateOneAsync(session, Doc("{ _id: 1 }"), Doc("{ $inc: { x: 1 } }")), "update");
        await AssertRefused(() => Items.DeleteOneAsync(session, FilterDefinition<BsonDocument>.Empty), "delete");
        await AssertRefused(() => Items.FindOneAndUpdateAsync(session, Doc("{ _id: 1 }"), Doc("{ $inc: { x: 1 } }")), "findAndModify");
        await AssertRefused(() => Client.ListDatabaseNamesAsync(session), "listDatabases");
        await AssertRefused(() => database.ListCollectionNamesAsync(session), "listCollections");
        await AssertRefused(() => Items.Indexes.ListAsync(session, CancellationToken.None), "listIndexes");
        await AssertRefused(() => database.RunCommandAsync<BsonDocument>(session, Doc("{ insert: 'items', documents: [{}] }")), "insert");

        // Nothing was written, and the reads a snapshot supports still work in the session.
        Assert.Single(await Items.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync());
        Assert.Equal(1, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }
}
