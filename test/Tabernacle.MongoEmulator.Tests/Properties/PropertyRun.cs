using CsCheck;
using Xunit.Abstractions;

namespace Tabernacle.MongoEmulator.Tests.Properties;

/// <summary>
/// Runs a property over generated schedules, one at a time (each starts its own emulator, and the machine is shared),
/// with the seed and iteration count taken from the environment so that a printed failing seed replays.
/// </summary>
internal static class PropertyRun
{
    public const string SeedVariable = "TABERNACLE_PROPERTY_SEED";
    public const string IterationsVariable = "TABERNACLE_PROPERTY_ITER";

    // A schedule takes about 0.3 s (start, steps, heal, stop), so three properties of 20 stay near 20 s on 2 shared
    // cores; TABERNACLE_PROPERTY_ITER=500 makes a longer hunt.
    private const int DefaultIterations = 20;

    public static async Task CheckAsync(ITestOutputHelper output, Action<ScheduleHistory> property)
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } s ? s : null;
        var iterations = seed is not null ? 1
            : int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out var n) && n > 0 ? n : DefaultIterations;
        var started = DateTime.UtcNow;
        var outcomes = new Dictionary<WriteOutcome, int>();
        var lostToRollback = 0;
        await ScheduleGen.Schedule.SampleAsync(
            async steps =>
            {
                var history = await ScheduleRunner.RunAsync(steps);
                foreach (var write in history.Writes)
                {
                    outcomes[write.Outcome] = outcomes.GetValueOrDefault(write.Outcome) + 1;
                }

                lostToRollback += history.Members.Sum(m => m.RolledBackOps.Count);
                property(history);
            },
            writeLine: output.WriteLine,
            seed: seed,
            iter: iterations,
            threads: 1,
            print: ScheduleGen.Print);
        var replayed = seed is null ? "" : $" (replayed seed {seed})";
        output.WriteLine($"{iterations} schedule(s) in {(DateTime.UtcNow - started).TotalSeconds:F1} s{replayed}");

        // Shows that the schedules exercise what the properties are about (acknowledged writes, rollbacks).
        var byOutcome = string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        output.WriteLine($"writes: {byOutcome}; rolled-back documents: {lostToRollback}");
    }
}
