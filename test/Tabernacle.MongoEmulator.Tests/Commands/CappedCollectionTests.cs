using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>
/// Capped collections as mongod 7.0 keeps them: options listed with int32 numbers and the size rounded up to 256
/// bytes, at most max documents and size bytes, oldest out first, the same documents on every member.
/// </summary>
public sealed class CappedCollectionTests : EmulatorTestBase
{
    private async Task<BsonDocument> OptionsAsync(IMongoDatabase database, string name)
    {
        var collections = await (await database.ListCollectionsAsync(new ListCollectionsOptions
        {
            Filter = new BsonDocument("name", name),
        })).ToListAsync();
        return Assert.Single(collections)["options"].AsBsonDocument;
    }

    [Fact]
    public async Task Capped_options_are_listed_as_int32_with_the_size_rounded_up_to_256_bytes()
    {
        var database = Client.GetDatabase("capped");
        await database.CreateCollectionAsync("log", new CreateCollectionOptions { Capped = true, MaxSize = 1000, MaxDocuments = 1024 });
        var options = await OptionsAsync(database, "log");
        Assert.True(options["capped"].AsBoolean);
        Assert.Equal(new BsonInt32(1024), options["size"]);
        Assert.Equal(new BsonInt32(1024), options["max"]);

        await database.CreateCollectionAsync("big", new CreateCollectionOptions { Capped = true, MaxSize = 5L << 32 });
        Assert.Equal(new BsonInt64(5L << 32), (await OptionsAsync(database, "big"))["size"]);

        var missingSize = await Assert.ThrowsAsync<MongoCommandException>(() => database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "create", "noSize" }, { "capped", true } }));
        Assert.Equal(72, missingSize.Code);
    }

    [Fact]
    public async Task A_capped_collection_keeps_at_most_max_documents_oldest_out_first_on_every_member()
    {
        var database = Client.GetDatabase("capped");
        await database.CreateCollectionAsync("bounded", new CreateCollectionOptions { Capped = true, MaxSize = 1 << 20, MaxDocuments = 5 });
        var collection = database.GetCollection<BsonDocument>("bounded");
        for (var i = 0; i < 8; i++)
        {
            await collection.InsertOneAsync(new BsonDocument("_id", i));
        }

        var ids = (await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()).Select(d => d["_id"].AsInt32);
        Assert.Equal([3, 4, 5, 6, 7], ids);
        await Emulator.WaitForReplicationAsync();
        Assert.All(Emulator.Members, m => Assert.Equal([3, 4, 5, 6, 7], m.GetDocuments("capped", "bounded").Select(d => d["_id"].AsInt32)));
    }

    [Fact]
    public async Task A_capped_collection_keeps_at_most_size_bytes()
    {
        var database = Client.GetDatabase("capped");
        await database.CreateCollectionAsync("bytes", new CreateCollectionOptions { Capped = true, MaxSize = 1000 });
        var collection = database.GetCollection<BsonDocument>("bytes");
        var padding = new string('x', 80);
        for (var i = 0; i < 30; i++)
        {
            await collection.InsertOneAsync(new BsonDocument { { "_id", i }, { "padding", padding } });
        }

        var documents = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        Assert.InRange(documents.Sum(d => d.ToBson().Length), 900, 1024);
        Assert.Equal(29, documents[^1]["_id"].AsInt32);
        Assert.Equal(Enumerable.Range(30 - documents.Count, documents.Count), documents.Select(d => d["_id"].AsInt32));
    }
}
