using System.Collections;
using System.Linq.Expressions;

namespace Tabernacle.MongoEmulator.Tests.Differential;

/// <summary>
/// The LINQ to Objects side of the comparison: an <see cref="IQueryable{T}"/> over the in-memory documents that runs
/// the very expression tree written for the driver, after <see cref="MongoSemanticsRewriter"/> has aligned the few
/// places where .NET's defaults differ from MongoDB's by design (not by emulator defect).
/// </summary>
public static class LinqToObjectsSource
{
    public static IQueryable<T> Create<T>(IEnumerable<T> items) =>
        new RewritingQueryable<T>(new RewritingQueryProvider(), Expression.Constant(items.AsQueryable(), typeof(IQueryable<T>)));

    private sealed class RewritingQueryable<T>(RewritingQueryProvider provider, Expression expression) : IOrderedQueryable<T>
    {
        public Type ElementType => typeof(T);

        public Expression Expression { get; } = expression;

        public IQueryProvider Provider => provider;

        public IEnumerator<T> GetEnumerator() => provider.Execute<IEnumerable<T>>(Expression).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class RewritingQueryProvider : IQueryProvider
    {
        public IQueryable CreateQuery(Expression expression) =>
            (IQueryable)Activator.CreateInstance(typeof(RewritingQueryable<>).MakeGenericType(ElementTypeOf(expression.Type)), this,
                expression)!;

        public IQueryable<TElement> CreateQuery<TElement>(Expression expression) => new RewritingQueryable<TElement>(this, expression);

        public object? Execute(Expression expression) => Run<object?>(expression);

        public TResult Execute<TResult>(Expression expression) => Run<TResult>(expression);

        private static TResult Run<TResult>(Expression expression)
        {
            var rewritten = new MongoSemanticsRewriter().Visit(expression);
            IQueryProvider linqToObjects = new EnumerableQuery<object>(Expression.Constant(Array.Empty<object>().AsQueryable()));
            return linqToObjects.Execute<TResult>(rewritten);
        }

        private static Type ElementTypeOf(Type sequenceType) =>
            sequenceType.GetInterfaces().Append(sequenceType)
                .First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0];
    }

    /// <summary>
    /// Deliberate adjustments of LINQ to Objects towards MongoDB's semantics:
    /// <list type="bullet">
    /// <item>Strings order by their UTF-8 bytes in MongoDB (no collation), that is by code point:
    /// OrderBy/ThenBy/Min/Max over strings and string.Compare/CompareTo use <see cref="CodePointComparer"/> instead
    /// of .NET's culture-aware default. (<see cref="StringComparer.Ordinal"/> would not do: UTF-16 code units put
    /// U+1F600 before U+FF71, code points the other way round; the Nickname field holds such strings.)</item>
    /// <item>null sorts before every string and number in MongoDB's ascending order (and after them descending).
    /// <see cref="CodePointComparer"/> and <see cref="Comparer{T}.Default"/> for nullable values put null first
    /// too, so the rewrite keeps that order explicitly rather than by accident of a culture comparer.</item>
    /// <item>MongoDB's $toLower/$toUpper change ASCII letters only; the rewrite uses the invariant culture so that no
    /// culture rule (Turkish dotless i) enters, and the generator keeps non-ASCII letters already lower case.</item>
    /// <item>The root of a nested source (the inner side of Join/GroupJoin) is unwrapped to its in-memory list.</item>
    /// </list>
    /// </summary>
    private sealed class MongoSemanticsRewriter : ExpressionVisitor
    {
        private static readonly Expression Ordinal = Expression.Constant(CodePointComparer.Instance, typeof(IComparer<string>));

        private static readonly System.Reflection.MethodInfo CompareMethod =
            typeof(IComparer<string>).GetMethod(nameof(IComparer<string>.Compare))!;

        private static readonly HashSet<string> Orderings =
            new(StringComparer.Ordinal) { "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending" };

        protected override Expression VisitConstant(ConstantExpression node)
        {
            if (node.Value is IQueryable queryable && queryable.Provider is RewritingQueryProvider)
            {
                return Visit(queryable.Expression);
            }

            return base.VisitConstant(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var method = node.Method;
            var declaring = method.DeclaringType;
            var arguments = node.Arguments.Select(Visit).ToArray();

            if ((declaring == typeof(Queryable) || declaring == typeof(Enumerable)) && method.IsGenericMethod)
            {
                var generic = method.GetGenericArguments();
                if (Orderings.Contains(method.Name) && arguments.Length == 2 && generic[1] == typeof(string))
                {
                    return Expression.Call(declaring, method.Name, generic, arguments[0]!, arguments[1]!, Ordinal);
                }

                if (method.Name is "Min" or "Max" && method.ReturnType == typeof(string))
                {
                    // Min/Max(source, selector) => Select(source, selector).Min/Max(ordinal comparer); nulls are skipped as $min/$max skip
                    // them.
                    var strings = arguments.Length == 2
                        ? Expression.Call(declaring, "Select", generic, arguments[0]!, arguments[1]!)
                        : arguments[0]!;
                    return Expression.Call(declaring, method.Name, [typeof(string)], strings, Ordinal);
                }
            }

            if (method.DeclaringType == typeof(string))
            {
                switch (method.Name)
                {
                    case "Compare" when arguments.Length == 2:
                        return Expression.Call(Ordinal, CompareMethod, arguments[0]!, arguments[1]!);
                    case "CompareTo" when arguments.Length == 1 && arguments[0]!.Type == typeof(string):
                        return Expression.Call(Ordinal, CompareMethod, Visit(node.Object)!, arguments[0]!);
                    case "ToLower" when arguments.Length == 0:
                        return Expression.Call(Visit(node.Object)!,
                            typeof(string).GetMethod(nameof(string.ToLowerInvariant), Type.EmptyTypes)!);
                    case "ToUpper" when arguments.Length == 0:
                        return Expression.Call(Visit(node.Object)!,
                            typeof(string).GetMethod(nameof(string.ToUpperInvariant), Type.EmptyTypes)!);
                }
            }

            return node.Update(Visit(node.Object), arguments!);
        }
    }

    private static int CodePoint(string s, int index) =>
        char.IsHighSurrogate(s[index]) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1])
            ? char.ConvertToUtf32(s[index], s[index + 1]) : s[index];

    /// <summary>MongoDB's binary string order: by Unicode code point (= UTF-8 byte order), null first.</summary>
    public sealed class CodePointComparer : IComparer<string?>
    {
        public static CodePointComparer Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            var i = 0;
            var j = 0;
            while (i < x.Length && j < y.Length)
            {
                var a = CodePoint(x, i);
                var b = CodePoint(y, j);
                if (a != b)
                {
                    return a < b ? -1 : 1;
                }

                i += a > 0xFFFF ? 2 : 1;
                j += b > 0xFFFF ? 2 : 1;
            }

            return (x.Length - i).CompareTo(y.Length - j) switch { < 0 => -1, > 0 => 1, _ => 0 };
        }
    }
}
