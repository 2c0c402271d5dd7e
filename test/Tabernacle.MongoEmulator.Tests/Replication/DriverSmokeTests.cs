using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

public sealed class DriverSmokeTests : EmulatorTestBase
{
    [Fact]
    public async Task Driver_discovers_one_primary_and_two_secondaries()
    {
        var db = Client.GetDatabase("smoke");
        await db.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        await WaitUntilAsync(() =>
        {
            var servers = Client.Cluster.Description.Servers;
            return servers.Count(s => s.Type == MongoDB.Driver.Core.Servers.ServerType.ReplicaSetPrimary) == 1
                && servers.Count(s => s.Type == MongoDB.Driver.Core.Servers.ServerType.ReplicaSetSecondary) == 2;
        }, because: "the driver should see one primary and two secondaries");
        Assert.Equal(MongoDB.Driver.Core.Clusters.ClusterType.ReplicaSet, Client.Cluster.Description.Type);
    }

    [Fact]
    public async Task Insert_then_find_round_trips_documents()
    {
        var collection = Client.GetDatabase("smoke").GetCollection<BsonDocument>("items");
        await collection.InsertManyAsync([Doc("{ _id: 1, name: 'a' }"), Doc("{ _id: 2, name: 'b' }")]);
        var all = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        Assert.Equal(2, all.Count);
        Assert.Equal("b", all[1]["name"].AsString);
    }
}
