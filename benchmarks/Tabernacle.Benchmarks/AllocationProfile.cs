using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Tabernacle.Benchmarks;

/// <summary>
/// <c>--alloc-profile</c>: where the bytes of each read go, by type. The runtime samples an allocation about every
/// 100 KB (GCAllocationTick); running a pair many times gives each side's allocated bytes by type, which is the
/// profile behind the allocation ratios in docs/benchmarks.md. Not a timing: counts only.
/// </summary>
internal static class AllocationProfile
{
    /// <param name="output">Where the profile is written.</param>
    /// <param name="only">"reads" or "saves" to profile only those pairs; null for both.</param>
    public static async Task<int> RunAsync(TextWriter output, string? only = null)
    {
        using var fixture = Fixture.Start();
        if (only != "saves")
        {
            await ReadsAsync(fixture, output);
        }

        if (only != "reads")
        {
            await SavesAsync(fixture, output);
        }

        return 0;
    }

    private static async Task ReadsAsync(Fixture fixture, TextWriter output)
    {
        var reads = new ReadScenarios(fixture);
        var pairs = new (string Name, Func<Task<int>> Raw, Func<Task<int>> Ef, int Runs)[]
        {
            ("ToList 1,000", reads.RawToListAll, reads.EfToListAll, 300),
            ("Select to DTO", reads.RawSelectDto, reads.EfSelectDto, 1_000),
            ("First by key", reads.RawFirstByKey, reads.EfFirstByKey, 5_000),
        };
        foreach (var (name, raw, ef, runs) in pairs)
        {
            if (!Selected(name))
            {
                continue;
            }

            output.WriteLine($"== {name} ({runs} runs; bytes per run by type, from ~100 KB allocation samples)");
            foreach (var (side, operation) in new[] { ("raw", raw), ("provider", ef) })
            {
                for (var i = 0; i < 20; i++)
                {
                    await operation();
                }

                using var listener = new TickListener();
                for (var i = 0; i < runs; i++)
                {
                    await operation();
                }

                listener.Dispose();
                output.WriteLine($"  {side}:");
                foreach (var (type, bytes) in listener.Bytes.OrderByDescending(p => p.Value).Take(14))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {bytes / runs,10:F0} B  {type}"));
                }
            }
        }

    }

    private static async Task SavesAsync(Fixture fixture, TextWriter output)
    {
        var saves = new SaveScenarios(fixture);
        var savePairs = new (string Name, Action PrepareRaw, Func<Task<int>> Raw, Action PrepareEf, Func<Task<int>> Ef, int Runs)[]
        {
            ("Save 1,000 added, no transaction", saves.PrepareAdd, saves.RawAdd, saves.PrepareAdd, saves.EfAddNoTransaction, 40),
            ("Save 100 modified, no transaction", saves.PrepareModifyRaw, saves.RawModify,
                saves.PrepareModifyEfNoTransaction, saves.EfModify, 150),
            ("Save 100 deleted, no transaction", saves.PrepareDeleteRaw, saves.RawDelete, saves.PrepareDeleteEfNoTransaction,
                saves.EfDelete, 150),
            ("Save 1,000 added (AddRange alone on the provider side)", saves.PrepareAdd, saves.RawAdd,
                saves.PrepareAdd, saves.EfAddRangeOnly, 40),
        };
        foreach (var (name, prepareRaw, raw, prepareEf, ef, runs) in savePairs)
        {
            if (!Selected(name))
            {
                continue;
            }

            output.WriteLine($"== {name} ({runs} runs; bytes per run by type, preparation not counted)");
            foreach (var (side, prepare, operation) in new[] { ("raw", prepareRaw, raw), ("provider", prepareEf, ef) })
            {
                using var listener = new TickListener();
                for (var i = 0; i < runs; i++)
                {
                    prepare();
                    listener.Active = true;
                    await operation();
                    listener.Active = false;
                    saves.Clean();
                }

                listener.Dispose();
                output.WriteLine($"  {side}:");
                foreach (var (type, bytes) in listener.Bytes.OrderByDescending(p => p.Value).Take(16))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {bytes / runs,10:F0} B  {type}"));
                }
            }
        }
    }

    // TABERNACLE_PROFILE_ONLY (a part of a pair's name) profiles that pair alone, for a dotnet-trace of just that pair.
    private static bool Selected(string name) =>
        Environment.GetEnvironmentVariable("TABERNACLE_PROFILE_ONLY") is not { Length: > 0 } only
        || name.Contains(only, StringComparison.Ordinal);

    private sealed class TickListener : EventListener
    {
        public ConcurrentDictionary<string, double> Bytes { get; } = new();

        public volatile bool Active = true;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (!Active || eventData.EventName is not "GCAllocationTick_V4" and not "GCAllocationTick_V3" and not "GCAllocationTick_V2"
                || eventData.Payload is null)
            {
                return;
            }

            var names = eventData.PayloadNames!;
            var type = eventData.Payload[names.IndexOf("TypeName")] as string ?? "?";
            var amount = Convert.ToDouble(eventData.Payload[names.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
            Bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
        }
    }
}
