using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace Tabernacle.Benchmarks;

/// <summary>
/// <c>--emulator-scaling</c>: time per operation and resident memory per document of the emulator at 1k, 10k and
/// 100k documents (add <c>--million</c> for 1M), as a Stopwatch loop: each operation runs for a fixed time after a
/// warm-up, and the median of five rounds is printed as a markdown table. Memory is the host's working set after
/// seeding minus before, per document, and again after a steady update load (old versions must not pile up).
/// </summary>
internal static class EmulatorScaling
{
    private const int Rounds = 5;

    public static async Task<int> RunAsync(TextWriter output, bool million, bool quick)
    {
        int[] sizes = million ? [1_000, 10_000, 100_000, 1_000_000] : [1_000, 10_000, 100_000];
        var roundTime = TimeSpan.FromMilliseconds(quick ? 100 : 400);
        output.WriteLine(
            $"Emulator scaling: {Environment.ProcessorCount} cores; single-member host; median of {Rounds} rounds of " +
                $"{roundTime.TotalMilliseconds} ms; µs per operation.");
        output.WriteLine(
            "| documents | insert | find _id | find indexed | sort+limit 10 | updateOne _id | updateOne _id in txn | $group | RSS/doc " +
                "seeded | RSS/doc after updates | BSON/doc |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            using var scenarios = await EmulatorScalingScenarios.StartAsync(size);
            var seeded = scenarios.Host.ResidentBytes;

            // Each host starts cold: run every operation a while first, so the small sizes do not measure the JIT.
            Func<Task>[] operations =
            [
                scenarios.InsertOneAsync, scenarios.FindByIdAsync, scenarios.FindBySkuAsync, scenarios.SortLimitAsync,
                scenarios.UpdateByIdAsync, scenarios.UpdateByIdInTransactionAsync, scenarios.GroupAsync,
            ];
            foreach (var operation in operations)
            {
                for (var i = 0; i < 200; i++)
                {
                    await operation();
                }
            }

            var insert = await MeasureAsync(scenarios.InsertOneAsync, roundTime);
            var byId = await MeasureAsync(scenarios.FindByIdAsync, roundTime);
            var bySku = await MeasureAsync(scenarios.FindBySkuAsync, roundTime);
            var sortLimit = await MeasureAsync(scenarios.SortLimitAsync, roundTime);
            var update = await MeasureAsync(scenarios.UpdateByIdAsync, roundTime);
            var updateInTransaction = await MeasureAsync(scenarios.UpdateByIdInTransactionAsync, roundTime);
            var group = await MeasureAsync(scenarios.GroupAsync, roundTime);

            // A steady update load: as many updates as documents (at most 20,000), then memory again.
            for (var i = 0; i < Math.Min(size, 20_000); i++)
            {
                await scenarios.UpdateByIdAsync();
            }

            var afterUpdates = scenarios.Host.ResidentBytes;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {insert:F0} | {byId:F0} | {bySku:F0} | {sortLimit:F0} | {update:F0} | {updateInTransaction:F0} | " +
                    $"{group:F0} " +
                $"| {PerDocument(seeded, scenarios.ResidentBeforeSeed, size)} | " +
                    $"{PerDocument(afterUpdates, scenarios.ResidentBeforeSeed, size)} | {scenarios.DocumentBsonBytes} |"));
        }

        return 0;
    }

    private static string PerDocument(long resident, long before, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{(resident - before) / (double)count:F0} B");

    /// <summary>Median microseconds per call over <see cref="Rounds"/> rounds of <paramref name="roundTime"/>, after one warm-up
    /// round.</summary>
    private static async Task<double> MeasureAsync(Func<Task> operation, TimeSpan roundTime)
    {
        var perCall = new List<double>();
        for (var round = 0; round <= Rounds; round++)
        {
            var calls = 0;
            var stopwatch = Stopwatch.StartNew();
            while (stopwatch.Elapsed < roundTime || calls < 3)
            {
                await operation();
                calls++;
            }

            if (round > 0)
            {
                perCall.Add(stopwatch.Elapsed.TotalMicroseconds / calls);
            }
        }

        perCall.Sort();
        return perCall[perCall.Count / 2];
    }
}

/// <summary>The same operations under BenchmarkDotNet (<c>--filter *EmulatorScaling*</c>), one host per collection size.</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 10)]
public class EmulatorScalingBenchmarks
{
    private EmulatorScalingScenarios _scenarios = null!;

    [Params(1_000, 10_000, 100_000)]
    public int Documents { get; set; }

    [GlobalSetup]
    public void Setup() => _scenarios = EmulatorScalingScenarios.StartAsync(Documents).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _scenarios.Dispose();

    [Benchmark]
    public Task Insert() => _scenarios.InsertOneAsync();

    [Benchmark]
    public Task FindById() => _scenarios.FindByIdAsync();

    [Benchmark]
    public Task FindByIndexedField() => _scenarios.FindBySkuAsync();

    [Benchmark]
    public Task SortLimit10() => _scenarios.SortLimitAsync();

    [Benchmark]
    public Task UpdateOneById() => _scenarios.UpdateByIdAsync();

    [Benchmark]
    public Task UpdateOneByIdInTransaction() => _scenarios.UpdateByIdInTransactionAsync();

    [Benchmark]
    public Task Group() => _scenarios.GroupAsync();
}
