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
    // EF.Constant(x) inlines x's value into the query (a literal in the MQL) instead of a parameter, as on EF's own providers.
    protected override bool IsEfConstantSupported => true;

    public override Expression Process(Expression query)
    {
        var extractor = new OptionExtractor();
        var stripped = extractor.Visit(query);
        queryCompilationContext.QueryOptions =
            new TabernacleQueryOptions(extractor.ReadPreference, extractor.ReadConcern, extractor.WriteConcern);
        return new ParameterElementLifter(queryCompilationContext).Visit(base.Process(stripped));
    }

    /// <summary>
    /// An element of an array or list parameter at a constant position (<c>args[0]</c> in a compiled query, which EF
    /// turns into <c>ElementAt</c>) becomes a parameter of its own, computed from the array at each execution: MQL then
    /// compares with a value, exactly as for a captured variable.
    /// </summary>
    private sealed class ParameterElementLifter(QueryCompilationContext context) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.IsGenericMethod
                && node.Method.DeclaringType == typeof(Enumerable)
                && node.Method.Name is nameof(Enumerable.ElementAt) or nameof(Enumerable.ElementAtOrDefault)
                && node.Arguments is [QueryParameterExpression source, ConstantExpression { Value: int index }])
            {
                return Lift(source, index, array => Expression.Call(node.Method, array, node.Arguments[1]));
            }

            return base.VisitMethodCall(node);
        }

        protected override Expression VisitBinary(BinaryExpression node) =>
            node is
            {
                NodeType: ExpressionType.ArrayIndex, Left: QueryParameterExpression source, Right: ConstantExpression { Value: int index },
            }
                ? Lift(source, index, array => Expression.ArrayIndex(array, node.Right))
                : base.VisitBinary(node);

        private QueryParameterExpression Lift(QueryParameterExpression source, int index, Func<Expression, Expression> element)
        {
            var queryContext = QueryCompilationContext.QueryContextParameter;
            var parameters = Expression.Property(queryContext, nameof(QueryContext.Parameters));
            var value = Expression.Convert(Expression.Property(parameters, "Item", Expression.Constant(source.Name)), source.Type);
            return context.RegisterRuntimeParameter($"{source.Name}_{index}", Expression.Lambda(element(value), queryContext));
        }
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
                    : throw new InvalidOperationException(
                        $"The argument of {node.Method.Name} must be a value the query can take as a parameter.");
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
internal sealed class TabernacleQueryTranslationPreprocessorFactory(QueryTranslationPreprocessorDependencies dependencies)
    : IQueryTranslationPreprocessorFactory
{
    public QueryTranslationPreprocessor Create(QueryCompilationContext queryCompilationContext) =>
        new TabernacleQueryTranslationPreprocessor(dependencies, (TabernacleQueryCompilationContext)queryCompilationContext);
}
