using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Storage.Internal;

using Tabernacle.EfCore.Query.Internal.Translators;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>The run-time context of one query execution: parameter values, the state manager, and the execution seam.</summary>
internal sealed class TabernacleQueryContext(QueryContextDependencies dependencies, TabernacleClientWrapper client)
    : QueryContext(dependencies)
{
    public TabernacleClientWrapper Client { get; } = client;
}

/// <summary>Creates <see cref="TabernacleQueryContext"/>s.</summary>
internal sealed class TabernacleQueryContextFactory(QueryContextDependencies dependencies, TabernacleClientWrapper client)
    : IQueryContextFactory
{
    public QueryContext Create() => new TabernacleQueryContext(dependencies, client);
}

/// <summary>
/// Per-query replica-set options captured from <c>WithReadPreference</c>/<c>WithReadConcern</c>/<c>WithWriteConcern</c>:
/// the names of the query parameters that carry their values, so one compiled query serves every value.
/// </summary>
internal sealed record TabernacleQueryOptions(string? ReadPreferenceParameter, string? ReadConcernParameter, string? WriteConcernParameter)
{
    public static TabernacleQueryOptions None { get; } = new(null, null, null);
}

/// <summary>The compilation context: EF Core's, plus the query's replica-set options.</summary>
internal sealed class TabernacleQueryCompilationContext(QueryCompilationContextDependencies dependencies, bool async)
    : QueryCompilationContext(dependencies, async)
{
    public TabernacleQueryOptions QueryOptions { get; set; } = TabernacleQueryOptions.None;
}

/// <summary>Creates <see cref="TabernacleQueryCompilationContext"/>s.</summary>
internal sealed class TabernacleQueryCompilationContextFactory(QueryCompilationContextDependencies dependencies)
    : IQueryCompilationContextFactory
{
    public QueryCompilationContext Create(bool async) => new TabernacleQueryCompilationContext(dependencies, async);
}

/// <summary>Creates the provider's queryable-method translator.</summary>
internal sealed class TabernacleQueryableMethodTranslatingExpressionVisitorFactory(
    QueryableMethodTranslatingExpressionVisitorDependencies dependencies,
    IMqlMethodCallTranslatorProvider methods,
    IMqlMemberTranslatorProvider members)
    : IQueryableMethodTranslatingExpressionVisitorFactory
{
    public QueryableMethodTranslatingExpressionVisitor Create(QueryCompilationContext queryCompilationContext) =>
        new TabernacleQueryableMethodTranslatingExpressionVisitor(dependencies, queryCompilationContext, methods, members);
}

/// <summary>Creates the provider's shaped-query compiler.</summary>
internal sealed class TabernacleShapedQueryCompilingExpressionVisitorFactory(ShapedQueryCompilingExpressionVisitorDependencies dependencies)
    : IShapedQueryCompilingExpressionVisitorFactory
{
    public ShapedQueryCompilingExpressionVisitor Create(QueryCompilationContext queryCompilationContext) =>
        new TabernacleShapedQueryCompilingExpressionVisitor(dependencies, (TabernacleQueryCompilationContext)queryCompilationContext);
}
