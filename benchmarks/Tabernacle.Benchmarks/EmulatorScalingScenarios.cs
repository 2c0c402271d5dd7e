using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Benchmarks;

/// <summary>
/// The emulator's cost against its data size (issue 16): one single-member host per collection size, seeded with
/// documents of about 130 BSON bytes and indexes on <c>sku</c> and <c>price</c>; each operation is what a point or
/// scan workload sends through the raw driver.
/// </summary>
internal sealed class EmulatorScalingScenarios : IDisposable
{
    private const int BatchSize = 10_000;
    private readonly EmulatorHost _host;
    private readonly MongoClient _client;
    private readonly IMongoCollection<BsonDocument> _items;
    private readonly Random _random = new(16);
    private int _nextInsert;

    private EmulatorScalingScenarios(EmulatorHost host, int count, long residentBeforeSeed)
    {
        _host = host;
        Count = count;
        ResidentBeforeSeed = residentBeforeSeed;
        _client = new MongoClient(host.ConnectionString);
        _items = _client.GetDatabase("scaling").GetCollection<BsonDocument>("items");
        _nextInsert = count;
    }

    public int Count { get; }

    public long ResidentBeforeSeed { get; }

    public int DocumentBsonBytes { get; private set; }

    public EmulatorHost Host => _host;

    public static async Task<EmulatorScalingScenarios> StartAsync(int count)
    {
        var host = EmulatorHost.Start("--members", "1");
        var client = new MongoClient(host.ConnectionString);
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
        var scenarios = new EmulatorScalingScenarios(host, count, host.ResidentBytes);
        await scenarios.SeedAsync();
        return scenarios;
    }

    public static BsonDocument Document(int i) => new()
    {
        { "_id", i },
        { "sku", $"sku-{i:D8}" },
        { "price", i % 1000 },
        { "group", i % 7 },
        { "name", $"item number {i} with a description of modest length" },
        { "tags", new BsonArray { "a", "b" } },
    };

    private async Task SeedAsync()
    {
        DocumentBsonBytes = Document(Count / 2).ToBson().Length;
        for (var start = 0; start < Count; start += BatchSize)
        {
            var batch = Enumerable.Range(start, Math.Min(BatchSize, Count - start)).Select(Document);
            await _items.InsertManyAsync(batch);
        }

        await _items.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<BsonDocument>(new BsonDocument("sku", 1)),
            new CreateIndexModel<BsonDocument>(new BsonDocument("price", 1)),
        ]);
    }

    private int RandomId() => _random.Next(Count);

    public Task InsertOneAsync() => _items.InsertOneAsync(Document(Interlocked.Increment(ref _nextInsert)));

    public Task<BsonDocument> FindByIdAsync() => _items.Find(new BsonDocument("_id", RandomId())).FirstOrDefaultAsync();

    public Task<BsonDocument> FindBySkuAsync() => _items.Find(new BsonDocument("sku", $"sku-{RandomId():D8}")).FirstOrDefaultAsync();

    public Task<List<BsonDocument>> SortLimitAsync() =>
        _items.Find(FilterDefinition<BsonDocument>.Empty).Sort(new BsonDocument("price", -1)).Limit(10).ToListAsync();

    public Task UpdateByIdAsync() =>
        _items.UpdateOneAsync(new BsonDocument("_id", RandomId()), new BsonDocument("$inc", new BsonDocument("price", 1000)));

    public async Task UpdateByIdInTransactionAsync()
    {
        using var session = await _client.StartSessionAsync();
        session.StartTransaction();
        await _items.UpdateOneAsync(session, new BsonDocument("_id", RandomId()),
            new BsonDocument("$inc", new BsonDocument("price", 1000)));
        await session.CommitTransactionAsync();
    }

    public Task<List<BsonDocument>> GroupAsync() =>
        _items.Aggregate<BsonDocument>(new[]
        {
            new BsonDocument("$group", new BsonDocument { { "_id", "$group" }, { "total", new BsonDocument("$sum", "$price") } }),
        }).ToListAsync();

    public Task<BsonDocument> ServerStatusAsync() =>
        _client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("serverStatus", 1));

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
    }
}
