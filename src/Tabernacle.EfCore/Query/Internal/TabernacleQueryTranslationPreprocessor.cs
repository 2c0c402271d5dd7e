using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Removes <c>WithReadPreference</c>/<c>WithReadConcern</c>/<c>WithWriteConcern</c> before navigation expansion and records
/// which query parameters carry their values on the compilation context.
/// </summary>
internal sealed class TabernacleQueryTranslationPreprocessor(
    QueryTranslationPreprocessorDependencies dependencies,
    TabernacleQueryCompilationContext queryCompilationContext)
    : QueryTranslationPreprocessor(dependencies, queryCompilationContext)
{
    public override Expression Process(Expression query)
    {
        var extractor = new OptionExtractor();
        var stripped = extractor.Visit(query);
        queryCompilationContext.QueryOptions = new TabernacleQueryOptions(extractor.ReadPreference, extractor.ReadConcern, extractor.WriteConcern);
        return base.Process(stripped);
    }

    private sealed class OptionExtractor : ExpressionVisitor
    {
        public string? ReadPreference { get; private set; }

        public string? ReadConcern { get; private set; }

        public string? WriteConcern { get; private set; }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.IsGenericMethod && node.Method.DeclaringType == typeof(TabernacleQueryableExtensions))
            {
                var definition = node.Method.GetGenericMethodDefinition();
                var name = node.Arguments[1] is QueryParameterExpression parameter
                    ? parameter.Name
                    : throw new InvalidOperationException($"The argument of {node.Method.Name} must be a value the query can take as a parameter.");
                if (definition == TabernacleQueryableExtensions.WithReadPreferenceMethod)
                {
                    ReadPreference ??= name;
                }
                else if (definition == TabernacleQueryableExtensions.WithReadConcernMethod)
                {
                    ReadConcern ??= name;
                }
                else if (definition == TabernacleQueryableExtensions.WithWriteConcernMethod)
                {
                    WriteConcern ??= name;
                }

                return Visit(node.Arguments[0]);
            }

            return base.VisitMethodCall(node);
        }
    }
}

/// <summary>Creates <see cref="TabernacleQueryTranslationPreprocessor"/>s.</summary>
internal sealed class TabernacleQueryTranslationPreprocessorFactory(QueryTranslationPreprocessorDependencies dependencies) : IQueryTranslationPreprocessorFactory
{
    public QueryTranslationPreprocessor Create(QueryCompilationContext queryCompilationContext) =>
        new TabernacleQueryTranslationPreprocessor(dependencies, (TabernacleQueryCompilationContext)queryCompilationContext);
}
