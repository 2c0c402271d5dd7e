using Microsoft.EntityFrameworkCore.Storage;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// <c>EnableRetryOnFailure</c>'s strategy: replays a whole unit (a SaveChanges, or a user's <c>ExecuteAsync</c> block)
/// when MongoDB reports a transient failure.
/// </summary>
internal sealed class TabernacleRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount, TimeSpan maxRetryDelay)
    : ExecutionStrategy(dependencies, maxRetryCount, maxRetryDelay)
{
    protected override bool ShouldRetryOn(Exception exception) => TransientErrors.IsTransient(exception);
}
