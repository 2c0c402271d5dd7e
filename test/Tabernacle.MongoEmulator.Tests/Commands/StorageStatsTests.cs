using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary><c>collStats</c> and <c>dbStats</c> answer in mongod 7.0's shape, with counts and sizes of what is stored.</summary>
public sealed class StorageStatsTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    [Fact]
    public async Task CollStats_and_dbStats_report_counts_sizes_and_indexes()
    {
        var database = Client.GetDatabase("stats");
        var items = database.GetCollection<BsonDocument>("items");
        var documents = Enumerable.Range(0, 100).Select(i => new BsonDocument { { "_id", i }, { "sku", $"sku-{i:D4}" } }).ToList();
        await items.InsertManyAsync(documents);
        await items.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("sku", 1)));
        await database.CreateCollectionAsync("log", new CreateCollectionOptions { Capped = true, MaxSize = 4096, MaxDocuments = 10 });
        var dataSize = documents.Sum(d => d.ToBson().Length);

        var stats = await database.RunCommandAsync<BsonDocument>(new BsonDocument("collStats", "items"));
        Assert.Equal("stats.items", stats["ns"].AsString);
        Assert.Equal(100, stats["count"].AsInt32);
        Assert.Equal(dataSize, stats["size"].AsInt32);
        Assert.Equal(dataSize / 100, stats["avgObjSize"].AsInt32);
        Assert.Equal(2, stats["nindexes"].AsInt32);
        Assert.Equal(["_id_", "sku_1"], stats["indexSizes"].AsBsonDocument.Names);
        Assert.True(stats["indexSizes"]["sku_1"].AsInt32 > 0);
        Assert.Equal(stats["totalIndexSize"].AsInt32, stats["indexSizes"]["_id_"].AsInt32 + stats["indexSizes"]["sku_1"].AsInt32);
        Assert.False(stats["capped"].AsBoolean);

        var scaled = await database.RunCommandAsync<BsonDocument>(new BsonDocument { { "collStats", "items" }, { "scale", 1024 } });
        Assert.Equal(dataSize / 1024, scaled["size"].AsInt32);
        Assert.Equal(1024, scaled["scaleFactor"].AsInt32);

        var capped = await database.RunCommandAsync<BsonDocument>(new BsonDocument("collStats", "log"));
        Assert.True(capped["capped"].AsBoolean);
        Assert.Equal(10, capped["max"].AsInt32);
        Assert.Equal(4096, capped["maxSize"].AsInt32);

        var db = await database.RunCommandAsync<BsonDocument>(new BsonDocument("dbStats", 1));
        Assert.Equal("stats", db["db"].AsString);
        Assert.Equal(2, db["collections"].AsInt32);
        Assert.Equal(100, db["objects"].AsInt32);
        Assert.Equal(dataSize, db["dataSize"].AsInt32);
        Assert.Equal(3, db["indexes"].AsInt32);
        Assert.Equal(db["dataSize"].AsInt32 + db["indexSize"].AsInt32, db["totalSize"].AsInt32);

        var bad = await Assert.ThrowsAsync<MongoCommandException>(() => database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "collStats", "items" }, { "scale", 0 } }));
        Assert.Equal(2, bad.Code);
    }

    [Fact]
    public async Task CollStats_stage_gives_storageStats_and_count_as_mongosh_reads_them()
    {
        var database = Client.GetDatabase("stats");
        var items = database.GetCollection<BsonDocument>("items");
        await items.InsertManyAsync(Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "v", i } }));

        var pipeline =
            new[] { BsonDocument.Parse("{ $collStats: { storageStats: { scale: 1 }, count: {}, latencyStats: { histograms: true } } }") };
        var result = Assert.Single(await (await items.AggregateAsync<BsonDocument>(pipeline)).ToListAsync());
        Assert.Equal("stats.items", result["ns"].AsString);
        Assert.Equal(Emulator.Primary!.Host, result["host"].AsString);
        Assert.Equal(10, result["count"].AsInt32);
        var storage = result["storageStats"].AsBsonDocument;
        Assert.Equal(10, storage["count"].AsInt32);
        Assert.Equal(1, storage["nindexes"].AsInt32);
        Assert.False(storage.Contains("ns"));
        Assert.True(result["latencyStats"].AsBsonDocument.Contains("reads"));

        var missing = await Assert.ThrowsAsync<MongoCommandException>(async () =>
            await (await database.GetCollection<BsonDocument>("none").AggregateAsync<BsonDocument>(
                new[] { BsonDocument.Parse("{ $collStats: { storageStats: {} } }") })).ToListAsync());
        Assert.Equal(26, missing.Code);
    }

    [Fact]
    public async Task IndexStats_lists_every_index_with_the_queries_that_used_it()
    {
        var items = Client.GetDatabase("stats").GetCollection<BsonDocument>("indexed");
        await items.InsertManyAsync(Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "sku", $"s{i}" } }));
        await items.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("sku", 1)));
        for (var i = 0; i < 3; i++)
        {
            await items.Find(new BsonDocument("sku", $"s{i}")).FirstOrDefaultAsync();
        }

        var stats = await (await items.AggregateAsync<BsonDocument>(new[] { BsonDocument.Parse("{ $indexStats: {} }") })).ToListAsync();
        Assert.Equal(["_id_", "sku_1"], stats.Select(s => s["name"].AsString).Order());
        var sku = stats.Single(s => s["name"] == "sku_1");
        Assert.Equal(3L, sku["accesses"]["ops"].ToInt64());
        Assert.Equal(new BsonDocument("sku", 1), sku["key"]);
        Assert.Equal(Emulator.Primary!.Host, sku["host"].AsString);
        Assert.Equal("sku_1", sku["spec"]["name"].AsString);
    }
}
