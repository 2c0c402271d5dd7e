using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>Registers change-feed services and their health check.</summary>
public static class ChangeFeedServiceCollectionExtensions
{
    /// <summary>Adds <typeparamref name="TService"/> as a hosted service, and the status registry its health check reads.</summary>
    /// <typeparam name="TService">A <see cref="ChangeFeedService{TContext, TEntity}"/>.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddChangeFeedService<TService>(this IServiceCollection services)
        where TService : class, IHostedService
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ChangeFeedStatusRegistry>();
        services.AddHostedService<TService>();
        return services;
    }

    /// <summary>
    /// Adds a check that is Unhealthy when a change-feed service stopped or is failing, Degraded when one handles changes
    /// more than <paramref name="maxLag"/> after they were committed, and Healthy otherwise.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="maxLag">The largest lag still healthy (default 30 seconds).</param>
    /// <param name="name">The check's name (default <c>tabernacle-change-feeds</c>).</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddTabernacleChangeFeeds(
        this IHealthChecksBuilder builder,
        TimeSpan? maxLag = null,
        string name = "tabernacle-change-feeds",
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var lag = maxLag ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThan(lag, TimeSpan.Zero, nameof(maxLag));
        builder.Services.TryAddSingleton<ChangeFeedStatusRegistry>();
        return builder.Add(new HealthCheckRegistration(
            name, sp => new ChangeFeedHealthCheck(sp.GetRequiredService<ChangeFeedStatusRegistry>(), lag), HealthStatus.Unhealthy, tags));
    }
}
