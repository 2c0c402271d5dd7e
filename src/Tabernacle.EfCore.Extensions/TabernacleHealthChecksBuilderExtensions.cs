using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary><c>AddTabernacle</c> for health checks: the replica set's health as the <see cref="IReplicaSetMonitor"/> sees it.</summary>
public static class TabernacleHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that is Healthy with a primary and every secondary up and under <paramref name="maxLag"/> behind it,
    /// Degraded when a member is down or lagging, and Unhealthy with no primary (or no reachable server). Its data holds
    /// the set's name, the primary and each member's role, health and lag; never credentials or connection strings.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="maxLag">The largest replication lag still healthy (default 10 seconds).</param>
    /// <param name="name">The check's name (default <c>tabernacle</c>).</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>).</param>
    public static IHealthChecksBuilder AddTabernacle(this IHealthChecksBuilder builder, TimeSpan? maxLag = null, string name = "tabernacle",
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var lag = maxLag ?? TimeSpan.FromSeconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThan(lag, TimeSpan.Zero, nameof(maxLag));
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new TabernacleHealthCheck(sp.GetRequiredService<IReplicaSetMonitor>(), lag),
            failureStatus: HealthStatus.Unhealthy,
            tags));
    }
}
