using MongoDB.Driver;
using Tabernacle.MongoEmulator;

namespace Tabernacle.Chaos;

/// <summary>An emulator started for the run, and every fault the emulator can take.</summary>
internal sealed class EmulatorFaults(MongoReplicaSetEmulator emulator, string database) : ITargetSet
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    public static async Task<EmulatorFaults> StartAsync(int members, string database) =>
        new(await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = members }), database);

    public MongoReplicaSetEmulator Emulator => emulator;

    public string ConnectionString => emulator.ConnectionString;

    public string Description => $"an in-process emulator of {emulator.Members.Count} members";

    public IReadOnlyList<string> Hosts => [.. emulator.Members.Select(m => m.Host)];

    public async Task<(FaultStatus Status, string Detail)> InjectAsync(FaultStep step, CancellationToken stop)
    {
        switch (step.Kind)
        {
            case FaultKind.StepDown:
            {
                if (emulator.Primary is not { } old)
                {
                    return (FaultStatus.Skipped, "no primary at that moment");
                }

                using var timeout = new CancellationTokenSource(StepTimeout);
                // A short step-down period so that, with frequent step-downs, some member is always electable.
                var elected = await emulator.StepDownAsync(TimeSpan.FromSeconds(2), timeout.Token);
                return (FaultStatus.Injected, $"{old.Host} stepped down, {elected.Host} elected");
            }

            case FaultKind.PauseReplication:
            {
                var candidates = emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary && !m.IsReplicationPaused).ToList();
                if (candidates.Count == 0)
                {
                    return (FaultStatus.Skipped, "no running secondary");
                }

                var member = candidates[step.Pick % candidates.Count];
                member.PauseReplication();
                try
                {
                    await Task.Delay(step.Duration, stop);
                }
                finally
                {
                    member.ResumeReplication();
                }

                return (FaultStatus.Injected, $"{member.Host} paused for {step.Duration.TotalMilliseconds:F0} ms");
            }

            case FaultKind.StopRestart:
            {
                var running = emulator.Members.Where(m => m.IsRunning).ToList();
                var member = running[step.Pick % running.Count];
                var role = member.Role;
                await member.StopAsync(stop);
                try
                {
                    await Task.Delay(step.Duration, stop);
                }
                finally
                {
                    await member.StartAsync(CancellationToken.None);
                }

                return (FaultStatus.Injected, $"{member.Host} ({role}) down for {step.Duration.TotalMilliseconds:F0} ms");
            }

            case FaultKind.Isolate:
            {
                var running = emulator.Members.Where(m => m.IsRunning).ToList();
                var member = running[step.Pick % running.Count];
                var role = member.Role;
                // A partition from the other members only: clients still reach it, so an isolated primary takes w:1
                // writes that its rejoining rolls back, and its w:majority writes time out.
                member.Disconnect();
                try
                {
                    await Task.Delay(step.Duration, stop);
                }
                finally
                {
                    member.Reconnect();
                }

                return (FaultStatus.Injected, $"{member.Host} ({role}) cut off for {step.Duration.TotalMilliseconds:F0} ms");
            }

            case FaultKind.FailCommand:
            {
                if (emulator.Primary is not { } primary)
                {
                    return (FaultStatus.Skipped, "no primary at that moment");
                }

                using var direct = Direct(primary.Host);
                return await FailCommandFault.RunAsync(direct, primary.Host, step, stop);
            }

            case FaultKind.HostileAfterClusterTime:
            case FaultKind.HostileGossip:
            {
                var member = emulator.Members[step.Pick % emulator.Members.Count];
                string answer;
                if (step.Kind == FaultKind.HostileAfterClusterTime)
                {
                    answer = await HostileClusterTime.SendAfterClusterTimeAsync(member.Host, database);
                }
                else if (step.Pick / 7 % 2 == 0)
                {
                    answer = await HostileClusterTime.SendForgedGossipAsync(member.Host, database);
                }
                else
                {
                    // A fresh appName gives a cluster of its own: a MongoClient with settings seen before shares the
                    // driver's cluster, and then the driver does not send the forged time again.
                    using var direct = Direct(member.Host, $"hostile-{Guid.NewGuid():N}");
                    answer = await HostileClusterTime.SendForgedGossipThroughDriverAsync(direct, member.Host, database);
                }

                return (FaultStatus.Injected, $"to {member.Role}: {answer}");
            }

            default:
                return (FaultStatus.Skipped, "unknown fault kind");
        }
    }

    public async Task HealAsync(TimeSpan deadline)
    {
        foreach (var member in emulator.Members)
        {
            if (!member.IsRunning)
            {
                await member.StartAsync();
            }

            if (member.IsReplicationPaused)
            {
                member.ResumeReplication();
            }

            member.Reconnect();
            using var direct = Direct(member.Host);
            await FailCommandFault.DisarmAsync(direct);
        }

        await emulator.WaitForPrimaryAsync(deadline);
    }

    public async Task<IReadOnlyList<MemberSnapshot>> SnapshotAsync(string db)
    {
        try
        {
            await emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // The heal step has already reported the set as not healed; check what each member holds anyway.
        }

        return
        [
            .. emulator.Members.Select(m => new MemberSnapshot(
                $"{m.Host} ({m.Role})",
                Schema.All.ToDictionary(c => c, c => m.GetDocuments(db, c)))),
        ];
    }

    /// <summary>What the members rolled back: w:1 writes a rejoining member never got to the others.</summary>
    public IReadOnlyList<string> Notes =>
        [.. emulator.Members.Where(m => m.RollbackCount > 0).Select(m => $"{m.Host} rolled back {m.RollbackCount} time(s)")];

    private static MongoClient Direct(string host, string? applicationName = null) =>
        new($"mongodb://{host}/?directConnection=true&serverSelectionTimeoutMS=5000"
            + (applicationName is null ? "" : $"&appName={applicationName}"));

    public ValueTask DisposeAsync() => emulator.DisposeAsync();
}
