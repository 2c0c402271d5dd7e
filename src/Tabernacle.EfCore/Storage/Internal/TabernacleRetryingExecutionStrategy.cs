using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// <c>EnableRetryOnFailure</c>'s strategy: replays a whole unit (a SaveChanges, or a user's <c>ExecuteAsync</c> block)
/// when MongoDB reports a transient failure.
/// </summary>
internal sealed class TabernacleRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount,
    TimeSpan maxRetryDelay)
    : ExecutionStrategy(dependencies, maxRetryCount, maxRetryDelay)
{
    // TransientTransactionError and retryable errors replay the unit. UnknownTransactionCommitResult does not: the provider's
    // commit (TransactionCommit) already retried it until the outcome was known, so one that still escapes may have committed,
    // and running the unit again as a new transaction could store it twice. The caller learns that the outcome is unknown.
    protected override bool ShouldRetryOn(Exception exception) => TransientErrors.IsTransient(exception);

    // EF Core's check looks for System.Transactions, which MongoDB has no part in; only the context's own transaction matters.
    protected override void OnFirstExecution()
    {
        if (Dependencies.CurrentContext.Context.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException(
                "A retrying execution strategy cannot replay work inside a transaction the application started. Run the whole unit " +
                    "through the strategy: context.Database.CreateExecutionStrategy().ExecuteAsync(async () => { await using var t = " +
                        "await context.Database.BeginTransactionAsync(); ...; await t.CommitAsync(); }).");
        }

        ExceptionsEncountered.Clear();
        Dependencies.CurrentContext.Context.GetService<ExecutionAttempt>().IsRetry = false;
    }

    // The attempt that failed may have been applied: the saves of the replay check for their own writes (TabernacleDatabase).
    protected override void OnRetry() => Dependencies.CurrentContext.Context.GetService<ExecutionAttempt>().IsRetry = true;
}
