using System.Diagnostics;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// Commits a transaction until its outcome is known, as the transactions specification's convenient API
/// (<c>WithTransaction</c>) does. A commit that fails with <c>UnknownTransactionCommitResult</c> (the connection dropped, the
/// primary stepped down, a write concern error) may have committed; the driver retries it once. If that fails too, replaying
/// the unit of work as a new transaction would store it twice when the first commit did land (issue 15's orphaned loan).
/// So the commit itself is sent again on the same session, with the same <c>txnNumber</c>: a server that committed it
/// answers ok (the transaction table is replicated, so a new primary knows too), one that did not answers
/// <c>NoSuchTransaction</c> with <c>TransientTransactionError</c>, after which a replay of the whole unit is safe.
/// </summary>
internal static class TransactionCommit
{
    /// <summary>How long the commit is retried while its outcome stays unknown: the convenient API's 120 seconds.</summary>
    public static readonly TimeSpan RetryLimit = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    public static async Task CommitAsync(IClientSessionHandle session, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                await session.CommitTransactionAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MongoException ex) when (TransientErrors.MayRetryCommit(ex) && Stopwatch.GetElapsedTime(started) < RetryLimit)
            {
                // A pause lets an election finish; the driver's server selection then finds the new primary.
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Next(delay);
            }
        }
    }

    public static void Commit(IClientSessionHandle session)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                session.CommitTransaction();
                return;
            }
            catch (MongoException ex) when (TransientErrors.MayRetryCommit(ex) && Stopwatch.GetElapsedTime(started) < RetryLimit)
            {
                // The synchronous API blocks anyway; EF Core's own retrying strategies sleep the same way between attempts.
                Thread.Sleep(delay);
                delay = Next(delay);
            }
        }
    }

    private static TimeSpan Next(TimeSpan delay) => delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
}
