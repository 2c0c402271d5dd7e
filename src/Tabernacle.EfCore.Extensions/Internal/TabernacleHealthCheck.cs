using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>The replica set's health: primary present, members up, lag under the threshold.</summary>
internal sealed class TabernacleHealthCheck(IReplicaSetMonitor monitor, TimeSpan maxLag) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ReplicaSetStatus status;
        try
        {
            status = await monitor.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The exception's message may quote the deployment's addresses or settings: say only what kind of failure it was.
            status = monitor.Current;
            if (status.Members.Count == 0)
            {
                return new HealthCheckResult(context.Registration.FailureStatus,
                    $"The MongoDB deployment could not be reached ({ex.GetType().Name}).");
            }
        }

        var data = Data(status);
        if (status.State == ReplicaSetState.NotReplicaSet)
        {
            return status.Members.Any(m => m.IsHealthy)
                ? HealthCheckResult.Healthy(
                    "Connected to a MongoDB server that is not a replica set: members, lag and failover do not apply.", data)
                : new HealthCheckResult(context.Registration.FailureStatus, "The MongoDB server is not reachable.", data: data);
        }

        if (status.Primary is not { } primary)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                status.State == ReplicaSetState.Connecting ? "The replica set has not been reached yet."
                    : "The replica set has no primary: writes fail until one is elected.",
                data: data);
        }

        var down = status.Members.Where(m => !m.IsHealthy).Select(m => m.Name).ToList();
        var lagging =
            status.Members.Where(m => m.IsHealthy && m.ReplicationLag > maxLag).Select(m =>
                $"{m.Name} ({m.ReplicationLag!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s)").ToList();
        if (down.Count > 0 || lagging.Count > 0)
        {
            var parts = new List<string>();
            if (down.Count > 0)
            {
                parts.Add($"down: {string.Join(", ", down)}");
            }

            if (lagging.Count > 0)
            {
                parts.Add(
                    $"lagging more than {maxLag.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {string.Join(", ", lagging)}");
            }

            return HealthCheckResult.Degraded($"Primary {primary.Name}; {string.Join("; ", parts)}.", data: data);
        }

        return HealthCheckResult.Healthy(
            $"Primary {primary.Name}; {status.Secondaries.Count()} secondaries within " +
                $"{maxLag.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", data);
    }

    private Dictionary<string, object> Data(ReplicaSetStatus status)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["state"] = status.State.ToString(),
            ["source"] = status.Source.ToString(),
            ["maxLagMs"] = maxLag.TotalMilliseconds,
            ["members"] = status.Members.Select(m => new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = m.Name,
                ["role"] = m.Role.ToString(),
                ["healthy"] = m.IsHealthy,
                ["lagMs"] = m.ReplicationLag?.TotalMilliseconds,
            }).ToList(),
        };
        if (status.SetName is { } set)
        {
            data["replicaSet"] = set;
        }

        if (status.Primary is { } primary)
        {
            data["primary"] = primary.Name;
        }

        return data;
    }
}
