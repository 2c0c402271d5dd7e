using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// A direct connection to a secondary behaves as mongod's: the secondary's hello describes a replica-set secondary
/// (so a driver classifies it RSSecondary, topology Single), a read that carries <c>$readPreference</c>
/// <c>primaryPreferred</c> (what the server selection spec makes drivers send on a direct connection, and what the
/// Node.js driver sends) is served, and a read without one is refused with 13435 NotPrimaryNoSecondaryOk, as mongod
/// derives secondaryOk for OP_MSG from <c>$readPreference</c> alone. The C# driver 3.14 sends no
/// <c>$readPreference</c> on such a connection (shown below), so its default-read-preference reads fail there against
/// mongod too: the emulator is not the side to change.
/// </summary>
public sealed class DirectConnectionTests : EmulatorTestBase
{
    [Fact]
    public async Task A_secondary_serves_primaryPreferred_reads_and_refuses_reads_without_a_read_preference()
    {
        await Client.GetDatabase("direct").GetCollection<BsonDocument>("items").InsertOneAsync(new BsonDocument("_id", 1));
        await Emulator.WaitForReplicationAsync();
        var secondary = Emulator.Members.First(m => m != Emulator.Primary);
        using var raw = await RawCommandClient.ConnectAsync(secondary.Port);

        var hello = await raw.RunAsync(new BsonDocument("hello", 1));
        Assert.True(hello["secondary"].AsBoolean);
        Assert.False(hello["isWritablePrimary"].AsBoolean);
        Assert.Equal(Emulator.ReplicaSetName, hello["setName"].AsString);
        Assert.Contains(secondary.Host, hello["hosts"].AsBsonArray.Select(h => h.AsString));

        var preferred = await raw.RunAsync(new BsonDocument
        {
            { "find", "items" }, { "$readPreference", new BsonDocument("mode", "primaryPreferred") },
        }, "direct");
        Assert.Equal(1, preferred["ok"].ToInt32());
        Assert.Single(preferred["cursor"]["firstBatch"].AsBsonArray);

        var none = await raw.RunAsync(new BsonDocument("find", "items"), "direct");
        Assert.Equal(0, none["ok"].ToInt32());
        Assert.Equal(13435, none["code"].ToInt32());
    }

    [Fact]
    public async Task The_CSharp_driver_sends_no_read_preference_on_a_direct_connection_to_a_secondary()
    {
        await Emulator.WaitForReplicationAsync();
        var secondary = Emulator.Members.First(m => m != Emulator.Primary);
        var settings = MongoClientSettings.FromConnectionString($"mongodb://{secondary.Host}/?directConnection=true");
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        var sent = new System.Collections.Concurrent.ConcurrentQueue<bool>(); // whether each find carried $readPreference
        settings.ClusterConfigurator = c => c.Subscribe<MongoDB.Driver.Core.Events.CommandStartedEvent>(e =>
        {
            if (e.CommandName == "find")
            {
                sent.Enqueue(e.Command.Contains("$readPreference"));
            }
        });
        using var direct = new MongoClient(settings);
        var error = await Assert.ThrowsAsync<MongoNotPrimaryException>(() =>
            direct.GetDatabase("direct").GetCollection<BsonDocument>("items").Find(FilterDefinition<BsonDocument>.Empty).ToListAsync());
        Assert.Equal(13435, error.Code);
        Assert.NotEmpty(sent);
        Assert.DoesNotContain(true, sent);

        // With an explicit read preference the same connection reads.
        var reads = direct.GetDatabase("direct").GetCollection<BsonDocument>("items").WithReadPreference(ReadPreference.PrimaryPreferred);
        Assert.Empty(await reads.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync());
    }
}
