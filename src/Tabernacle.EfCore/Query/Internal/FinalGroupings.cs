using System.Linq.Expressions;
using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// A GroupBy whose groups are the query's results (<c>GroupBy(...).ToList()</c>): <c>$group</c> also collects each
/// group's element documents with <c>$push: "$$ROOT"</c>, and the shaper builds an <see cref="IGrouping{TKey,TElement}"/>
/// from the group's key and those documents, shaped as the elements were before grouping.
/// </summary>
internal static class FinalGroupings
{
    private static readonly MethodInfo CreateMethod = typeof(FinalGroupings).GetMethod(nameof(Create))!;

    public static Expression Shaper(GroupingShaperExpression grouping, MongoQueryExpression query)
    {
        var field = grouping.Stage.Add("$push", new MqlRawExpression("$$ROOT", typeof(object)), "$$ROOT");
        var item = new EntityDocumentExpression(query.EntityType, "");
        var elementShaper = DocumentRebaser.Rebase(grouping.ElementShaper, query.RootDocument, item, "");
        var elements = new GroupElementsExpression(field, item, elementShaper);
        var keyType = grouping.KeyShaper.Type;
        return Expression.Call(CreateMethod.MakeGenericMethod(keyType, elementShaper.Type), grouping.KeyShaper, elements);
    }

    /// <summary>Whether a GroupBy's element shaper includes navigations (which EF Core adds only for groups returned as results).</summary>
    public static bool HasIncludes(Expression elementShaper)
    {
        var finder = new IncludeFinder();
        finder.Visit(elementShaper);
        return finder.Found;
    }

    public static IGrouping<TKey, TElement> Create<TKey, TElement>(TKey key, IEnumerable<TElement> elements) =>
        new Grouping<TKey, TElement>(key, elements.ToList());

    private sealed class Grouping<TKey, TElement>(TKey key, List<TElement> elements) : IGrouping<TKey, TElement>
    {
        public TKey Key { get; } = key;

        public IEnumerator<TElement> GetEnumerator() => elements.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class IncludeFinder : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitExtension(Expression node)
        {
            Found |= node is Microsoft.EntityFrameworkCore.Query.IncludeExpression;
            return node;
        }
    }
}
