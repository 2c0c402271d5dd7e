using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.ReplicaSet;

namespace Tabernacle.EfCore.Tests.Reliability;

/// <summary>
/// <c>EnableRetryOnFailure</c> replays a save whose attempt failed transiently. When that attempt had landed (the server
/// applied it and the answer was a write concern error, twice, so the driver's own retry gave up too), the replay finds its
/// own writes: the save succeeds instead of failing with a duplicate key or a concurrency conflict. The failover soak saw
/// 2–4 % of saves fail that way before.
/// </summary>
public sealed class ReplayedSaveTests(DedicatedReplicaSet replicaSet) : ReplicaSetTestBase(replicaSet)
{
    private ReplicaSetContext CreateRetryingContext() =>
        CreateContext(o =>
            o.DefaultWriteConcern(WriteConcern.WMajority).EnableRetryOnFailure(maxRetryCount: 3,
                maxRetryDelay: TimeSpan.FromMilliseconds(50)));

    [Fact]
    public async Task A_replayed_insert_that_had_landed_succeeds_once()
    {
        await using var db = CreateRetryingContext();
        await WarmUpAsync(db);
        await FailAppliedWritesAsync("insert");

        var item = new Item { Name = "landed", Quantity = 1 };
        db.Items.Add(item);
        Assert.Equal(1, await db.SaveChangesAsync());

        Assert.Equal(EntityState.Unchanged, db.Entry(item).State);
        await Emulator.WaitForReplicationAsync();
        Assert.Single(Emulator.Primary!.GetDocuments(DatabaseName, "items"), d => d["Name"] == "landed");
        Assert.Contains(Logs.Entries, e =>
            e.EventId.Id == Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.ExecutionStrategyRetrying.Id);
    }

    [Fact]
    public async Task A_replayed_multi_document_save_that_had_committed_succeeds_once()
    {
        await using var db = CreateRetryingContext();
        await WarmUpAsync(db);
        await FailAppliedWritesAsync("commitTransaction");

        db.Items.AddRange(new Item { Name = "tx-a" }, new Item { Name = "tx-b" });
        Assert.Equal(2, await db.SaveChangesAsync());

        await Emulator.WaitForReplicationAsync();
        var names = Emulator.Primary!.GetDocuments(DatabaseName, "items").Select(d => d["Name"].AsString).ToList();
        Assert.Single(names, n => n == "tx-a");
        Assert.Single(names, n => n == "tx-b");
    }

    [Fact]
    public async Task A_replayed_update_with_a_concurrency_token_that_had_landed_is_not_a_conflict()
    {
        await using var db = CreateRetryingContext();
        var versioned = new Versioned { Revision = 1 };
        db.Versioned.Add(versioned);
        await db.SaveChangesAsync();
        await FailAppliedWritesAsync("update");

        versioned.Revision = 2;
        Assert.Equal(1, await db.SaveChangesAsync());

        var stored =
            Assert.Single(
                Emulator.Primary!.GetDocuments(DatabaseName,
                    "versioneds").Concat(Emulator.Primary!.GetDocuments(DatabaseName, "versioned")));
        Assert.Equal(2, stored["Revision"].AsInt32);
    }

    [Fact]
    public async Task A_replayed_insert_that_finds_someone_elses_document_still_fails_as_a_duplicate()
    {
        await using var db = CreateRetryingContext();
        await WarmUpAsync(db);
        var item = new Item { Id = ObjectId.GenerateNewId(), Name = "mine" };
        using var direct = new MongoClient(ReplicaSet.ConnectionString);
        await direct.GetDatabase(DatabaseName).GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.WMajority)
            .InsertOneAsync(new BsonDocument { { "_id", item.Id }, { "Name", "theirs" }, { "Quantity", 0 } });

        // The first attempt fails before it runs (twice, so the driver's retry fails too); the replay meets the other document.
        await ConfigureFailPointAsync(
            "{ configureFailPoint: 'failCommand', mode: { times: 2 }, data: { failCommands: ['insert'], errorCode: 91, errorLabels: " +
                "['RetryableWriteError'] } }");
        db.Items.Add(item);
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Contains("_id_", error.Message, StringComparison.Ordinal);
    }

    // The command runs, then answers with a retryable write concern error; twice, so the driver's one retry fails as well.
    private Task FailAppliedWritesAsync(string command) => ConfigureFailPointAsync(
        $"{{ configureFailPoint: 'failCommand', mode: {{ times: 2 }}, data: {{ failCommands: ['{command}'], writeConcernError: {{ code: 91, codeName: 'ShutdownInProgress', errmsg: 'replication interrupted' }} }} }}");

    private async Task ConfigureFailPointAsync(string command)
    {
        using var direct = new MongoClient($"mongodb://{Emulator.Primary!.Host}/?directConnection=true");
        await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(BsonDocument.Parse(command));
    }
}
