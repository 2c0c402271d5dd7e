using BenchmarkDotNet.Attributes;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Benchmarks;

/// <summary>
/// What <c>--data</c> costs a write: the same 3-member host in memory and with a data directory, where every
/// acknowledged write is journaled and flushed to disk first. Run with <c>--filter *EmulatorPersistence*</c>.
/// </summary>
[MemoryDiagnoser]
public class EmulatorPersistenceBenchmarks
{
    private EmulatorHost _host = null!;
    private MongoClient _client = null!;
    private IMongoCollection<BsonDocument> _majority = null!;
    private IMongoCollection<BsonDocument> _w1 = null!;
    private string? _data;
    private int _next;

    [Params(false, true)]
    public bool DataDirectory { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = DataDirectory ? Path.Combine(Path.GetTempPath(), "tabernacle-bench-" + Guid.NewGuid().ToString("N")) : null;
        _host = _data is null ? EmulatorHost.Start("--members", "3") : EmulatorHost.Start("--members", "3", "--data", _data);
        _client = new MongoClient(_host.ConnectionString);
        var items = _client.GetDatabase("persistence").GetCollection<BsonDocument>("items");
        _majority = items.WithWriteConcern(WriteConcern.WMajority);
        _w1 = items.WithWriteConcern(WriteConcern.W1);
        _w1.InsertOne(Document(0));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _host.Dispose();
        if (_data is not null && Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Benchmark]
    public Task InsertOneW1() => _w1.InsertOneAsync(Document(Interlocked.Increment(ref _next)));

    [Benchmark]
    public Task InsertOneMajority() => _majority.InsertOneAsync(Document(Interlocked.Increment(ref _next)));

    private static BsonDocument Document(int i) => EmulatorScalingScenarios.Document(i + 1_000_000);
}
