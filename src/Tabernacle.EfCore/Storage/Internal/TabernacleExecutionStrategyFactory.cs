using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Tabernacle.EfCore.Infrastructure.Internal;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>The context's execution strategy: retrying when <c>EnableRetryOnFailure</c> was called, otherwise EF's non-retrying
/// one.</summary>
internal sealed class TabernacleExecutionStrategyFactory(ExecutionStrategyDependencies dependencies, IDbContextOptions options)
    : IExecutionStrategyFactory
{
    private readonly Func<ExecutionStrategyDependencies, IExecutionStrategy>? _factory =
        options.FindExtension<TabernacleOptionsExtension>()?.ExecutionStrategyFactory;

    public IExecutionStrategy Create() => _factory?.Invoke(dependencies) ?? new NonRetryingExecutionStrategy(dependencies);
}
