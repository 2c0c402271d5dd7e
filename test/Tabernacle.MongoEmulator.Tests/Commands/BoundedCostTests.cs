using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>
/// Costs that do not grow with the collection: writes inside transactions and snapshot reads find their documents
/// through the same index choice as reads (counted by serverStatus's scannedObjects), and find's sort + limit keeps
/// only the top k while giving exactly what a full sort would.
/// </summary>
public sealed class BoundedCostTests : EmulatorTestBase
{
    private const int Count = 20_000;

    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    private async Task<long> ScannedAsync()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var status = await raw.RunAsync(new BsonDocument("serverStatus", 1));
        return status["metrics"]["queryExecutor"]["scannedObjects"].ToInt64();
    }

    private async Task<IMongoCollection<BsonDocument>> SeedAsync()
    {
        var collection = Client.GetDatabase("cost").GetCollection<BsonDocument>("items");
        var batch = new List<BsonDocument>(Count);
        for (var i = 0; i < Count; i++)
        {
            batch.Add(new BsonDocument { { "_id", i }, { "sku", $"sku-{i:D6}" }, { "rank", i % 50 }, { "n", 0 } });
        }

        await collection.InsertManyAsync(batch);
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("sku")));
        return collection;
    }

    [Fact]
    public async Task UpdateOne_by_id_inside_a_transaction_examines_one_document_not_the_collection()
    {
        var collection = await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        var before = await ScannedAsync();
        for (var i = 0; i < 10; i++)
        {
            var result =
                await collection.UpdateOneAsync(session, new BsonDocument("_id", i * 1000),
                    new BsonDocument("$inc", new BsonDocument("n", 1)));
            Assert.Equal(1, result.ModifiedCount);
        }

        // The transaction sees its own writes through the index too, and a second update of one of them finds the buffered version.
        var again =
            await collection.UpdateOneAsync(session, new BsonDocument("_id", 0), new BsonDocument("$inc", new BsonDocument("n", 1)));
        Assert.Equal(1, again.ModifiedCount);
        Assert.Equal(2, (await collection.Find(session, new BsonDocument("_id", 0)).SingleAsync())["n"].ToInt32());
        var scanned = await ScannedAsync() - before;
        Assert.True(scanned <= 30, $"12 point operations in a transaction examined {scanned} documents of {Count}");

        await session.CommitTransactionAsync();
        Assert.Equal(2, (await collection.Find(new BsonDocument("_id", 0)).SingleAsync())["n"].ToInt32());
        Assert.Equal(1, (await collection.Find(new BsonDocument("_id", 9000)).SingleAsync())["n"].ToInt32());
    }

    [Fact]
    public async Task A_transaction_reads_its_snapshot_through_an_index_whose_keys_changed_after_it()
    {
        var collection = await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        Assert.Equal(7, (await collection.Find(session, new BsonDocument("sku", "sku-000007")).SingleAsync())["_id"].ToInt32());

        // Another client changes the indexed key and deletes a document after the transaction's snapshot.
        await collection.UpdateOneAsync(new BsonDocument("_id", 8), new BsonDocument("$set", new BsonDocument("sku", "renamed")));
        await collection.DeleteOneAsync(new BsonDocument("_id", 9));
        await collection.InsertOneAsync(new BsonDocument { { "_id", -1 }, { "sku", "sku-000008" } });

        var before = await ScannedAsync();
        var old = await collection.Find(session, new BsonDocument("sku", "sku-000008")).ToListAsync();
        Assert.Equal([8], old.Select(d => d["_id"].ToInt32()));
        Assert.Empty(await collection.Find(session, new BsonDocument("sku", "renamed")).ToListAsync());
        Assert.Single(await collection.Find(session, new BsonDocument("sku", "sku-000009")).ToListAsync());
        Assert.Equal(1,
            (await collection.UpdateOneAsync(session, new BsonDocument("sku", "sku-000010"),
                new BsonDocument("$set", new BsonDocument("sku", "mine")))).ModifiedCount);
        Assert.Empty(await collection.Find(session, new BsonDocument("sku", "sku-000010")).ToListAsync());
        Assert.Equal(10, (await collection.Find(session, new BsonDocument("sku", "mine")).SingleAsync())["_id"].ToInt32());
        var scanned = await ScannedAsync() - before;
        Assert.True(scanned <= 60, $"indexed reads in a transaction examined {scanned} documents of {Count}");
        await session.AbortTransactionAsync();

        Assert.Equal(-1, (await collection.Find(new BsonDocument("sku", "sku-000008")).SingleAsync())["_id"].ToInt32());
    }

    [Theory]
    [InlineData(false, -1)]
    [InlineData(false, 1)]
    [InlineData(true, -1)]
    [InlineData(true, 1)]
    public async Task Find_with_sort_and_limit_gives_the_first_pages_of_a_full_sort_with_ties_in_natural_order(bool indexed, int direction)
    {
        var collection = await SeedAsync();
        if (indexed)
        {
            await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("rank", 1)));
        }

        // Some documents lack the sort field or hold null: they sort first ascending, last descending, in natural order.
        await collection.UpdateManyAsync(new BsonDocument("_id", new BsonDocument("$in", new BsonArray { 5, 77, 19_000 })),
            new BsonDocument("$unset", new BsonDocument("rank", "")));
        await collection.UpdateOneAsync(new BsonDocument("_id", 6), new BsonDocument("$set", new BsonDocument("rank", BsonNull.Value)));
        var sort = new BsonDocument { { "rank", direction } };
        var full = await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(sort).ToListAsync();
        Assert.Equal(Count, full.Count);
        foreach (var (skip, limit) in new[] { (0, 1), (0, 10), (3, 10), (0, 400), (395, 10), (19_990, 20) })
        {
            var page = await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(sort).Skip(skip).Limit(limit).ToListAsync();
            Assert.Equal(full.Skip(skip).Take(limit).Select(d => d["_id"]), page.Select(d => d["_id"]));
        }

        var filtered = new BsonDocument("rank", new BsonDocument("$gte", 10));
        var fullFiltered = await collection.Find(filtered).Sort(sort).ToListAsync();
        Assert.Equal(fullFiltered.Take(15).Select(d => d["_id"]),
            (await collection.Find(filtered).Sort(sort).Limit(15).ToListAsync()).Select(d => d["_id"]));

        // With the index, the page is read in index order and the scan stops where the page ends.
        var before = await ScannedAsync();
        Assert.Equal(10, (await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(sort).Limit(10).ToListAsync()).Count);
        var scanned = await ScannedAsync() - before;
        Assert.True(indexed ? scanned <= 10 : scanned == Count,
            $"sort + limit 10 examined {scanned} documents of {Count} (indexed: {indexed})");
    }
}
