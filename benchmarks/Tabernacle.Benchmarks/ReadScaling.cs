using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using MongoDB.Driver.Core.Servers;
using Tabernacle.EfCore;

namespace Tabernacle.Benchmarks;

/// <summary>
/// Read scaling by simulation: the same concurrent read load (First by key through the provider) with
/// <c>primary</c>, <c>secondaryPreferred</c> and <c>nearest</c> against 3 members whose read capacity is simulated by
/// the emulator (<c>--read-service-ms</c>, <c>--read-concurrency</c>), reporting throughput and each member's share.
/// </summary>
/// <remarks>
/// A simulation because the three members are one process on the benchmark's own machine: they share its cores, so
/// without a simulated capacity spreading reads over members adds no capacity at all. The emulator gives each member a
/// fixed service time per read and a limit on concurrent reads, a timer rather than CPU work, so each member saturates
/// on its own, as separate servers would, and the client's routing decides the throughput.
/// </remarks>
internal static class ReadScaling
{
    public const int ServiceTimeMs = 10;
    public const int ConcurrencyPerMember = 2;
    public const int Workers = 48;

    public sealed record MemberShare(string Member, string Role, long Reads, double Share);

    public sealed record Result(string Mode, long Reads, double Seconds, double ReadsPerSecond, IReadOnlyList<MemberShare> Members);

    public static async Task<IReadOnlyList<Result>> RunAsync(TimeSpan duration, TextWriter output)
    {
        using var host =
            EmulatorHost.Start("--read-service-ms", ServiceTimeMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--read-concurrency", ConcurrencyPerMember.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var counts = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var settings = MongoClientSettings.FromConnectionString(host.ConnectionString);
        settings.MaxConnectionPoolSize = Workers * 2;
        // All members are on loopback, so differences in their heartbeat round trips come from this machine's CPU load,
        // not distance; under heavy load they exceed the default 15 ms latency window and the driver drops a member from
        // selection. A wide window keeps every member eligible, as equally distant servers would be.
        settings.LocalThreshold = TimeSpan.FromMilliseconds(250);
        settings.ClusterConfigurator = cluster => cluster.Subscribe<CommandSucceededEvent>(e =>
        {
            if (e.CommandName is "find" or "aggregate")
            {
                counts.AddOrUpdate(e.ConnectionId.ServerId.EndPoint.ToString()!, 1, (_, n) => n + 1);
            }
        });
        using var client = new MongoClient(settings);
        var options = new DbContextOptionsBuilder<BenchContext>().UseTabernacle(client, "bench_scaling").Options;
        using (var context = new BenchContext(options))
        {
            await context.Database.EnsureDeletedAsync();
            await context.Database.EnsureCreatedAsync();
            context.Customers.AddRange(Fixture.NewCustomers(1, Fixture.CustomerCount));
            await context.SaveChangesAsync();
        }

        await WaitForSecondariesAsync(client);
        var factory = new PooledDbContextFactory<BenchContext>(options);
        var results = new List<Result>();
        foreach (var mode in new[] { ReadPreferenceMode.Primary, ReadPreferenceMode.SecondaryPreferred, ReadPreferenceMode.Nearest })
        {
            await LoadAsync(factory, mode, TimeSpan.FromSeconds(1)); // warm-up: pools filled, queries compiled
            counts.Clear();
            var clock = Stopwatch.StartNew();
            var reads = await LoadAsync(factory, mode, duration);
            var seconds = clock.Elapsed.TotalSeconds;
            var servers = client.Cluster.Description.Servers.ToDictionary(s => s.EndPoint.ToString()!, s => s.Type);
            var total = Math.Max(1, counts.Values.Sum());
            var members = servers.OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s =>
                    new MemberShare(s.Key, Role(s.Value), counts.GetValueOrDefault(s.Key), (double)counts.GetValueOrDefault(s.Key) / total))
                .ToList();
            var result = new Result(mode.ToString(), reads, seconds, reads / seconds, members);
            results.Add(result);
            output.WriteLine($"  {result.Mode,-18} {result.ReadsPerSecond,8:F0} reads/s  ({result.Reads} in {seconds:F1} s)  " +
                string.Join("  ", members.Select(m => $"{m.Role} {m.Member}: {m.Share:P0}")));
        }

        return results;
    }

    private static string Role(ServerType type) => type switch
    {
        ServerType.ReplicaSetPrimary => "primary",
        ServerType.ReplicaSetSecondary => "secondary",
        _ => type.ToString(),
    };

    private static async Task<long> LoadAsync(PooledDbContextFactory<BenchContext> factory, ReadPreferenceMode mode, TimeSpan duration)
    {
        var readPreference = new ReadPreference(mode);
        using var stop = new CancellationTokenSource(duration);
        long reads = 0;
        var workers = Enumerable.Range(0, Workers).Select(async worker =>
        {
            var id = worker * 13;
            while (!stop.IsCancellationRequested)
            {
                id = (id % Fixture.CustomerCount) + 1;
                await using var context = factory.CreateDbContext();
                var key = id;
                _ = await context.Customers.AsNoTracking().WithReadPreference(readPreference).FirstAsync(c => c.Id == key);
                Interlocked.Increment(ref reads);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        return reads;
    }

    private static async Task WaitForSecondariesAsync(MongoClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var secondaries =
            client.GetDatabase("bench_scaling").GetCollection<Customer>("customers").WithReadPreference(ReadPreference.Secondary);
        while (client.Cluster.Description.Servers.Count(s => s.Type == ServerType.ReplicaSetSecondary) < 2
            || await secondaries.CountDocumentsAsync(FilterDefinition<Customer>.Empty) < Fixture.CustomerCount)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the secondaries were not discovered or did not catch up within 60 s");
            }

            await Task.Delay(100);
        }
    }
}
