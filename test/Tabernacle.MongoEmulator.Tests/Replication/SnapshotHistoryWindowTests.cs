using Microsoft.Extensions.Time.Testing;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// The snapshot history window of mongod's minSnapshotHistoryWindowInSeconds (300 s), on the set's fake clock: a time
/// inside it reads as it was, a time that fell out of it is SnapshotTooOld (239).
/// </summary>
public sealed class SnapshotHistoryWindowTests : EmulatorTestBase
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    protected override ReplicaSetEmulatorOptions Options =>
        new() { Members = 3, TimeProvider = _clock, DefaultReplicationDelay = TimeSpan.Zero };

    private IMongoCollection<BsonDocument> Items =>
        Client.GetDatabase("window").GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.WMajority);

    private async Task<BsonTimestamp> WriteAsync(Func<IClientSessionHandle, Task> write)
    {
        using var session = await Client.StartSessionAsync();
        await write(session);
        return session.OperationTime;
    }

    private async Task<int> ValueAtAsync(BsonTimestamp time)
    {
        using var session = await Client.StartSessionAsync(new ClientSessionOptions { Snapshot = true, SnapshotTime = time });
        return (await Items.Find(session, Doc("{ _id: 1 }")).SingleAsync())["v"].AsInt32;
    }

    [Fact]
    public async Task A_time_inside_the_window_reads_as_it_was_and_one_that_fell_out_of_it_is_SnapshotTooOld()
    {
        var first = await WriteAsync(s => Items.InsertOneAsync(s, Doc("{ _id: 1, v: 1 }")));
        await WriteAsync(s => Items.UpdateOneAsync(s, Doc("{ _id: 1 }"), Doc("{ $set: { v: 2 } }")));

        // 299 s later the first time is still in the window.
        _clock.Advance(TimeSpan.FromSeconds(299));
        var later = await WriteAsync(s => Items.UpdateOneAsync(s, Doc("{ _id: 1 }"), Doc("{ $set: { v: 3 } }")));
        Assert.Equal(1, await ValueAtAsync(first));

        // Past 300 s it is gone; the later time, still inside, reads.
        _clock.Advance(TimeSpan.FromSeconds(2));
        await WriteAsync(s => Items.UpdateOneAsync(s, Doc("{ _id: 1 }"), Doc("{ $set: { v: 4 } }")));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => ValueAtAsync(first));
        Assert.Equal(239, error.Code);
        Assert.Equal(3, await ValueAtAsync(later));
    }
}
