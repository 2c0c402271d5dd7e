using Tabernacle.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.ReplicaSet;
using Tabernacle.MongoEmulator;
using Xunit.Abstractions;

namespace Tabernacle.EfCore.Tests.Reliability;

/// <summary>
/// A bounded failover soak: concurrent contexts save with w:majority and <c>EnableRetryOnFailure</c> while a seeded chaos
/// loop steps primaries down and stops and restarts primaries and secondaries. Afterwards every acknowledged write must be
/// on every member exactly once and the members must agree. Longer runs: <c>TABERNACLE_SOAK_SAVES</c> (per writer),
/// <c>TABERNACLE_SOAK_SECONDS</c>, <c>TABERNACLE_SOAK_SEED</c>.
/// </summary>
public sealed class FailoverSoakTests(DedicatedReplicaSet replicaSet, ITestOutputHelper output) : ReplicaSetTestBase(replicaSet)
{
    private const int Writers = 4;

    private const int DefaultSeed = 20240611;

    private readonly ConcurrentQueue<string> _acknowledged = new();
    private readonly ConcurrentQueue<string> _failed = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private int _saves;

    [Fact]
    public async Task Concurrent_majority_saves_survive_step_downs_and_restarts_exactly_once_on_every_member()
    {
        var seed = EnvInt("TABERNACLE_SOAK_SEED", DefaultSeed);
        var savesPerWriter = EnvInt("TABERNACLE_SOAK_SAVES", 120);
        var budget = TimeSpan.FromSeconds(EnvInt("TABERNACLE_SOAK_SECONDS", 35));
        output.WriteLine(
            $"soak seed {seed} (TABERNACLE_SOAK_SEED to replay): {Writers} writers × {savesPerWriter} saves, at most " +
                $"{budget.TotalSeconds} s");
        var clock = Stopwatch.StartNew();
        var termBefore = Emulator.Term;

        using var stop = new CancellationTokenSource();
        var writers =
            Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w, savesPerWriter, seed, clock, budget))).ToArray();
        var writing = Task.WhenAll(writers);
        var faults = await ChaosAsync(new Random(seed), writing, clock, budget);
        await writing;
        var writeTime = clock.Elapsed;

        // Heal: every member up, a primary, everything replicated.
        foreach (var member in Emulator.Members.Where(m => !m.IsRunning))
        {
            await member.StartAsync();
        }

        await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(30));
        await Polling.WaitUntilAsync(
            async () =>
            {
                await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(30));
                var primary = Emulator.Primary;
                return primary is not null && Emulator.Members.All(m => m.LastAppliedTimestamp == primary.LastAppliedTimestamp);
            },
            TimeSpan.FromSeconds(30),
            "every member catches up with the primary");

        var acknowledged = _acknowledged.ToHashSet();
        var failed = _failed.ToHashSet();
        var perMember = Emulator.Members.Select(m => (Member: m, Documents: m.GetDocuments(DatabaseName, "items"))).ToList();
        var primaryDocuments = perMember.Single(p => p.Member.Role == EmulatorMemberRole.Primary).Documents;
        var presentOnPrimary = primaryDocuments.Select(d => d["Name"].AsString).ToHashSet();

        var lost =
            perMember.SelectMany(p =>
                acknowledged.Where(a => !p.Documents.Any(d => d["Name"].AsString == a)).Select(a =>
                    $"{a} missing on {p.Member.Host}")).ToList();
        var duplicated =
            perMember.SelectMany(p =>
                p.Documents.GroupBy(d => d["Name"].AsString).Where(g => g.Count() > 1).Select(g =>
                    $"{g.Key} ×{g.Count()} on {p.Member.Host}")).ToList();
        var unacknowledgedButPresent = failed.Count(presentOnPrimary.Contains);
        var unknown = presentOnPrimary.Count(n => !acknowledged.Contains(n) && !failed.Contains(n));

        output.WriteLine(
            $"operations {Volatile.Read(ref _saves)} saves ({acknowledged.Count + failed.Count} documents) in " +
                $"{writeTime.TotalSeconds:F1} s; " +
            $"faults injected {faults.Total}: {faults.StepDowns} step-downs, {faults.PrimaryStops} primary stops, " +
                $"{faults.SecondaryStops} secondary stops, {faults.Restarts} restarts; " +
            $"elections {Emulator.Term - termBefore}; retries " +
                $"{Logs.Entries.Count(e => e.EventId.Id == CoreEventId.ExecutionStrategyRetrying.Id)}");
        output.WriteLine(
            $"acknowledged writes {acknowledged.Count}, failed saves' documents {failed.Count} (of which present: " +
                $"{unacknowledgedButPresent}), " +
            $"lost {lost.Count}, duplicated {duplicated.Count}, present but never attempted {unknown}");
        output.WriteLine($"errors: {(_errors.IsEmpty ? "none" : string.Join("; ", _errors.Select(e => $"{e.Key} ×{e.Value}")))}");
        foreach (var (member, documents) in perMember)
        {
            output.WriteLine(
                $"  {member.Host} {member.Role}: {documents.Count} documents, last applied ({member.LastAppliedTimestamp.Timestamp}, " +
                    $"{member.LastAppliedTimestamp.Increment}), oplog {member.OplogCount} entries");
        }

        Assert.True(lost.Count == 0, "acknowledged writes were lost:\n" + string.Join("\n", lost.Take(20)));
        Assert.True(duplicated.Count == 0, "writes were stored more than once:\n" + string.Join("\n", duplicated.Take(20)));
        Assert.Equal(0, unknown);

        // A replayed save finds its own earlier write (ReplayedSaveTests): none fails as a duplicate of itself.
        Assert.DoesNotContain(_errors.Keys, e => e.Contains("_id_", StringComparison.Ordinal));

        // The members agree: the same documents, and (once the set's own no-ops after the run, such as the one mongod
        // writes when a late abortTransaction finds no transaction, have replicated) the same oplog position.
        var reference = perMember[0];
        foreach (var (_, documents) in perMember.Skip(1))
        {
            Assert.Equal(Canonical(reference.Documents), Canonical(documents));
        }

        await Polling.WaitUntilAsync(
            async () =>
            {
                await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(30));
                var first = Emulator.Members[0];
                return Emulator.Members.All(m => m.LastAppliedTimestamp == first.LastAppliedTimestamp && m.OplogCount == first.OplogCount);
            },
            TimeSpan.FromSeconds(30),
            "every member reaches the same oplog position");

        // The soak did what it says: enough faults of each kind and enough writes through them.
        Assert.True(faults.StepDowns >= 2 && faults.PrimaryStops >= 1 && faults.SecondaryStops >= 1, $"too few faults: {faults}");
        Assert.True(acknowledged.Count >= Writers * savesPerWriter / 2, $"only {acknowledged.Count} writes were acknowledged");
    }

    private async Task WriteAsync(int writer, int saves, int seed, Stopwatch clock, TimeSpan budget)
    {
        var random = new Random(seed + writer + 1);
        for (var i = 0; i < saves && clock.Elapsed < budget; i++)
        {
            // One to three documents per save: multi-document bulk writes fail over too.
            var names =
                Enumerable.Range(0, random.Next(1, 4)).Select(k =>
                    string.Create(CultureInfo.InvariantCulture, $"w{writer}-{i}-{k}")).ToList();
            await using var db = CreateContext(o => o
                .DefaultWriteConcern(WriteConcern.WMajority)
                .EnableRetryOnFailure(maxRetryCount: 10, maxRetryDelay: TimeSpan.FromMilliseconds(500)));
            db.Items.AddRange(names.Select(n => new Item { Name = n, Quantity = writer }));
            Interlocked.Increment(ref _saves);
            try
            {
                await db.SaveChangesAsync();
                names.ForEach(_acknowledged.Enqueue);
            }
            catch (Exception ex)
            {
                names.ForEach(_failed.Enqueue);
                var inner = ex.InnerException is { } e ? $" ← {e.GetType().Name}" : "";
                _errors.AddOrUpdate($"{ex.GetType().Name}{inner}: {Shorten(ex.Message)}", 1, (_, n) => n + 1);
            }
        }
    }

    private sealed record Faults
    {
        public int StepDowns { get; set; }

        public int PrimaryStops { get; set; }

        public int SecondaryStops { get; set; }

        public int Restarts { get; set; }

        public int Total => StepDowns + PrimaryStops + SecondaryStops;
    }

    /// <summary>Injects one fault after every few acknowledged writes until the writers finish; one member is down at most.</summary>
    private async Task<Faults> ChaosAsync(Random random, Task writing, Stopwatch clock, TimeSpan budget)
    {
        var faults = new Faults();
        var round = 0;
        while (!writing.IsCompleted && clock.Elapsed < budget)
        {
            if (!await ProgressAsync(random.Next(10, 30), writing))
            {
                break;
            }

            // A fixed rotation (step down, stop the primary, step down, stop a secondary) so each kind happens in a short run.
            switch (round++ % 4)
            {
                case 0 or 2:
                    await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));
                    faults.StepDowns++;
                    break;
                case 1:
                {
                    var primary = await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(30));
                    await primary.StopAsync();
                    faults.PrimaryStops++;
                    await RestartAfterProgressAsync(primary, random, writing, faults);
                    break;
                }

                default:
                {
                    var secondaries = Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary).ToList();
                    if (secondaries.Count == 0)
                    {
                        continue;
                    }

                    var secondary = secondaries[random.Next(secondaries.Count)];
                    await secondary.StopAsync();
                    faults.SecondaryStops++;
                    await RestartAfterProgressAsync(secondary, random, writing, faults);
                    break;
                }
            }
        }

        return faults;
    }

    private async Task RestartAfterProgressAsync(EmulatorMember member, Random random, Task writing, Faults faults)
    {
        await ProgressAsync(random.Next(10, 30), writing);
        await member.StartAsync();
        faults.Restarts++;

        // Let it catch up before the next fault, or the next election may have no majority that is up to date.
        await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(30));
        await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits until <paramref name="writes"/> more saves finished (acknowledged or not), or the writers are done.</summary>
    private async Task<bool> ProgressAsync(int writes, Task writing)
    {
        var target = _acknowledged.Count + _failed.Count + writes;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_acknowledged.Count + _failed.Count < target)
        {
            if (writing.IsCompleted)
            {
                return false;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"the writers made no progress for 30 s ({_acknowledged.Count} acknowledged, {_failed.Count} failed)");
            await Task.WhenAny(writing, Task.Delay(10));
        }

        return true;
    }

    // One line per kind of error: the ids and keys that differ from save to save are left out.
    private static string Shorten(string message)
    {
        var kind = System.Text.RegularExpressions.Regex.Replace(message, @"dup key: .*|ObjectId\(""[0-9a-f]{24}""\)", "…");
        return kind.Length <= 160 ? kind : kind[..160] + "…";
    }

    private static List<string> Canonical(IEnumerable<BsonDocument> documents) =>
        documents.Select(d => d.ToJson()).Order(StringComparer.Ordinal).ToList();

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
            : fallback;
}
