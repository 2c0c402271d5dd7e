using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>Keeps a context's replica-set monitor fresh: a refresh per polling interval, or at once when the driver sees a role
/// change.</summary>
internal sealed class ReplicaSetMonitorService<TContext>(TabernacleConnection<TContext> connection,
    ILogger<ReplicaSetMonitorService<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var monitor = connection.Monitor;
        var interval = connection.MonitorOptions.PollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = monitor.WakeSignal;
            try
            {
                await monitor.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Refreshing the replica-set status failed.");
            }

            try
            {
                await Task.WhenAny(wake, Task.Delay(interval, stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
