using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>Equality and range lookups on indexed fields read only the matching documents, even in a 100,000-document collection.</summary>
public sealed class IndexUseTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    private async Task<long> ScannedAsync()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var status = await raw.RunAsync(Doc("{ serverStatus: 1 }"));
        return status["metrics"]["queryExecutor"]["scannedObjects"].ToInt64();
    }

    [Fact]
    public async Task Indexed_lookups_do_not_scan_a_100000_document_collection()
    {
        var collection = Client.GetDatabase("big").GetCollection<BsonDocument>("items");
        const int count = 100_000;
        var batch = new List<BsonDocument>(10_000);
        for (var i = 0; i < count; i++)
        {
            batch.Add(new BsonDocument { { "_id", i }, { "sku", $"sku-{i:D6}" }, { "price", i % 1000 }, { "group", i % 7 } });
            if (batch.Count == 10_000)
            {
                await collection.InsertManyAsync(batch);
                batch.Clear();
            }
        }

        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("sku"),
                new CreateIndexOptions { Unique = true }));
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("price")));
        Assert.Equal(count, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        var before = await ScannedAsync();
        var byId = await collection.Find(new BsonDocument("_id", 54_321)).SingleAsync();
        Assert.Equal("sku-054321", byId["sku"].AsString);
        Assert.Equal(1, await ScannedAsync() - before);

        before = await ScannedAsync();
        Assert.Equal(77_777, (await collection.Find(new BsonDocument("sku", "sku-077777")).SingleAsync())["_id"].AsInt32);
        Assert.Equal(1, await ScannedAsync() - before);

        before = await ScannedAsync();
        var inRange = await collection.Find(new BsonDocument("price", new BsonDocument { { "$gte", 10 }, { "$lt", 12 } })).ToListAsync();
        Assert.Equal(200, inRange.Count);
        Assert.True(await ScannedAsync() - before <= 300,
            "a range on an indexed field reads about the matching documents, not the collection");

        before = await ScannedAsync();
        Assert.Equal(count / 7 + 1, await collection.CountDocumentsAsync(new BsonDocument("group", 0)));
        Assert.Equal(count, await ScannedAsync() - before);
    }
}
