using System.Collections;
using System.Linq.Expressions;
using System.Reflection;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

/// <summary>
/// LINQ to Objects over a list, with MongoDB's string order modelled: MongoDB compares strings by code point (no
/// collation), LINQ to Objects by the current culture. Before running, every <c>OrderBy</c>/<c>ThenBy</c> (and the
/// descending ones) whose key is a string gets <see cref="StringComparer.Ordinal"/>, which is that order. Nulls come
/// first ascending in both. Everything else is <see cref="EnumerableQuery{T}"/> unchanged; EF Core's own extensions
/// (Include, AsNoTracking) do nothing on a source that is not EF's.
/// </summary>
internal sealed class OrdinalQuery<T> : IOrderedQueryable<T>
{
    private readonly IEnumerable<T>? _source;

    public OrdinalQuery(IEnumerable<T> source)
    {
        _source = source;
        Expression = Expression.Constant(this);
    }

    public OrdinalQuery(Expression expression) => Expression = expression;

    public Type ElementType => typeof(T);

    public Expression Expression { get; }

    public IQueryProvider Provider => OrdinalQueryProvider.Instance;

    /// <summary>The list a root query reads; <c>null</c> for a composed query.</summary>
    public IEnumerable? Source => _source;

    public IEnumerator<T> GetEnumerator() =>
        _source?.GetEnumerator() ?? ((IEnumerable<T>)new EnumerableQuery<T>(OrdinalQueryProvider.Rewrite(Expression))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

internal sealed class OrdinalQueryProvider : IQueryProvider
{
    public static readonly OrdinalQueryProvider Instance = new();

    private static readonly HashSet<string> Orderings =
        [nameof(Queryable.OrderBy), nameof(Queryable.OrderByDescending), nameof(Queryable.ThenBy), nameof(Queryable.ThenByDescending)];

    public IQueryable CreateQuery(Expression expression) =>
        (IQueryable)Activator.CreateInstance(typeof(OrdinalQuery<>).MakeGenericType(ElementType(expression.Type)), expression)!;

    public IQueryable<TElement> CreateQuery<TElement>(Expression expression) => new OrdinalQuery<TElement>(expression);

    public object? Execute(Expression expression) => Expression.Lambda(Rewrite(expression)).Compile().DynamicInvoke();

    public TResult Execute<TResult>(Expression expression)
    {
        var rewritten = Rewrite(expression);
        return ((IQueryProvider)new EnumerableQuery<TResult>(rewritten)).Execute<TResult>(rewritten);
    }

    public static Expression Rewrite(Expression expression) => new Rewriter().Visit(expression);

    private static Type ElementType(Type sequence) =>
        sequence.GetInterfaces().Append(sequence).First(i =>
            i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0];

    private sealed class Rewriter : ExpressionVisitor
    {
        protected override Expression VisitConstant(ConstantExpression node)
        {
            if (node.Value is IQueryable { Provider: OrdinalQueryProvider } query
                && query.GetType().GetProperty(nameof(OrdinalQuery<int>.Source))!.GetValue(query) is IEnumerable source)
            {
                var element = query.ElementType;
                var enumerable = typeof(Queryable).GetMethods().Single(m => m.Name == nameof(Queryable.AsQueryable) && m.IsGenericMethod)
                    .MakeGenericMethod(element).Invoke(null, [source])!;
                return Expression.Constant(enumerable, typeof(IQueryable<>).MakeGenericType(element));
            }

            return base.VisitConstant(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var visited = (MethodCallExpression)base.VisitMethodCall(node);
            var method = visited.Method;
            if (method.DeclaringType == typeof(Queryable) && Orderings.Contains(method.Name) && visited.Arguments.Count == 2
                && method.GetGenericArguments()[1] == typeof(string))
            {
                var withComparer = typeof(Queryable).GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .Single(m => m.Name == method.Name && m.GetParameters().Length == 3)
                    .MakeGenericMethod(method.GetGenericArguments());
                return Expression.Call(withComparer, visited.Arguments[0], visited.Arguments[1],
                    Expression.Constant(StringComparer.Ordinal, typeof(IComparer<string>)));
            }

            return visited;
        }
    }
}
