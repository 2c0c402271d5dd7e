using System.Diagnostics;

namespace Tabernacle.Chaos;

internal enum FaultKind
{
    /// <summary>The primary steps down (replSetStepDown / EmulatorMember.StepDownAsync).</summary>
    StepDown,

    /// <summary>A secondary stops replicating for a while, then resumes (PauseReplication / stopReplProducer).</summary>
    PauseReplication,

    /// <summary>A member crashes and restarts with its data.</summary>
    StopRestart,

    /// <summary>A member is cut off from the others (and from clients), then reconnected.</summary>
    Isolate,

    /// <summary>A raw find with readConcern.afterClusterTime = Timestamp(0xFFFFFFFF, 0xFFFFFFFF).</summary>
    HostileAfterClusterTime,

    /// <summary>A raw find gossiping a forged, unsigned $clusterTime far in the future.</summary>
    HostileGossip,

    /// <summary>failCommand on the primary: closed connections, write-concern errors, retryable error codes.</summary>
    FailCommand,
}

/// <summary>
/// One planned fault: when it starts (from the start of the run), which member (an index the target maps onto the
/// members that fit at that moment, e.g. the running secondaries) and how long it lasts.
/// </summary>
internal sealed record FaultStep(TimeSpan At, FaultKind Kind, int Pick, TimeSpan Duration);

internal enum FaultStatus
{
    Injected,
    Skipped,
    Error,
}

/// <summary>What happened when a step ran.</summary>
internal sealed record FaultRecord(FaultStep Step, FaultStatus Status, string Detail, TimeSpan Started, TimeSpan Ended)
{
    public override string ToString() =>
        $"[{Started.TotalSeconds:F1}s-{Ended.TotalSeconds:F1}s] {Step.Kind} pick={Step.Pick} {Status}: {Detail}";
}

/// <summary>The seeded plan of faults: only the seed and the run's length decide it.</summary>
internal static class FaultSchedule
{
    public static IReadOnlyList<FaultStep> Generate(int seed, TimeSpan length)
    {
        // A different stream from the clients' (ChaosClient.ClientSeed).
        var random = new Random(unchecked(seed * 31 + 7));
        var steps = new List<FaultStep>();
        var at = TimeSpan.FromMilliseconds(random.Next(200, 1000));
        while (at < length - TimeSpan.FromSeconds(1))
        {
            var kind = random.Next(100) switch
            {
                < 22 => FaultKind.StepDown,
                < 38 => FaultKind.PauseReplication,
                < 55 => FaultKind.StopRestart,
                < 70 => FaultKind.Isolate,
                < 82 => FaultKind.FailCommand,
                < 91 => FaultKind.HostileAfterClusterTime,
                _ => FaultKind.HostileGossip,
            };
            var duration = TimeSpan.FromMilliseconds(random.Next(300, 2500));
            steps.Add(new FaultStep(at, kind, random.Next(1000), duration));
            at += duration + TimeSpan.FromMilliseconds(random.Next(200, 1200));
        }

        return steps;
    }
}

/// <summary>
/// The replica set a run works against and the faults it can take. A fault it cannot inject returns
/// <see cref="FaultStatus.Skipped"/> with the reason, which the summary shows.
/// </summary>
internal interface ITargetSet : IAsyncDisposable
{
    string ConnectionString { get; }

    string Description { get; }

    /// <summary>The members as host:port, for raw commands and final reads.</summary>
    IReadOnlyList<string> Hosts { get; }

    Task<(FaultStatus Status, string Detail)> InjectAsync(FaultStep step, CancellationToken stop);

    /// <summary>Undoes every fault still in place and waits (polling, with a deadline) for a primary.</summary>
    Task HealAsync(TimeSpan deadline);

    /// <summary>What the target noticed on its own, for the summary (e.g. rollbacks).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Every member's copy of the workload's collections, once the set has healed.</summary>
    Task<IReadOnlyList<MemberSnapshot>> SnapshotAsync(string database);
}

/// <summary>Runs the schedule against a target, one step at a time (so at most one member is faulty at once).</summary>
internal static class FaultRunner
{
    public static async Task<IReadOnlyList<FaultRecord>> RunAsync(
        IReadOnlyList<FaultStep> steps, ITargetSet target, Stopwatch clock, CancellationToken stop)
    {
        var records = new List<FaultRecord>();
        foreach (var step in steps)
        {
            var wait = step.At - clock.Elapsed;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var started = clock.Elapsed;
            (FaultStatus Status, string Detail) result;
            try
            {
                result = await target.InjectAsync(step, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                result = (FaultStatus.Injected, "cut short by the end of the run; the heal undoes it");
            }
#pragma warning disable CA1031 // A fault that throws is recorded and the run goes on: the checker decides what matters.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                result = (FaultStatus.Error, $"{ex.GetType().Name}: {ex.Message}");
            }

            records.Add(new FaultRecord(step, result.Status, result.Detail, started, clock.Elapsed));
        }

        return records;
    }
}
