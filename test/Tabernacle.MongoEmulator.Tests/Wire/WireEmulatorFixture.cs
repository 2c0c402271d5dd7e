using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Wire;

/// <summary>One 3-member emulator and one driver client shared by the tests of a wire test class.</summary>
public sealed class WireEmulatorFixture : IAsyncLifetime
{
    public MongoReplicaSetEmulator Emulator { get; private set; } = null!;

    public MongoClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 3 });
        var settings = MongoClientSettings.FromConnectionString(Emulator.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        Client = new MongoClient(settings);
    }

    /// <summary>The primary's port (waiting for one if an election is under way).</summary>
    public async Task<int> PrimaryPortAsync() => (await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(15))).Port;

    /// <summary>Inserts a document through the driver into a new collection and reads it back, proving the driver's connections still
    /// work.</summary>
    public async Task AssertDriverWorksAsync(string collectionPrefix)
    {
        var collection = Client.GetDatabase("wire").GetCollection<BsonDocument>(collectionPrefix + "_" + ObjectId.GenerateNewId());
        var id = ObjectId.GenerateNewId();
        await collection.InsertOneAsync(new BsonDocument { { "_id", id }, { "probe", true } });

        // The collection is new, so an unfiltered find must return exactly the probe.
        var found = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        Assert.Equal(id, Assert.Single(found)["_id"].AsObjectId);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }
}
