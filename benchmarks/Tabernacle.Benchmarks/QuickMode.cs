using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tabernacle.Benchmarks;

/// <summary>
/// <c>--quick</c>: a Stopwatch loop instead of BenchmarkDotNet, for a regression check in well under 3 minutes. Each
/// pair is measured in alternating rounds (raw, provider, raw, provider, ...) and the median ratio is printed, which
/// keeps a shared, busy machine's drift out of the ratio better than one long run each.
/// </summary>
internal static class QuickMode
{
    private const int Rounds = 5;
    private static readonly TimeSpan RoundTime = TimeSpan.FromMilliseconds(250);

    private sealed record Row(string Category, double RawUs, double EfUs, double TimeRatio, double RawBytes, double EfBytes,
        double AllocRatio, string Target);

    public static async Task<int> RunAsync(TextWriter output)
    {
        var total = Stopwatch.StartNew();
        var rows = new List<Row>();
        output.WriteLine(
            $"Tabernacle.Benchmarks quick mode: {Environment.ProcessorCount} cores, {RuntimeVersion()}; median of {Rounds} alternating " +
                $"rounds; ratio = provider / raw driver.");
        using (var fixture = Fixture.Start())
        {
            var reads = new ReadScenarios(fixture);
            rows.Add(
                await PairAsync("WhereOrderByTake100 tracked", reads.RawWhereOrderByTake, reads.EfWhereOrderByTakeTracked,
                    "change tracker on top: reported"));
            rows.Add(
                await PairAsync("WhereOrderByTake100 no-tracking", reads.RawWhereOrderByTake, reads.EfWhereOrderByTakeNoTracking,
                    "<= 1.15x time, <= 2x bytes"));
            rows.Add(await PairAsync("ToList 1,000", reads.RawToListAll, reads.EfToListAll, "<= 1.15x time, <= 2x bytes"));
            rows.Add(
                await PairAsync("ToList 1,000 tracked", reads.RawToListAll, reads.EfToListAllTracked, "change tracker on top: reported"));
            rows.Add(await PairAsync("ToList 2,000 x 35 fields", reads.RawToListWide, reads.EfToListWide, "<= 1.15x time, <= 2x bytes"));
            rows.Add(await PairAsync("First by key", reads.RawFirstByKey, reads.EfFirstByKey, "<= 1.1x time"));
            rows.Add(
                await PairAsync("First by key, compiled query", reads.RawFirstByKey, reads.EfFirstByKeyCompiled,
                    "EF Core's LINQ pipeline removed: reported"));
            rows.Add(await PairAsync("Find", reads.RawFirstByKey, reads.EfFind, "<= 1.15x time (tracking)"));
            rows.Add(await PairAsync("Count with filter", reads.RawCount, reads.EfCount, "<= 1.1x time"));
            rows.Add(await PairAsync("Select to DTO", reads.RawSelectDto, reads.EfSelectDto, "<= 1.15x time, <= 2x bytes"));
            rows.Add(await PairAsync("GroupBy Sum", reads.RawGroupBySum, reads.EfGroupBySum, "<= 1.15x time, <= 2x bytes"));
            rows.Add(await PairAsync("Include reference", reads.RawInclude, reads.EfInclude, "<= 1.15x time, <= 2x bytes"));
            rows.Add(await PairAsync("Query shape: cached", reads.RawWhereOrderByTake, reads.EfCachedShape, "no translation"));
            rows.Add(await PairAsync("Query shape: new (first execution)", reads.RawWhereOrderByTake, reads.EfNewShape, "reported"));

            var saves = new SaveScenarios(fixture);
            rows.Add(
                await SavePairAsync("Save 1,000 added", saves.PrepareAdd, saves.RawAdd, saves.PrepareAdd, saves.EfAdd, saves.Clean, 6));
            rows.Add(
                await SavePairAsync("Save 1,000 added, no transaction", saves.PrepareAdd, saves.RawAdd, saves.PrepareAdd,
                    saves.EfAddNoTransaction, saves.Clean, 6));
            rows.Add(
                await SavePairAsync("Save 100 modified", saves.PrepareModifyRaw, saves.RawModify, saves.PrepareModifyEf, saves.EfModify,
                    saves.Clean, 12));
            rows.Add(
                await SavePairAsync("Save 100 modified, no transaction", saves.PrepareModifyRaw, saves.RawModify,
                    saves.PrepareModifyEfNoTransaction, saves.EfModify, saves.Clean, 12));
            rows.Add(
                await SavePairAsync("Save 100 deleted", saves.PrepareDeleteRaw, saves.RawDelete, saves.PrepareDeleteEf, saves.EfDelete,
                    saves.Clean, 12));
            rows.Add(
                await SavePairAsync("Save 100 deleted, no transaction", saves.PrepareDeleteRaw, saves.RawDelete,
                    saves.PrepareDeleteEfNoTransaction, saves.EfDelete, saves.Clean, 12));

            // EF Core's own share of the add, measured alone: what no provider change can remove.
            var addRange = new List<(double Us, double Bytes)>();
            for (var i = 0; i < 8; i++)
            {
                var sample = await MeasureOnceAsync(saves.PrepareAdd, saves.EfAddRangeOnly, saves.Clean);
                if (i >= 2)
                {
                    addRange.Add(sample);
                }
            }

            output.WriteLine();
            output.WriteLine(
                $"| {"Category",-36} | {"raw µs",9} | {"provider µs",11} | {"time ratio",10} | {"raw B",10} | {"provider B",10} | {"alloc ratio",11} | target");
            output.WriteLine(
                $"|{new string('-', 38)}|{new string('-', 11)}|{new string('-', 13)}|{new string('-', 12)}|{new string('-', 12)}|{new string('-', 12)}|{new string('-', 13)}|-------");
            foreach (var row in rows)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Category,-36} | {row.RawUs,9:F0} | {row.EfUs,11:F0} | {row.TimeRatio,9:F2}x | {row.RawBytes,10:F0} | " +
                        $"{row.EfBytes,10:F0} | {row.AllocRatio,10:F2}x | {row.Target}"));
            }

            var addRangeBytes = Median(addRange.Select(a => a.Bytes));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {"EF Core AddRange 1,000 alone (no save)",-36} | {"",9} | {Median(addRange.Select(a => a.Us)),11:F0} | {"",10} | {rows.First(r => r.Category == "Save 1,000 added").RawBytes,10:F0} | {addRangeBytes,10:F0} | {addRangeBytes / rows.First(r => r.Category == "Save 1,000 added").RawBytes,10:F2}x | EF Core's change tracker (reported)"));

            output.WriteLine();
            var (cachedCompilations, cachedRuns) = await CountCompilationsAsync(reads.EfCachedShape, 20);
            var (newCompilations, newRuns) = await CountCompilationsAsync(reads.EfNewShape, 5);
            output.WriteLine(
                $"Query compilations (EF Core QueryCompilationStarting events): cached shape {cachedCompilations} in {cachedRuns} " +
                    $"executions (target 0); new shape {newCompilations} in {newRuns} executions.");
        }

        output.WriteLine();
        output.WriteLine(
            $"Read scaling (SIMULATION: each member serves {ReadScaling.ConcurrencyPerMember} reads at once, {ReadScaling.ServiceTimeMs} " +
                $"ms each; {ReadScaling.Workers} concurrent readers):");
        var scaling = await ReadScaling.RunAsync(TimeSpan.FromSeconds(3), output);
        var primary = scaling[0].ReadsPerSecond;
        foreach (var result in scaling.Skip(1))
        {
            output.WriteLine(
                string.Create(CultureInfo.InvariantCulture,
                    $"  {result.Mode} / primary throughput: {result.ReadsPerSecond / primary:F2}x{(result.Mode == "SecondaryPreferred" ? " (target >= 1.8x)" : "")}"));
        }

        output.WriteLine();
        output.WriteLine($"quick mode finished in {total.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static async Task<Row> PairAsync(string category, Func<Task<int>> raw, Func<Task<int>> ef, string target)
    {
        // Warm-up: connections, compiled queries, JIT tiers.
        for (var i = 0; i < 20; i++)
        {
            await raw();
            await ef();
        }

        var rawSamples = new List<(double Us, double Bytes)>();
        var efSamples = new List<(double Us, double Bytes)>();
        for (var round = 0; round < Rounds; round++)
        {
            rawSamples.Add(await MeasureAsync(raw));
            efSamples.Add(await MeasureAsync(ef));
        }

        return MakeRow(category, rawSamples, efSamples, target);
    }

    private static async Task<(double Us, double Bytes)> MeasureAsync(Func<Task<int>> operation)
    {
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed < RoundTime || count < 3)
        {
            await operation();
            count++;
        }

        var elapsed = clock.Elapsed;
        return (elapsed.TotalMicroseconds / count, (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / count);
    }

    private static async Task<Row> SavePairAsync(string category, Action prepareRaw, Func<Task<int>> raw, Action prepareEf,
        Func<Task<int>> ef, Action clean, int iterations)
    {
        var rawSamples = new List<(double Us, double Bytes)>();
        var efSamples = new List<(double Us, double Bytes)>();
        for (var i = 0; i < iterations + 2; i++)
        {
            var r = await MeasureOnceAsync(prepareRaw, raw, clean);
            var e = await MeasureOnceAsync(prepareEf, ef, clean);
            if (i >= 2)
            {
                rawSamples.Add(r);
                efSamples.Add(e);
            }
        }

        return MakeRow(category, rawSamples, efSamples, "<= 1.3x time");
    }

    private static async Task<(double Us, double Bytes)> MeasureOnceAsync(Action prepare, Func<Task<int>> operation, Action clean)
    {
        prepare();
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await operation();
        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;
        clean();
        return (elapsed.TotalMicroseconds, allocated);
    }

    private static Row MakeRow(string category, List<(double Us, double Bytes)> raw, List<(double Us, double Bytes)> ef, string target)
    {
        var timeRatio = Median(raw.Zip(ef, (r, e) => e.Us / r.Us));
        var allocRatio = Median(raw.Zip(ef, (r, e) => e.Bytes / Math.Max(1, r.Bytes)));
        return new Row(category, Median(raw.Select(r => r.Us)), Median(ef.Select(e => e.Us)), timeRatio, Median(raw.Select(r => r.Bytes)),
            Median(ef.Select(e => e.Bytes)), allocRatio, target);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task<(int Compilations, int Runs)> CountCompilationsAsync(Func<Task<int>> operation, int runs)
    {
        using var counter = new CompilationCounter();
        for (var i = 0; i < runs; i++)
        {
            await operation();
        }

        return (counter.Count, runs);
    }

    private static string RuntimeVersion() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    /// <summary>Counts EF Core's QueryCompilationStarting diagnostic events (one per query translation).</summary>
    private sealed class CompilationCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];
        private int _count;

        public CompilationCounter() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

        public int Count => Volatile.Read(ref _count);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(value.Subscribe(this, name => name == CoreEventId.QueryCompilationStarting.Name));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == CoreEventId.QueryCompilationStarting.Name)
            {
                Interlocked.Increment(ref _count);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions)
            {
                foreach (var subscription in _subscriptions)
                {
                    subscription.Dispose();
                }
            }
        }
    }
}
