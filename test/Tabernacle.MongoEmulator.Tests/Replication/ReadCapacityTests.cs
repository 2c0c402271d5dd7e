using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// The simulated read capacity (<see cref="EmulatorMemberOptions.MaxConcurrentReads"/> and
/// <see cref="EmulatorMemberOptions.ReadServiceTime"/>): a member serves at most its limit of reads at once and queues
/// the rest. Checked by counting reads in service and waiting, never by measuring time.
/// </summary>
public sealed class ReadCapacityTests : EmulatorTestBase
{
    private const int Limit = 2;
    private const int Reads = 6;

    protected override ReplicaSetEmulatorOptions Options
    {
        get
        {
            var options = new ReplicaSetEmulatorOptions { Members = 3 };

            // Member 0 becomes primary and is the only one with a limit; the long service time keeps reads in their
            // slots while the test counts them (it does not make the test wait on a clock: it polls the counts).
            options.MemberOptions.Add(
                new EmulatorMemberOptions { Priority = 2, MaxConcurrentReads = Limit, ReadServiceTime = TimeSpan.FromSeconds(1) });
            return options;
        }
    }

    [Fact]
    public async Task A_saturated_member_serves_its_limit_at_once_and_queues_the_rest()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        Assert.Equal(0, primary.Id);
        var collection = Client.GetDatabase("capacity").GetCollection<BsonDocument>("items");
        await collection.InsertOneAsync(Doc("{ _id: 1 }"));
        primary.ResetReadLoadPeaks();

        var reads = Enumerable.Range(0, Reads).Select(_ => collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()).ToArray();

        // Every read has arrived: the limit is in service and the others wait for a slot.
        await WaitUntilAsync(() =>
            primary.ReadLoad is { InService: Limit, Waiting: Reads - Limit }, TimeSpan.FromSeconds(30),
                "all reads queued behind the limit");
        await Task.WhenAll(reads);

        var load = primary.ReadLoad;
        Assert.Equal(Limit, load.PeakInService);
        Assert.Equal(Reads - Limit, load.PeakWaiting);
        Assert.Equal(Reads, load.Served);
        Assert.Equal(0, load.InService);
        Assert.Equal(0, load.Waiting);
        Assert.All(reads, r => Assert.Single(r.Result));
    }

    [Fact]
    public async Task Members_without_a_limit_serve_every_read_at_once_and_the_limit_is_per_member()
    {
        var collection = Client.GetDatabase("capacity").GetCollection<BsonDocument>("items");
        await collection.InsertOneAsync(Doc("{ _id: 1 }"));
        await Emulator.WaitForReplicationAsync();
        await WaitUntilAsync(() =>
            Client.Cluster.Description.Servers.Count(s => s.Type == MongoDB.Driver.Core.Servers.ServerType.ReplicaSetSecondary) == 2,
                because: "both secondaries discovered");

        // Both secondaries have no limit and no service time: nothing waits, and the primary's limit does not apply.
        var fromSecondaries = collection.WithReadPreference(ReadPreference.Secondary);
        await Task.WhenAll(
            Enumerable.Range(0, Reads).Select(_ => fromSecondaries.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()));

        var loads = Emulator.Members.Where(m => m.Id != 0).Select(m => m.ReadLoad).ToArray();
        Assert.All(loads, l => Assert.Equal(0, l.PeakWaiting));
        Assert.Equal(Reads, loads.Sum(l => l.Served));
        Assert.Equal(0, Emulator.Members[0].ReadLoad.PeakWaiting);
    }
}
