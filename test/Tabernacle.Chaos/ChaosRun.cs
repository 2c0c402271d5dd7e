using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Chaos;

/// <summary>What to run: the seed decides the workload's choices and the fault schedule.</summary>
/// <remarks>
/// <see cref="Faults"/> narrows the fault kinds (null = all) without moving the remaining steps, so a replay with fewer
/// kinds keeps the seed's timing for the rest: the way to tell which fault an anomaly needs.
/// </remarks>
internal sealed record ChaosOptions(
    int Seed, TimeSpan Duration, int Members = 3, int Clients = 4, string? Connection = null, IReadOnlySet<FaultKind>? Faults = null);

internal sealed record ChaosResult(
    ChaosOptions Options,
    string Target,
    IReadOnlyList<Operation> History,
    IReadOnlyList<FaultRecord> Faults,
    IReadOnlyList<Anomaly> Anomalies,
    IReadOnlyList<MemberSnapshot> Snapshots,
    IReadOnlyList<string> Notes,
    TimeSpan Elapsed,
    TimeSpan HealTime)
{
    public string Summary => Chaos.Summary.Format(this);
}

/// <summary>Setup, workload and faults side by side, heal, then check every member's data against the history.</summary>
internal static class ChaosRun
{
    private static readonly TimeSpan HealDeadline = TimeSpan.FromSeconds(60);

    public static async Task<ChaosResult> RunAsync(ChaosOptions options, Action<string> log)
    {
        log($"seed {options.Seed}");
        var total = Stopwatch.StartNew();
        var database = $"chaos_{(uint)options.Seed}_{Guid.NewGuid():N}"[..40];
        await using ITargetSet target = options.Connection is { } connection
            ? await RealSetFaults.ConnectAsync(connection, database)
            : await EmulatorFaults.StartAsync(options.Members, database);
        log($"target: {target.Description}; database {database}");

        using (var setup = new MongoClient(ChaosClient.Settings(target.ConnectionString, retryWrites: true)))
        {
            await Schema.SeedAsync(setup.GetDatabase(database), CancellationToken.None);
        }

        var history = new History();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<FaultRecord> faults;
        using (var stop = new CancellationTokenSource(options.Duration))
        {
            var workload = new Workload(target.ConnectionString, database, options.Clients, options.Seed, history, clock)
                .RunAsync(stop.Token);
            var schedule = FaultRunner.RunAsync(
                [.. FaultSchedule.Generate(options.Seed, options.Duration).Where(s => options.Faults?.Contains(s.Kind) != false)],
                target, clock, stop.Token);
            await Task.WhenAll(workload, schedule);
            faults = await schedule;
        }

        log($"workload done after {clock.Elapsed.TotalSeconds:F1} s: {history.Operations.Count} operations, "
            + $"{faults.Count} faults; healing");
        var healClock = Stopwatch.StartNew();
        var anomalies = new List<Anomaly>();
        await HealAsync(target, database, anomalies);
        var healTime = healClock.Elapsed;

        var snapshots = await target.SnapshotAsync(database);
        var operations = history.Operations;
        anomalies.AddRange(Checker.Check(operations, snapshots));

        if (options.Connection is not null)
        {
            using var cleanup = new MongoClient(target.ConnectionString);
            await cleanup.DropDatabaseAsync(database);
        }

        IReadOnlyList<string> notes = [.. target.Notes, .. Checker.Observations(operations, snapshots)];
        return new ChaosResult(options, target.Description, operations, faults, anomalies, snapshots, notes, total.Elapsed, healTime);
    }

    /// <summary>
    /// Undoes the faults, then polls (until a deadline) for a write acknowledged by every member: the proof that the
    /// set works again after the hostile cluster times, and that every member has everything the primary had.
    /// </summary>
    private static async Task HealAsync(ITargetSet target, string database, List<Anomaly> anomalies)
    {
        var deadline = DateTime.UtcNow + HealDeadline;
        try
        {
            await target.HealAsync(HealDeadline);
        }
        catch (Exception ex) when (ex is TimeoutException or MongoException or OperationCanceledException)
        {
            anomalies.Add(new Anomaly(AnomalyKind.SetDidNotHeal, $"no primary after the faults were undone: {ex.Message}"));
            return;
        }

        using var client = new MongoClient(ChaosClient.Settings(target.ConnectionString, retryWrites: true));
        var everyMember = new WriteConcern(target.Hosts.Count, TimeSpan.FromSeconds(10));
        var sentinel = client.GetDatabase(database).GetCollection<BsonDocument>(Schema.Sentinel).WithWriteConcern(everyMember);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await sentinel.InsertOneAsync(new BsonDocument("at", DateTime.UtcNow), cancellationToken: timeout.Token);
                return;
            }
            catch (Exception ex) when (ex is TimeoutException or MongoException or OperationCanceledException)
            {
                last = Outcomes.Describe(ex);
            }
        }

        anomalies.Add(new Anomaly(
            AnomalyKind.SetDidNotHeal,
            $"no write was acknowledged by all {target.Hosts.Count} members within {HealDeadline.TotalSeconds:F0} s (last: {last})"));
    }
}
