using System.Globalization;

namespace Tabernacle.Benchmarks;

/// <summary>
/// <c>--emulator-memory [--documents N] [--hold S] [--gcdump FILE]</c>: the memory half of <c>--emulator-scaling</c> at one size, without
/// the timed rounds: a single-member host seeded with N documents (default 1,000,000), its resident memory per document,
/// then five <c>$group</c> scans (timed) and a steady update load (as many updates as documents, at most 20,000) and the same
/// figure again. With <c>--hold</c>, the host stays up S seconds after printing its process id, for a heap snapshot
/// (<c>dotnet-gcdump collect -p PID</c>). With <c>--gcdump</c>, the probe takes that snapshot itself (the tool must be on
/// the PATH: <c>dotnet tool install -g dotnet-gcdump</c>) and prints the live heap it counted (the snapshot collects
/// first, so it counts reachable objects only) and the resident memory after that collection.
/// </summary>
internal static class EmulatorMemory
{
    public static async Task<int> RunAsync(TextWriter output, string[] args)
    {
        var documents = IntOption(args, "--documents", 1_000_000);
        var hold = IntOption(args, "--hold", 0);
        var gcdump = args.SkipWhile(a => a != "--gcdump").Skip(1).FirstOrDefault();
        using var scenarios = await EmulatorScalingScenarios.StartAsync(documents);
        var seeded = scenarios.Host.ResidentBytes;
        var groupTimes = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            await scenarios.GroupAsync();
            groupTimes.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        groupTimes.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"$group of the whole collection: " +
                $"{string.Join(" / ", groupTimes.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} ms " +
                $"(median {groupTimes[2]:F0} ms)"));

        for (var i = 0; i < Math.Min(documents, 20_000); i++)
        {
            await scenarios.UpdateByIdAsync();
        }

        var afterUpdates = scenarios.Host.ResidentBytes;
        var status = await scenarios.ServerStatusAsync();
        var allocator = status["tcmalloc"];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GC heap at its last collection (#{allocator["tcmalloc"]["gc_index"]}, gen {allocator["tcmalloc"]["gc_generation"]}): " +
                $"in use {allocator["generic"]["current_allocated_bytes"].ToInt64() / 1048576.0:F0} MB, free space " +
                $"{allocator["tcmalloc"]["pageheap_free_bytes"].ToInt64() / 1048576.0:F0} MB, committed " +
                $"{allocator["generic"]["heap_size"].ToInt64() / 1048576.0:F0} MB; resident {afterUpdates / 1048576.0:F0} MB"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"documents {documents:N0}, BSON/doc {scenarios.DocumentBsonBytes} B, before seeding " +
                $"{scenarios.ResidentBeforeSeed / 1048576.0:F0} MB; " +
                $"RSS/doc seeded {PerDocument(seeded)} B, after $group and updates {PerDocument(afterUpdates)} B; host pid " +
                $"{scenarios.Host.ProcessId}"));
        if (gcdump is not null)
        {
            await RunToolAsync("dotnet-gcdump", "collect", "-p", scenarios.Host.ProcessId.ToString(CultureInfo.InvariantCulture), "-o",
                gcdump);
            var report = await RunToolAsync("dotnet-gcdump", "report", gcdump);
            var heap = report.Split('\n').FirstOrDefault(l => l.Contains("GC Heap bytes", StringComparison.Ordinal))?.Trim() ?? "?";
            var live = long.Parse(heap.Split(' ')[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"live heap {live / 1048576.0:F0} MB ({live / (double)documents:F0} B/doc with the fixed part); RSS/doc after the " +
                    $"snapshot's collection {PerDocument(scenarios.Host.ResidentBytes)} B"));
        }

        if (hold > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(hold));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RSS/doc after the hold {PerDocument(scenarios.Host.ResidentBytes)} B"));
        }

        return 0;

        string PerDocument(long resident) =>
            string.Create(CultureInfo.InvariantCulture, $"{(resident - scenarios.ResidentBeforeSeed) / (double)documents:F0}");
    }

    private static async Task<string> RunToolAsync(string tool, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"cannot start {tool}");
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var value = args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return value is null ? fallback : int.Parse(value, CultureInfo.InvariantCulture);
    }
}
