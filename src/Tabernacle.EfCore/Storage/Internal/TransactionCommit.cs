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

    private enum Next
    {
        /// <summary>The outcome is unknown: send the commit again.</summary>
        Retry,

        /// <summary>The failure says what happened (not committed, or refused for good): the caller gets it as it is.</summary>
        Throw,

        /// <summary>The outcome stays unknown (time is up, or a later attempt failed in a way that says nothing about it).</summary>
        ThrowUnknown,
    }

    public static async Task CommitAsync(IClientSessionHandle session, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        var unknown = false;
        var next = Next.Throw;
        while (true)
        {
            try
            {
                await session.CommitTransactionAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when ((next = Decide(ex, unknown, started)) != Next.Throw)
            {
                if (next == Next.ThrowUnknown)
                {
                    throw OutcomeUnknown(ex);
                }

                unknown = true;

                // A pause lets an election finish; the driver's server selection then finds the new primary.
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Longer(delay);
            }
        }
    }

    public static void Commit(IClientSessionHandle session)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        var unknown = false;
        var next = Next.Throw;
        while (true)
        {
            try
            {
                session.CommitTransaction();
                return;
            }
            catch (Exception ex) when ((next = Decide(ex, unknown, started)) != Next.Throw)
            {
                if (next == Next.ThrowUnknown)
                {
                    throw OutcomeUnknown(ex);
                }

                unknown = true;

                // The synchronous API blocks anyway; EF Core's own retrying strategies sleep the same way between attempts.
                Thread.Sleep(delay);
                delay = Longer(delay);
            }
        }
    }

    private static Next Decide(Exception exception, bool earlierUnknown, long started)
    {
        var retry = exception switch
        {
            OperationCanceledException => false,

            // Definitely not committed (NoSuchTransaction, an aborted transaction): replaying the unit is safe.
            MongoException mongo when mongo.HasErrorLabel(TransientErrors.TransientTransactionErrorLabel) => false,
            MongoException mongo when mongo.HasErrorLabel(TransientErrors.UnknownTransactionCommitResultLabel) =>
                TransientErrors.MayRetryCommit(mongo),

            // No server was reached (server selection timed out, the pool was paused), perhaps on the driver's own second
            // attempt after a first that was sent: nothing here says the commit did not happen, so ask again.
            TimeoutException or MongoConnectionException or MongoConnectionPoolPausedException => true,

            // A server's definite refusal. After an earlier unknown attempt it says nothing about that attempt, though.
            _ => earlierUnknown ? null : (bool?)false,
        };
        return retry switch
        {
            false when earlierUnknown && !IsNotCommitted(exception) && exception is not OperationCanceledException => Next.ThrowUnknown,
            false => Next.Throw,
            null => Next.ThrowUnknown,
            true => Stopwatch.GetElapsedTime(started) < RetryLimit ? Next.Retry : Next.ThrowUnknown,
        };
    }

    private static bool IsNotCommitted(Exception exception) =>
        exception is MongoException mongo && mongo.HasErrorLabel(TransientErrors.TransientTransactionErrorLabel);

    // The strategy must not replay a unit whose commit may have landed: the error it sees carries the label that says so.
    private static Exception OutcomeUnknown(Exception exception)
    {
        if (exception is MongoException mongo && mongo.HasErrorLabel(TransientErrors.UnknownTransactionCommitResultLabel))
        {
            return mongo;
        }

        var unknown = new MongoClientException(
            "The transaction's commit failed and its outcome is unknown: it may have been committed. It was not run again, which could " +
            "store it twice; check whether its writes are there before repeating it.",
            exception);
        unknown.AddErrorLabel(TransientErrors.UnknownTransactionCommitResultLabel);
        return unknown;
    }

    private static TimeSpan Longer(TimeSpan delay) => delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
}
