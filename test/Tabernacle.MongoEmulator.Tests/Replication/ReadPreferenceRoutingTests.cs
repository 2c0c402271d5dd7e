using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

public sealed class ReadPreferenceRoutingTests : EmulatorTestBase
{
    private const int Reads = 30;

    protected override ReplicaSetEmulatorOptions Options
    {
        get
        {
            var options = new ReplicaSetEmulatorOptions { Members = 3 };
            options.MemberOptions.Add(new EmulatorMemberOptions { Priority = 2 });
            options.MemberOptions.Add(new EmulatorMemberOptions());
            var reports = new EmulatorMemberOptions();
            reports.Tags["dc"] = "reports";
            options.MemberOptions.Add(reports);
            return options;
        }
    }

    private async Task<long[]> ReadsPerMemberAsync(ReadPreference readPreference, MongoClient? client = null)
    {
        client ??= Client;
        var collection = client.GetDatabase("routing").GetCollection<BsonDocument>("items");
        await collection.InsertOneAsync(Doc("{ x: 1 }"));
        await Emulator.WaitForReplicationAsync();
        await WaitUntilAsync(() =>
            client.Cluster.Description.Servers.Count(s => s.Type == MongoDB.Driver.Core.Servers.ServerType.ReplicaSetSecondary) == 2,
                because: "both secondaries discovered");
        var before = Emulator.Members.Select(m => m.OpCounters.Query).ToArray();
        var routed = collection.WithReadPreference(readPreference);
        for (var i = 0; i < Reads; i++)
        {
            Assert.Single(await routed.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync());
        }

        return Emulator.Members.Select((m, i) => m.OpCounters.Query - before[i]).ToArray();
    }

    private int PrimaryIndex => Emulator.Primary!.Id;

    [Fact]
    public async Task Primary_sends_every_read_to_the_primary()
    {
        var reads = await ReadsPerMemberAsync(ReadPreference.Primary);
        Assert.Equal(Reads, reads[PrimaryIndex]);
        Assert.Equal(Reads, reads.Sum());
    }

    [Fact]
    public async Task PrimaryPreferred_reads_from_the_primary_while_there_is_one()
    {
        var reads = await ReadsPerMemberAsync(ReadPreference.PrimaryPreferred);
        Assert.Equal(Reads, reads[PrimaryIndex]);
        Assert.Equal(Reads, reads.Sum());
    }

    [Fact]
    public async Task Secondary_never_reads_from_the_primary()
    {
        var reads = await ReadsPerMemberAsync(ReadPreference.Secondary);
        Assert.Equal(0, reads[PrimaryIndex]);
        Assert.Equal(Reads, reads.Sum());
    }

    [Fact]
    public async Task SecondaryPreferred_reads_from_secondaries_while_there_are_some()
    {
        var reads = await ReadsPerMemberAsync(ReadPreference.SecondaryPreferred);
        Assert.Equal(0, reads[PrimaryIndex]);
        Assert.Equal(Reads, reads.Sum());
    }

    [Fact]
    public async Task Nearest_spreads_reads_over_members_within_the_latency_window()
    {
        // Every member is on loopback, but on a loaded machine the driver's measured round trips can differ by more
        // than its default 15 ms window; a wide window makes this test about the emulator, not about CPU contention.
        using var client = CreateClient(s => s.LocalThreshold = TimeSpan.FromSeconds(5));
        var reads = await ReadsPerMemberAsync(ReadPreference.Nearest, client);
        Assert.Equal(Reads, reads.Sum());
        Assert.True(reads.Count(r => r > 0) >= 2, $"nearest should use more than one member on loopback, got {string.Join(",", reads)}");
    }

    [Fact]
    public async Task A_tag_set_routes_reads_to_the_tagged_member()
    {
        var tagged = new ReadPreference(ReadPreferenceMode.Secondary, [new TagSet([new Tag("dc", "reports")])]);
        var reads = await ReadsPerMemberAsync(tagged);
        Assert.Equal(Reads, reads[2]);
        Assert.Equal(Reads, reads.Sum());
    }

    [Fact]
    public void The_highest_priority_member_is_elected()
    {
        Assert.Equal(0, PrimaryIndex);
    }
}
