using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// Snapshot reads at any cluster time the set still holds, not only at times it handed out (the driver's snapshot
/// session with a <c>snapshotTime</c>, and readConcern snapshot with <c>atClusterTime</c>); the history that makes them
/// possible is bounded by a number of changes, and the oplog rolls over, so memory stays flat under a steady write load.
/// </summary>
public sealed class SnapshotHistoryTests : EmulatorTestBase
{
    private IMongoCollection<BsonDocument> Items =>
        Client.GetDatabase("history").GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.WMajority);

    private ReplicationSettings Set => new(Emulator.Members[0].Member.Set);

    private async Task<BsonTimestamp> WriteAsync(Func<IClientSessionHandle, Task> write)
    {
        using var session = await Client.StartSessionAsync();
        await write(session);
        return session.OperationTime;
    }

    private async Task<int?> ValueAtAsync(BsonTimestamp time)
    {
        using var session = await Client.StartSessionAsync(new ClientSessionOptions { Snapshot = true, SnapshotTime = time });
        var found = await Items.Find(session, Doc("{ _id: 1 }")).SingleOrDefaultAsync();
        return found?["v"].AsInt32;
    }

    [Fact]
    public async Task A_snapshot_session_reads_at_any_earlier_cluster_time_and_sees_the_data_as_it_was_then()
    {
        var beforeInsert = await WriteAsync(s => Items.InsertOneAsync(s, Doc("{ _id: 0 }")));
        var inserted = await WriteAsync(s => Items.InsertOneAsync(s, Doc("{ _id: 1, v: 1 }")));
        var updated = await WriteAsync(s => Items.UpdateOneAsync(s, Doc("{ _id: 1 }"), Doc("{ $set: { v: 2 } }")));
        await WriteAsync(s => Items.UpdateOneAsync(s, Doc("{ _id: 1 }"), Doc("{ $set: { v: 3 } }")));
        await WriteAsync(s => Items.DeleteOneAsync(s, Doc("{ _id: 0 }")));

        // None of these times was handed out as a snapshot time before: each is read from the history.
        Assert.Null(await ValueAtAsync(beforeInsert));
        Assert.Equal(1, await ValueAtAsync(inserted));
        Assert.Equal(2, await ValueAtAsync(updated));

        // The same through readConcern snapshot with atClusterTime, where the deleted document is still there.
        var reply = await Client.GetDatabase("history").RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "find", "items" }, { "sort", Doc("{ _id: 1 }") },
            { "readConcern", new BsonDocument { { "level", "snapshot" }, { "atClusterTime", inserted } } },
        });
        var batch = reply["cursor"]["firstBatch"].AsBsonArray.Select(d => d.AsBsonDocument).ToList();
        Assert.Equal([0, 1], batch.Select(d => d["_id"].AsInt32));
        Assert.Equal(1, batch[1]["v"].AsInt32);
        Assert.Equal(inserted, reply["cursor"]["atClusterTime"].AsBsonTimestamp);
    }

    [Fact]
    public async Task A_time_older_than_the_history_the_set_keeps_is_SnapshotTooOld_and_the_history_stays_bounded()
    {
        Set.MaxChanges = 20;
        var inserted = await WriteAsync(s => Items.InsertOneAsync(s, Doc("{ _id: 1, v: 0 }")));
        BsonTimestamp last = inserted;
        for (var i = 1; i <= 60; i++)
        {
            last = await WriteAsync(s => Items.UpdateOneAsync(s, Doc("{ _id: 1 }"), new BsonDocument("$set", new BsonDocument("v", i))));
        }

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => ValueAtAsync(inserted));
        Assert.Equal(239, error.Code);
        Assert.Equal("SnapshotTooOld", error.CodeName);
        Assert.Equal(60, await ValueAtAsync(last));

        await WaitUntilAsync(
            () => Emulator.Members.All(m => m.Member.Storage.History.RetainedChanges <= 25),
            because: "every member keeps at most the configured changes: "
                + string.Join(", ", Emulator.Members.Select(m => $"{m.Host}: {m.Member.Storage.History.RetainedChanges}")));
    }

    [Fact]
    public async Task The_oplog_rolls_over_once_every_member_applied_its_entries_and_a_resume_from_before_is_history_lost()
    {
        Set.OplogEntries = 50;
        var start = await WriteAsync(s => Items.InsertOneAsync(s, Doc("{ _id: -1 }")));
        for (var i = 0; i < 200; i++)
        {
            await Items.InsertOneAsync(new BsonDocument("_id", i));
        }

        await WaitUntilAsync(
            () => Emulator.Members.All(m => m.Member.Oplog.Count <= 63 && m.Member.Oplog.HasTruncated),
            because: "every member's oplog keeps about 50 entries: "
                + string.Join(", ", Emulator.Members.Select(m => $"{m.Host}: {m.Member.Oplog.Count}")));
        Assert.All(Emulator.Members, m => Assert.Equal(201, m.GetDocuments("history", "items").Count));

        var options = new ChangeStreamOptions { StartAtOperationTime = start };
        var error = await Assert.ThrowsAsync<MongoCommandException>(async () =>
        {
            using var cursor = await Items.WatchAsync(options);
            await cursor.MoveNextAsync();
        });
        Assert.Equal(286, error.Code);
    }

    // The set's history settings, which the tests lower so that a few writes pass them.
    private sealed class ReplicationSettings(MongoEmulator.Replication.ReplicaSetCoordinator set)
    {
        public int MaxChanges
        {
            set => set.SnapshotHistoryMaxChanges = value;
        }

        public int OplogEntries
        {
            set => set.OplogRetainedEntries = value;
        }
    }
}
