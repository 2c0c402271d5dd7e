using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>
/// listCollections and listIndexes batch as mongod does: everything in the first batch by default (not find's 101),
/// <c>cursor.batchSize</c> honoured with getMore for the rest, listIndexes' cursor in <c>db.$cmd.listIndexes.coll</c>.
/// </summary>
public sealed class CatalogBatchingTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    [Fact]
    public async Task ListCollections_and_listIndexes_return_everything_in_the_first_batch_unless_batchSize_says_otherwise()
    {
        var database = Client.GetDatabase("batching");
        for (var i = 0; i < 120; i++)
        {
            await database.CreateCollectionAsync($"c{i:D3}");
        }

        var all = await database.RunCommandAsync<BsonDocument>(new BsonDocument("listCollections", 1));
        Assert.Equal(120, all["cursor"]["firstBatch"].AsBsonArray.Count);
        Assert.Equal(0L, all["cursor"]["id"].ToInt64());
        Assert.Equal("batching.$cmd.listCollections", all["cursor"]["ns"].AsString);

        var paged =
            await database.RunCommandAsync<BsonDocument>(
                new BsonDocument { { "listCollections", 1 }, { "cursor", new BsonDocument("batchSize", 50) } });
        Assert.Equal(50, paged["cursor"]["firstBatch"].AsBsonArray.Count);
        Assert.NotEqual(0L, paged["cursor"]["id"].ToInt64());
        Assert.Equal(120, (await (await database.ListCollectionNamesAsync(new ListCollectionNamesOptions())).ToListAsync()).Count);

        var items = database.GetCollection<BsonDocument>("c000");
        for (var i = 0; i < 5; i++)
        {
            await items.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument($"f{i}", 1)));
        }

        var indexes =
            await database.RunCommandAsync<BsonDocument>(
                new BsonDocument { { "listIndexes", "c000" }, { "cursor", new BsonDocument("batchSize", 2) } });
        Assert.Equal("batching.$cmd.listIndexes.c000", indexes["cursor"]["ns"].AsString);
        Assert.Equal(2, indexes["cursor"]["firstBatch"].AsBsonArray.Count);
        var rest = await database.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "getMore", indexes["cursor"]["id"].ToInt64() }, { "collection", "$cmd.listIndexes.c000" },
        });
        Assert.Equal(4, rest["cursor"]["nextBatch"].AsBsonArray.Count);
        Assert.Equal(6, (await (await items.Indexes.ListAsync()).ToListAsync()).Count);
    }
}
