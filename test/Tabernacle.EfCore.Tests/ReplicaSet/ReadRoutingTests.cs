using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

public sealed class ReadRoutingTests(DedicatedReplicaSet replicaSet) : ReplicaSetTestBase(replicaSet)
{
    private const int Reads = 20;

    private async Task<long[]> RunReadsAsync(Func<ReplicaSetContext, Task> read,
        Action<TabernacleDbContextOptionsBuilder>? configure = null, string? connectionString = null)
    {
        await using var db = CreateContext(configure, connectionString);
        db.Items.Add(new Item { Name = "routed", Quantity = 1 });
        await db.SaveChangesAsync();
        await Emulator.WaitForReplicationAsync();
        await WarmUpAsync(db);
        var before = Finds();
        for (var i = 0; i < Reads; i++)
        {
            await read(db);
        }

        return FindsSince(before);
    }

    private int Primary => Emulator.Primary!.Id;

    [Fact]
    public async Task Primary_reads_only_from_the_primary()
    {
        var finds = await RunReadsAsync(db => db.Items.WithReadPreference(ReadPreference.Primary).ToListAsync());
        Assert.Equal(Reads, finds[Primary]);
        Assert.Equal(Reads, finds.Sum());
    }

    [Fact]
    public async Task PrimaryPreferred_reads_from_the_primary_while_it_is_up()
    {
        var finds = await RunReadsAsync(db => db.Items.WithReadPreference(ReadPreferenceMode.PrimaryPreferred).ToListAsync());
        Assert.Equal(Reads, finds[Primary]);
    }

    [Fact]
    public async Task Secondary_never_reads_from_the_primary_for_any_operator()
    {
        var finds = await RunReadsAsync(async db =>
        {
            var query = db.Items.WithReadPreference(ReadPreferenceMode.Secondary);
            await query.FirstAsync();
        });
        Assert.Equal(0, finds[Primary]);
        Assert.Equal(Reads, finds.Sum());

        // Count, Any, Sum and streaming must not reach the primary either: each logged command names the member that answered.
        await using var db = CreateContext();
        await WarmUpAsync(db);
        Logs.Clear();
        var secondaryReads = db.Items.WithReadPreference(ReadPreference.Secondary);
        Assert.Equal(1, await secondaryReads.CountAsync());
        Assert.True(await secondaryReads.AnyAsync());
        Assert.Equal(1, await secondaryReads.SumAsync(i => i.Quantity));
        var listed = new List<Item>();
        await foreach (var item in secondaryReads.AsAsyncEnumerable())
        {
            listed.Add(item);
        }

        Assert.Single(listed);
        var commands = Logs.Entries.Where(e => e.EventId == Diagnostics.TabernacleEventId.CommandExecuted).ToList();
        Assert.Equal(4, commands.Count);
        Assert.All(commands, c => Assert.DoesNotContain(Emulator.Primary!.Host, c.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecondaryPreferred_and_nearest_route_as_MongoDB_does()
    {
        var secondaryPreferred =
            await RunReadsAsync(db => db.Items.WithReadPreference(ReadPreferenceMode.SecondaryPreferred).ToListAsync());
        Assert.Equal(0, secondaryPreferred[Primary]);
        // Every member in the latency window, whatever the machine's load does to the measured round trips: the test is
        // about nearest choosing among eligible members (primary included), not about the 15 ms default window.
        var nearest = await RunReadsAsync(db => db.Items.WithReadPreference(ReadPreferenceMode.Nearest).ToListAsync(),
            connectionString: ReplicaSet.ConnectionString + "&localThresholdMS=60000");
        Assert.Equal(Reads, nearest.Sum());
        Assert.True(nearest.Count(n => n > 0) >= 2,
            $"nearest spreads reads over members in the latency window: {string.Join(",", nearest)}");
    }

    [Fact]
    public async Task A_tag_set_routes_to_the_tagged_member()
    {
        var finds = await RunReadsAsync(db => db.Items
            .WithReadPreference(ReadPreferenceMode.Secondary, [new TagSet([new Tag("dc", "reports")])], TimeSpan.FromMinutes(2))
            .ToListAsync());
        Assert.Equal(Reads, finds[2]);
    }

    [Fact]
    public async Task The_query_beats_the_context_default_which_beats_the_connection_string()
    {
        var viaConnectionString = ReplicaSet.ConnectionString + "&readPreference=secondary";
        var fromConnectionString = await RunReadsAsync(db => db.Items.ToListAsync(), connectionString: viaConnectionString);
        Assert.Equal(0, fromConnectionString[Primary]);

        var fromContext =
            await RunReadsAsync(db => db.Items.ToListAsync(), o => o.DefaultReadPreference(ReadPreference.Primary), viaConnectionString);
        Assert.Equal(Reads, fromContext[Primary]);

        var fromQuery =
            await RunReadsAsync(db => db.Items.WithReadPreference(ReadPreference.Secondary).ToListAsync(), o =>
                o.DefaultReadPreference(ReadPreference.Primary), viaConnectionString);
        Assert.Equal(0, fromQuery[Primary]);
    }

    [Fact]
    public async Task One_compiled_query_serves_every_read_preference()
    {
        await using var db = CreateContext();
        await WarmUpAsync(db);
        var before = Finds();
        foreach (var preference in new[] { ReadPreference.Primary, ReadPreference.Secondary, ReadPreference.Primary })
        {
            await db.Items.Where(i => i.Quantity > 0).WithReadPreference(preference).ToListAsync();
        }

        var finds = FindsSince(before);
        Assert.Equal(2, finds[Primary]);
        Assert.Equal(1, finds.Sum() - finds[Primary]);
        var compiled = Logs.Entries.Count(e => e.Message.Contains("Compiling query expression", StringComparison.Ordinal));
        Assert.True(compiled <= 2, $"the same shape compiles once (plus the warm-up shapes), compiled {compiled} times");
    }

    [Fact]
    public async Task The_log_names_the_effective_read_preference_and_the_member_that_answered()
    {
        await using var db = CreateContext();
        await WarmUpAsync(db);
        Logs.Clear();
        await db.Items.WithReadPreference(ReadPreference.Secondary).ToListAsync();
        var line = Assert.Single(Logs.Entries, e => e.EventId == Diagnostics.TabernacleEventId.CommandExecuted);
        Assert.Contains("read preference Secondary", line.Message);
        Assert.Contains(Emulator.Members.Where(m => m.Role == Tabernacle.MongoEmulator.EmulatorMemberRole.Secondary).Select(m => m.Host),
            host => line.Message.Contains(host, StringComparison.Ordinal));
    }
}
