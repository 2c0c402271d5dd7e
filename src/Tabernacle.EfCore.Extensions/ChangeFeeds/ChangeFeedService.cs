using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>
/// A hosted service that handles the changes of one entity set: it runs a change feed, calls
/// <see cref="HandleAsync"/> for each change, and stores the feed's resume token through the provider after each one,
/// so a restarted application goes on where it stopped. It stops with the host. A change is handled at least once: one
/// handled just before a crash, whose token was not stored yet, is handled again, so handlers should be idempotent.
/// </summary>
/// <typeparam name="TContext">The context whose entity set is watched.</typeparam>
/// <typeparam name="TEntity">The watched entity type.</typeparam>
public abstract class ChangeFeedService<TContext, TEntity> : BackgroundService
    where TContext : DbContext
    where TEntity : class
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly ChangeFeedStatusRegistry? _registry;
    private ChangeFeedStatus _status;

    /// <summary>Creates the service.</summary>
    /// <param name="scopes">Creates the scope (and context) each run of the feed uses.</param>
    /// <param name="logger">Where the feed's starts, stops and errors are logged.</param>
    /// <param name="registry">Where the feed reports its status for the health check; optional.</param>
    protected ChangeFeedService(IServiceScopeFactory scopes, ILogger logger, ChangeFeedStatusRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(logger);
        _scopes = scopes;
        _logger = logger;
        _registry = registry;
        _status = new ChangeFeedStatus(string.Empty, ChangeFeedState.Starting, null, null, 0, null);
    }

    /// <summary>The feed's name: the key its resume token is stored under and its name in the health check.</summary>
    protected virtual string FeedName => GetType().Name;

    /// <summary>How long the service waits before it reopens a feed that failed.</summary>
    protected virtual TimeSpan RetryDelay => TimeSpan.FromSeconds(2);

    /// <summary>The watched entities: the whole set unless overridden (a <c>Where</c> filter is translated as a query's).</summary>
    /// <param name="context">The context of this run.</param>
    /// <returns>The query to watch.</returns>
    protected virtual IQueryable<TEntity> Source(TContext context) => context.Set<TEntity>();

    /// <summary>The feed's options; <see cref="ChangeFeedOptions.ResumeAfter"/> is replaced by the stored token.</summary>
    /// <returns>The options.</returns>
    protected virtual ChangeFeedOptions CreateOptions() => new();

    /// <summary>
    /// Handles one change. An exception stops this run; the feed reopens after <see cref="RetryDelay"/> from the last stored token.
    /// </summary>
    /// <param name="change">The change.</param>
    /// <param name="context">The context of this run (its scope's), for writes the handler makes.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>A task that completes once the change is handled.</returns>
    protected abstract Task HandleAsync(EntityChange<TEntity> change, TContext context, CancellationToken cancellationToken);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Report(_status with { Name = FeedName, State = ChangeFeedState.Starting });
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (MongoCommandException ex) when (ex.Code == 286)
            {
                // The stored token is older than the oplog: changes were lost for this feed, and only the application
                // can decide how to catch up (a full re-read, say). Going on from "now" would hide the gap.
                _logger.LogError(
                    ex, "Change feed {Feed} cannot resume: its history is no longer in the oplog (ChangeStreamHistoryLost)", FeedName);
                Report(_status with { State = ChangeFeedState.Stopped, LastError = $"{ex.GetType().Name}: ChangeStreamHistoryLost" });
                return;
            }
#pragma warning disable CA1031 // A hosted service logs, reports and retries any failure of a run rather than crashing the host.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogWarning(ex, "Change feed {Feed} failed; it reopens from its stored token in {Delay}", FeedName, RetryDelay);
                Report(_status with { State = ChangeFeedState.Faulted, LastError = $"{ex.GetType().Name}: {ex.Message}" });
                try
                {
                    await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        Report(_status with { State = ChangeFeedState.Stopped });
    }

    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        var store = new ResumeTokenStore(context);
        var options = CreateOptions();
        options.ResumeAfter = await store.LoadAsync(FeedName, stoppingToken).ConfigureAwait(false) ?? options.ResumeAfter;
        _logger.LogInformation("Change feed {Feed} starts {From}", FeedName, options.ResumeAfter is null ? "now" : "from its stored token");
        Report(_status with { State = ChangeFeedState.Running, LastError = null });
        await foreach (var change in Source(context).WatchAsync(options, stoppingToken).ConfigureAwait(false))
        {
            await HandleAsync(change, context, stoppingToken).ConfigureAwait(false);
            // Not cancelled by the host stopping: a handled change's token is always stored, so a graceful stop never
            // makes the next start handle that change again.
            await store.SaveAsync(FeedName, change.ResumeToken, CancellationToken.None).ConfigureAwait(false);
            Report(_status with
            {
                LastChangeAt = change.WallTime,
                LastHandledAt = DateTime.UtcNow,
                HandledChanges = _status.HandledChanges + 1,
            });
        }

        // The feed ends when its collection is dropped: the stored token cannot be resumed from.
        _logger.LogWarning("Change feed {Feed} ended: its collection was dropped or renamed", FeedName);
        await store.ForgetAsync(FeedName, stoppingToken).ConfigureAwait(false);
    }

    private void Report(ChangeFeedStatus status)
    {
        _status = status;
        _registry?.Report(status);
    }
}
