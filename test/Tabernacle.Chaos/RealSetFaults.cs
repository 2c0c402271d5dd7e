using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Chaos;

/// <summary>
/// A real replica set given by a connection string. It takes only the faults a client can cause: replSetStepDown,
/// and stopReplProducer through configureFailPoint when the members run with enableTestCommands=1. Stopping a member
/// or cutting it off needs the host, so those steps are skipped and the summary says so.
/// </summary>
internal sealed class RealSetFaults : ITargetSet
{
    private readonly MongoClient _client;
    private readonly string _database;
    private readonly HashSet<string> _paused = [];
    private bool? _testCommands;

    private RealSetFaults(string connectionString, string database, IReadOnlyList<string> hosts)
    {
        ConnectionString = connectionString;
        _database = database;
        Hosts = hosts;
        _client = new MongoClient(ChaosClient.Settings(connectionString, retryWrites: true));
    }

    public static async Task<RealSetFaults> ConnectAsync(string connectionString, string database)
    {
        using var client = new MongoClient(connectionString);
        var hello = await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1));
        var hosts = hello.TryGetValue("hosts", out var list) ? list.AsBsonArray.Select(h => h.AsString).ToList() : [];
        if (hosts.Count == 0)
        {
            throw new InvalidOperationException("The connection string does not lead to a replica set (hello has no hosts).");
        }

        return new RealSetFaults(connectionString, database, hosts);
    }

    public string ConnectionString { get; }

    public string Description => $"the replica set at {string.Join(",", Hosts)} (faults limited to what a client can do)";

    public IReadOnlyList<string> Hosts { get; }

    public async Task<(FaultStatus Status, string Detail)> InjectAsync(FaultStep step, CancellationToken stop)
    {
        switch (step.Kind)
        {
            case FaultKind.StepDown:
                try
                {
                    await Admin(_client).RunCommandAsync<BsonDocument>(
                        new BsonDocument { { "replSetStepDown", 2 }, { "secondaryCatchUpPeriodSecs", 1 }, { "force", true } },
                        cancellationToken: stop);
                    return (FaultStatus.Injected, "replSetStepDown sent to the primary");
                }
                catch (MongoCommandException ex)
                {
                    return (FaultStatus.Error, $"replSetStepDown: {ex.CodeName} {ex.Code}");
                }

            case FaultKind.PauseReplication:
                return await PauseAsync(step, stop);

            case FaultKind.StopRestart:
                return (FaultStatus.Skipped, "a real set's members cannot be stopped from a client");

            case FaultKind.Isolate:
                return (FaultStatus.Skipped, "a real set's members cannot be cut off from a client");

            case FaultKind.FailCommand:
            {
                if (_testCommands == false)
                {
                    return (FaultStatus.Skipped, "configureFailPoint needs enableTestCommands=1");
                }

                var result = await FailCommandFault.RunAsync(_client, "the primary", step, stop);
                _testCommands = result.Status != FaultStatus.Skipped;
                return result;
            }

            case FaultKind.HostileAfterClusterTime:
            case FaultKind.HostileGossip:
            {
                var host = Hosts[step.Pick % Hosts.Count];
                string answer;
                if (step.Kind == FaultKind.HostileAfterClusterTime)
                {
                    answer = await HostileClusterTime.SendAfterClusterTimeAsync(host, _database);
                }
                else if (step.Pick / 7 % 2 == 0)
                {
                    answer = await HostileClusterTime.SendForgedGossipAsync(host, _database);
                }
                else
                {
                    // A fresh appName gives a cluster of its own (see EmulatorFaults).
                    using var direct = Direct(host, $"hostile-{Guid.NewGuid():N}");
                    answer = await HostileClusterTime.SendForgedGossipThroughDriverAsync(direct, host, _database);
                }

                return (FaultStatus.Injected, answer);
            }

            default:
                return (FaultStatus.Skipped, "unknown fault kind");
        }
    }

    private async Task<(FaultStatus, string)> PauseAsync(FaultStep step, CancellationToken stop)
    {
        if (_testCommands == false)
        {
            return (FaultStatus.Skipped, "configureFailPoint needs enableTestCommands=1");
        }

        // The pick maps onto the members that are secondaries right now, as on the emulator.
        var secondaries = new List<string>();
        foreach (var candidate in Hosts)
        {
            using var probe = Direct(candidate);
            var hello = await Admin(probe).RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: stop);
            if (hello.GetValue("secondary", false).ToBoolean())
            {
                secondaries.Add(candidate);
            }
        }

        if (secondaries.Count == 0)
        {
            return (FaultStatus.Skipped, "no secondary at that moment");
        }

        var host = secondaries[step.Pick % secondaries.Count];
        using var direct = Direct(host);
        try
        {
            await SetStopReplProducerAsync(direct, "alwaysOn", stop);
            _testCommands = true;
        }
        catch (MongoCommandException ex)
        {
            _testCommands = false;
            return (FaultStatus.Skipped, $"configureFailPoint refused ({ex.CodeName}): start mongod with enableTestCommands=1");
        }

        _paused.Add(host);
        try
        {
            await Task.Delay(step.Duration, stop);
        }
        finally
        {
            await SetStopReplProducerAsync(direct, "off", CancellationToken.None);
            _paused.Remove(host);
        }

        return (FaultStatus.Injected, $"{host} stopReplProducer for {step.Duration.TotalMilliseconds:F0} ms");
    }

    private static Task SetStopReplProducerAsync(MongoClient direct, string mode, CancellationToken cancellationToken) =>
        Admin(direct).RunCommandAsync<BsonDocument>(
            new BsonDocument { { "configureFailPoint", "stopReplProducer" }, { "mode", mode } }, cancellationToken: cancellationToken);

    public async Task HealAsync(TimeSpan deadline)
    {
        foreach (var host in _paused.ToList())
        {
            using var direct = Direct(host);
            await SetStopReplProducerAsync(direct, "off", CancellationToken.None);
        }

        if (_testCommands == true)
        {
            foreach (var host in Hosts)
            {
                using var direct = Direct(host);
                await FailCommandFault.DisarmAsync(direct);
            }
        }

        using var timeout = new CancellationTokenSource(deadline);
        // Server selection for a write polls until a primary is known or the deadline passes.
        await Admin(_client).RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), ReadPreference.Primary, timeout.Token);
    }

    public async Task<IReadOnlyList<MemberSnapshot>> SnapshotAsync(string database)
    {
        var snapshots = new List<MemberSnapshot>();
        foreach (var host in Hosts)
        {
            using var direct = Direct(host);
            var db = direct.GetDatabase(database).WithReadPreference(ReadPreference.SecondaryPreferred).WithReadConcern(ReadConcern.Local);
            var collections = new Dictionary<string, IReadOnlyList<BsonDocument>>();
            foreach (var name in Schema.All)
            {
                collections[name] = await db.GetCollection<BsonDocument>(name).Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
            }

            snapshots.Add(new MemberSnapshot(host, collections));
        }

        return snapshots;
    }

    public IReadOnlyList<string> Notes => [];

    private MongoClient Direct(string host, string? applicationName = null)
    {
        var (name, port) = HostileClusterTime.Split(host);
        var url = new MongoUrlBuilder(ConnectionString) { Servers = [new MongoServerAddress(name, port)] };
        url.ReplicaSetName = null;
        url.DirectConnection = true;
        url.ReadPreference = ReadPreference.SecondaryPreferred;
        url.ApplicationName = applicationName ?? url.ApplicationName;
        return new MongoClient(url.ToMongoUrl());
    }

    private static IMongoDatabase Admin(MongoClient client) => client.GetDatabase("admin");

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
