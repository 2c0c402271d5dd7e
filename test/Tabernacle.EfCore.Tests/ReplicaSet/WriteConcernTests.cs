using Tabernacle.Testing;
using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

public sealed class WriteConcernTests(DedicatedReplicaSet replicaSet) : ReplicaSetTestBase(replicaSet)
{
    [Fact]
    public async Task Majority_with_both_secondaries_paused_fails_the_save_with_the_write_concern_error_but_w1_succeeds()
    {
        await using var db = CreateContext();
        await WarmUpAsync(db);
        await PauseBothSecondariesAsync();
        try
        {
            db.Items.Add(new Item { Name = "durable?" });
            var majority = new WriteConcern(WriteConcern.WValue.Parse("majority"), wTimeout: TimeSpan.FromMilliseconds(300));
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(majority));
            Assert.Contains("write concern", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.IsAssignableFrom<MongoException>(error.InnerException);
            Assert.Single(db.ChangeTracker.Entries<Item>(), e => e.State == EntityState.Added);

            await using var fast = CreateContext();
            fast.Items.Add(new Item { Name = "fast" });
            Assert.Equal(1, await fast.SaveChangesAsync(WriteConcern.W1));
        }
        finally
        {
            await ResumeAllAsync();
        }
    }

    [Fact]
    public async Task An_entity_write_concern_applies_and_a_save_write_concern_beats_it()
    {
        await using var db = CreateContext();
        await WarmUpAsync(db);
        Assert.Equal("majority", db.Model.FindEntityType(typeof(AuditEntry))!.GetWriteConcern()!.W!.ToString());
        await PauseBothSecondariesAsync();
        try
        {
            db.Audit.Add(new AuditEntry { Message = "needs majority" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

            await using var other = CreateContext();
            other.Audit.Add(new AuditEntry { Message = "w1 wins" });
            Assert.Equal(1, await other.SaveChangesAsync(WriteConcern.W1));
        }
        finally
        {
            await ResumeAllAsync();
        }
    }

    [Fact]
    public async Task The_context_default_write_concern_and_w0()
    {
        await using var db = CreateContext(o => o.DefaultWriteConcern(WriteConcern.Unacknowledged));
        await WarmUpAsync(db);
        db.Items.Add(new Item { Name = "fire and forget" });
        Assert.Equal(1, await db.SaveChangesAsync());
        await Polling.WaitUntilAsync(async () =>
        {
            await using var check = CreateContext();
            return await check.Items.AnyAsync(i => i.Name == "fire and forget");
        }, because: "an unacknowledged insert still lands");
    }

    [Fact]
    public async Task ExecuteUpdate_and_ExecuteDelete_take_the_query_write_concern()
    {
        await using var db = CreateContext();
        db.Items.AddRange(new Item { Name = "a", Quantity = 1 }, new Item { Name = "b", Quantity = 2 },
            new Item { Name = "c", Quantity = 3 });
        await db.SaveChangesAsync();
        var updated = await db.Items.Where(i => i.Quantity >= 2).WithWriteConcern(WriteConcern.WMajority)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Quantity, i => i.Quantity * 10).SetProperty(i => i.Name, "big"));
        Assert.Equal(2, updated);
        Assert.Equal([1, 20, 30], (await db.Items.AsNoTracking().OrderBy(i => i.Quantity).ToListAsync()).Select(i => i.Quantity));
        var deleted = await db.Items.Where(i => i.Name == "big").WithWriteConcern(WriteConcern.W1).ExecuteDeleteAsync();
        Assert.Equal(2, deleted);
        Assert.Equal(1, await db.Items.CountAsync());

        await PauseBothSecondariesAsync();
        try
        {
            var strict = new WriteConcern(WriteConcern.WValue.Parse("majority"), wTimeout: TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<MongoException>(() => db.Items.WithWriteConcern(strict).ExecuteDeleteAsync());
        }
        finally
        {
            await ResumeAllAsync();
        }
    }
}
