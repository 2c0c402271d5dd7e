using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

public sealed class FailoverSaveTests(DedicatedReplicaSet replicaSet) : ReplicaSetTestBase(replicaSet)
{
    [Fact]
    public async Task Five_hundred_saves_through_three_step_downs_store_every_entity_exactly_once()
    {
        const int saves = 500;
        var acknowledged = new List<ObjectId>();
        var stepDowns = 0;
        await using (var db = CreateContext(o => o.EnableRetryOnFailure(maxRetryCount: 10, maxRetryDelay: TimeSpan.FromMilliseconds(300))))
        {
            Task? stepDown = null;
            for (var i = 0; i < saves; i++)
            {
                if (i is 100 or 250 or 400)
                {
                    // Each step-down runs concurrently with the saves that follow it. With one shared client, 150 saves can
                    // finish before the previous step-down's election does: let it finish first, or there is no primary to step down.
                    if (stepDown is not null)
                    {
                        await stepDown;
                    }

                    stepDown = StepDownAsync();
                    stepDowns++;
                }

                var item = new Item { Name = $"item-{i}", Quantity = i };
                db.Items.Add(item);
                await db.SaveChangesAsync();
                acknowledged.Add(item.Id);
                if (stepDown is { IsCompleted: true })
                {
                    await stepDown;
                    stepDown = null;
                }
            }

            if (stepDown is not null)
            {
                await stepDown;
            }
        }

        Assert.Equal(3, stepDowns);
        await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(30));
        var stored = Emulator.Primary!.GetDocuments(DatabaseName, "items");
        var ids = stored.Select(d => d["_id"].AsObjectId).ToList();
        Assert.Equal(saves, acknowledged.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Empty(acknowledged.Except(ids));
        Assert.Equal(saves, stored.Count(d => d["Name"].AsString.StartsWith("item-", StringComparison.Ordinal)));
    }

    // Member 0 has the highest priority and takes the primary back (priority takeover) once its step-down period is over;
    // a step-down racing that takeover finds no primary to step down, so it tries again on the new primary.
    private async Task StepDownAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Emulator.StepDownAsync(TimeSpan.FromSeconds(5));
                return;
            }
            catch (Exception ex) when (attempt < 5 && ex.Message.Contains("not primary", StringComparison.Ordinal))
            {
            }
        }
    }

    [Fact]
    public async Task Without_retries_a_failed_save_throws_DbUpdateException_and_keeps_the_changes()
    {
        await using var db = CreateContext();
        await WarmUpAsync(db);
        using (var direct = new MongoClient($"mongodb://{Emulator.Primary!.Host}/?directConnection=true"))
        {
            await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(
                BsonDocument.Parse(
                    "{ configureFailPoint: 'failCommand', mode: { times: 2 }, data: { failCommands: ['insert'], errorCode: 2, " +
                        "errorLabels: [] } }"));
        }

        db.Items.Add(new Item { Name = "rejected" });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.IsAssignableFrom<MongoException>(error.InnerException);
        Assert.Single(db.ChangeTracker.Entries<Item>(), e => e.State == EntityState.Added);
    }
}
