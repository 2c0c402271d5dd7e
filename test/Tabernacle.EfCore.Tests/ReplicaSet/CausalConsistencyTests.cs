using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

public sealed class CausalConsistencyTests(DedicatedReplicaSet replicaSet) : ReplicaSetTestBase(replicaSet)
{
    private void DelaySecondaries(TimeSpan delay)
    {
        foreach (var member in Emulator.Members.Where(m => m.Role == Tabernacle.MongoEmulator.EmulatorMemberRole.Secondary))
        {
            member.ReplicationDelay = delay;
        }
    }

    [Fact]
    public async Task A_query_on_a_lagging_secondary_sees_the_same_contexts_save()
    {
        await using var db = CreateContext();
        await WarmUpAsync(db);
        DelaySecondaries(TimeSpan.FromMilliseconds(500));
        db.Items.Add(new Item { Name = "mine", Quantity = 7 });
        await db.SaveChangesAsync(WriteConcern.W1);
        var seen = await db.Items.WithReadPreference(ReadPreference.Secondary).AnyAsync(i => i.Name == "mine");
        Assert.True(seen, "the context's causally consistent session must read its own write");
        Assert.NotNull(db.Database.GetOperationTime());
        Assert.NotNull(db.Database.GetClusterTime());
    }

    [Fact]
    public async Task Without_causal_consistency_a_lagging_secondary_serves_old_data()
    {
        await using var db = CreateContext(o => o.CausalConsistency(false));
        await WarmUpAsync(db);
        DelaySecondaries(TimeSpan.FromSeconds(30));
        db.Items.Add(new Item { Name = "not yet", Quantity = 1 });
        await db.SaveChangesAsync(WriteConcern.W1);
        var seen = await db.Items.WithReadPreference(ReadPreference.Secondary).AnyAsync(i => i.Name == "not yet");
        Assert.False(seen, "a secondary 30 s behind cannot have the write without a session waiting for it");
        DelaySecondaries(TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public async Task The_operation_time_carries_read_your_writes_to_another_context()
    {
        await using var writer = CreateContext();
        await WarmUpAsync(writer);
        DelaySecondaries(TimeSpan.FromMilliseconds(500));
        writer.Items.Add(new Item { Name = "handed over" });
        await writer.SaveChangesAsync(WriteConcern.W1);

        // The secondaries are 500 ms behind; the read may wait for them well past the default 1 s on a loaded machine
        // (a Secondary read cannot fall back to the primary, so only a secondary that has the write can answer).
        await using var reader = CreateContext(o => o.CausalReadTimeout(TimeSpan.FromSeconds(30)));
        await WarmUpAsync(reader);
        reader.Database.AdvanceClusterTime(writer.Database.GetClusterTime()!);
        reader.Database.AdvanceOperationTime(writer.Database.GetOperationTime()!);
        Assert.True(await reader.Items.WithReadPreference(ReadPreference.Secondary).AnyAsync(i => i.Name == "handed over"));
    }

    [Fact]
    public async Task The_wait_for_a_lagging_secondary_is_bounded_by_CausalReadTimeout_then_the_primary_answers_or_Secondary_fails()
    {
        await using var db = CreateContext(o => o.CausalReadTimeout(TimeSpan.FromMilliseconds(200)));
        await WarmUpAsync(db);
        DelaySecondaries(TimeSpan.FromSeconds(30));
        db.Items.Add(new Item { Name = "bounded" });
        await db.SaveChangesAsync(WriteConcern.W1);
        var started = DateTime.UtcNow;
        Assert.True(await db.Items.WithReadPreference(ReadPreference.SecondaryPreferred).AnyAsync(i => i.Name == "bounded"));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the read waited for the 30 s secondary");
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            db.Items.WithReadPreference(ReadPreference.Secondary).AnyAsync(i => i.Name == "bounded"));
        Assert.Contains("CausalReadTimeout", error.Message, StringComparison.Ordinal);
        DelaySecondaries(TimeSpan.FromMilliseconds(5));
    }
}
