using Microsoft.Extensions.Logging;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// mongod's periodic <c>abortExpiredTransactions</c> job: aborts every transaction past its
/// <c>transactionLifetimeLimitSeconds</c>, whether or not its session comes back, so an abandoned transaction does
/// not hold its document locks forever. It runs every lifetime/2, kept between 1 s and 60 s
/// (periodic_runner_job_abort_expired_transactions.cpp), and adopts a new period as soon as the limit changes.
/// Between passes it sleeps, so an idle set costs nothing.
/// </summary>
internal sealed class TransactionReaper(ReplicaSetCoordinator set, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan MinPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private long _wakeups;

    /// <summary>How often the job woke up (a pass or a new limit); tests use it to check that an idle set stays asleep.</summary>
    public long Wakeups => Interlocked.Read(ref _wakeups);

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>The pass period for a lifetime limit: half of it, at least 1 s and at most 60 s.</summary>
    public static TimeSpan Period(TimeSpan lifetime)
    {
        var half = lifetime / 2;
        return half < MinPeriod ? MinPeriod : half > MaxPeriod ? MaxPeriod : half;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Every member has its own limit (setParameter is per member); the shortest one sets the pace.
                var changed = set.Members.Select(m => m.Transactions.LifetimeChanged.WaitTask).ToList();
                var period = Period(set.Members.Min(m => m.Transactions.Lifetime));
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var tick = Task.Delay(period, set.Time, wake.Token);
                var first = await Task.WhenAny(changed.Append(tick)).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                Interlocked.Increment(ref _wakeups);
                if (first == tick)
                {
                    Pass();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Pass()
    {
        foreach (var member in set.Members.Where(m => m.IsRunning))
        {
            try
            {
                lock (member.Storage.SyncRoot)
                {
                    var aborted = member.Transactions.AbortExpired();
                    if (aborted > 0)
                    {
                        logger.LogInformation(
                            "Aborted {Count} transaction(s) past transactionLifetimeLimitSeconds on {Host}", aborted, member.Host);
                    }
                }
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Aborting expired transactions failed on {Host}", member.Host);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
