using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>
/// Unhealthy when a change-feed service stopped or keeps failing; Degraded when one handles changes later than the allowed lag.
/// </summary>
internal sealed class ChangeFeedHealthCheck(ChangeFeedStatusRegistry registry, TimeSpan maxLag) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var feeds = registry.Feeds;
        var data = feeds.ToDictionary(
            f => f.Name,
            f => (object)new Dictionary<string, object?>
            {
                ["state"] = f.State.ToString(),
                ["handledChanges"] = f.HandledChanges,
                ["lagMs"] = f.Lag?.TotalMilliseconds,
                ["lastError"] = f.LastError,
            });
        var down = feeds.Where(f => f.State is ChangeFeedState.Stopped or ChangeFeedState.Faulted).Select(f => f.Name).ToList();
        if (down.Count > 0)
        {
            return Task.FromResult(new HealthCheckResult(
                context.Registration.FailureStatus, $"Change feeds not running: {string.Join(", ", down)}.", data: data));
        }

        var lagging = feeds.Where(f => f.Lag > maxLag).Select(f => f.Name).ToList();
        if (lagging.Count > 0)
        {
            var behind = $"Change feeds behind by more than {maxLag.TotalSeconds:0.#} s: {string.Join(", ", lagging)}.";
            return Task.FromResult(HealthCheckResult.Degraded(behind, data: data));
        }

        var running = feeds.Count == 0 ? "No change feeds are registered." : $"{feeds.Count} change feed(s) running.";
        return Task.FromResult(HealthCheckResult.Healthy(running, data));
    }
}
