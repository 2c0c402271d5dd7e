using System.Collections.Concurrent;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;

namespace Tabernacle.MongoEmulator.Tests.Differential;

/// <summary>
/// One emulator per test class: a 3-member replica set, the generated documents inserted once through the driver
/// (majority write concern, so every member has them), and a client that reads from the primary and records the
/// commands it sends so each query can log the MQL the driver's LINQ provider produced.
/// </summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    public const string DatabaseName = "differential";

    private static readonly HashSet<string> QueryCommands = new(StringComparer.Ordinal) { "find", "aggregate", "count", "distinct" };

    private readonly ConcurrentQueue<BsonDocument> _commands = new();

    private MongoReplicaSetEmulator? _emulator;

    private MongoClient? _client;

    public List<Customer> Customers { get; } = DataGenerator.Customers();

    public List<Order> Orders { get; } = DataGenerator.Orders();

    public IMongoCollection<Customer> CustomerCollection { get; private set; } = null!;

    public IMongoCollection<Order> OrderCollection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _emulator = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 3 });
        var settings = MongoClientSettings.FromConnectionString(_emulator.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        settings.ReadPreference = ReadPreference.Primary;
        settings.WriteConcern = WriteConcern.WMajority;
        settings.ClusterConfigurator = builder => builder.Subscribe<CommandStartedEvent>(e =>
        {
            if (QueryCommands.Contains(e.CommandName) && e.DatabaseNamespace.DatabaseName == DatabaseName)
            {
                _commands.Enqueue(e.Command.DeepClone().AsBsonDocument);
            }
        });
        _client = new MongoClient(settings);

        var database = _client.GetDatabase(DatabaseName);
        CustomerCollection = database.GetCollection<Customer>("customers");
        OrderCollection = database.GetCollection<Order>("orders");
        await CustomerCollection.InsertManyAsync(Customers);
        await OrderCollection.InsertManyAsync(Orders);
    }

    /// <summary>Forgets the commands recorded so far (tests of one class run one at a time).</summary>
    public void ClearCommands() => _commands.Clear();

    /// <summary>The query commands sent since the last <see cref="ClearCommands"/>, without session and cluster-time noise.</summary>
    public IReadOnlyList<string> TakeCommands()
    {
        var result = new List<string>();
        while (_commands.TryDequeue(out var command))
        {
            var shown = new BsonDocument(command.Where(e => !e.Name.StartsWith('$') && e.Name != "lsid" && e.Name != "txnNumber"));
            result.Add(shown.ToJson(new MongoDB.Bson.IO.JsonWriterSettings { OutputMode = MongoDB.Bson.IO.JsonOutputMode.Shell }));
        }

        return result;
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}
