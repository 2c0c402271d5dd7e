using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Wire;

/// <summary>
/// The streaming protocol of server monitoring: an awaitable <c>hello</c> sent with <c>exhaustAllowed</c> is answered with
/// <c>moreToCome</c> replies, each carrying the latest topology version and answering the previous reply, so that monitors
/// wait instead of re-sending a stale version; and a set that is left alone after failovers does next to nothing.
/// </summary>
public sealed class StreamingHelloTests : EmulatorTestBase
{
    private const uint ExhaustAllowed = 1 << 16;

    [Fact]
    public async Task An_exhaust_hello_streams_replies_that_follow_the_topology_version()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        using var client = await WireTestClient.ConnectAsync(primary.Port);
        var first = await client.RunCommandAsync(new BsonDocument { { "hello", 1 }, { "$db", "admin" } });
        var requestId = WireFrames.NextRequestId();
        var streaming = new BsonDocument
        {
            { "hello", 1 },
            { "topologyVersion", first["topologyVersion"] },
            { "maxAwaitTimeMS", 10_000 },
            { "$db", "admin" },
        };

        await client.SendAsync(WireFrames.Command(requestId, streaming, ExhaustAllowed));
        await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));
        var changed = WireFrames.ParseMsg(await client.ReadFrameAsync(TimeSpan.FromSeconds(15)));

        // The step-down answered the waiting hello at once, with moreToCome: the server will go on answering unasked.
        Assert.Equal(requestId, changed.Header.ResponseTo);
        Assert.Equal(WireFrames.MoreToCome, changed.Flags & WireFrames.MoreToCome);
        Assert.False(changed.Document["isWritablePrimary"].AsBoolean);
        Assert.True(changed.Document["topologyVersion"]["counter"].ToInt64() > first["topologyVersion"]["counter"].ToInt64());

        // The next reply comes unasked, answers the previous reply, and carries the version the previous one reported.
        await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));
        var next = WireFrames.ParseMsg(await client.ReadFrameAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(changed.Header.RequestId, next.Header.ResponseTo);
        Assert.Equal(WireFrames.MoreToCome, next.Flags & WireFrames.MoreToCome);
        Assert.True(next.Document["topologyVersion"]["counter"].ToInt64() >= changed.Document["topologyVersion"]["counter"].ToInt64());
    }

    [Fact]
    public async Task A_hello_without_exhaustAllowed_gets_one_reply_without_moreToCome()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        using var client = await WireTestClient.ConnectAsync(primary.Port);
        var first = await client.RunCommandAsync(new BsonDocument { { "hello", 1 }, { "$db", "admin" } });
        var requestId = WireFrames.NextRequestId();

        await client.SendAsync(WireFrames.Command(requestId, new BsonDocument
        {
            { "hello", 1 },
            { "topologyVersion", first["topologyVersion"] },
            { "maxAwaitTimeMS", 100 },
            { "$db", "admin" },
        }));
        var reply = WireFrames.ParseMsg(await client.ReadFrameAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal(0u, reply.Flags & WireFrames.MoreToCome);
        var ping = await client.RunCommandAsync(new BsonDocument { { "ping", 1 }, { "$db", "admin" } });
        Assert.Equal(1.0, ping["ok"].ToDouble());
    }

    // Before streaming was answered, each monitor of a driver re-sent its first hello after a failover and got an
    // immediate answer: thousands of commands a second per member, two cores busy with no client doing anything.
    [Theory]
    [InlineData("step-down")]
    [InlineData("restart a secondary")]
    [InlineData("restart the primary")]
    public async Task After_a_failover_an_idle_set_with_a_connected_driver_serves_only_heartbeats(string fault)
    {
        var items = Client.GetDatabase("idle").GetCollection<BsonDocument>("items");
        await items.InsertOneAsync(new BsonDocument("_id", 1));
        switch (fault)
        {
            case "step-down":
                await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));
                break;
            case "restart a secondary":
                var secondary = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
                await secondary.StopAsync();
                await secondary.StartAsync();
                break;
            default:
                var primary = await Emulator.WaitForPrimaryAsync();
                await primary.StopAsync();
                await Emulator.WaitForPrimaryAsync();
                await primary.StartAsync();
                break;
        }

        await items.InsertOneAsync(new BsonDocument("_id", 2));
        await Emulator.WaitForReplicationAsync();
        await WaitUntilAsync(() =>
            Client.Cluster.Description.Servers.All(s => s.State == MongoDB.Driver.Core.Servers.ServerState.Connected));

        // A measuring window, not a synchronisation: count what the members serve while nobody works.
        var before = Emulator.Members.Select(m => m.OpCounters.Command).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var served = Emulator.Members.Select((m, i) => m.OpCounters.Command - before[i]).ToArray();

        // The driver's round-trip monitor sends a hello per heartbeat (500 ms here) and a streamed reply may come per
        // change; a few dozen is generous. The spin this guards against served thousands.
        Assert.All(served, count =>
            Assert.True(count < 50, $"an idle member served {count} commands in 2 s: [{string.Join(", ", served)}]"));
    }
}
