using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
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

    /// <summary>
    /// The shaper with every group it returns or uses whole (not through its key and aggregates) built from its elements.
    /// </summary>
    public static Expression Replace(Expression shaper, MongoQueryExpression query)
    {
        var replaced = new GroupingReplacer(query).Visit(shaper);
        if (ReferenceEquals(replaced, shaper))
        {
            return shaper;
        }

        replaced = new ClientOwnedIncludeRemover().Visit(replaced);
        if (ClientLambdaChecker.HasUntranslatedNode(replaced))
        {
            // What runs on the client over a group's elements still holds a node of EF Core's translation (a navigation
            // inside an aggregate, g.Max(o => o.Customer.Age)): that part needed the server.
            throw new InvalidOperationException(
                CoreStrings.TranslationFailedWithDetails(shaper.Print(), ProjectionBinder.GroupingFinder.Details));
        }

        return replaced;
    }

    /// <summary>Whether the client code holds a node that cannot run: a query root, or an unreducible node inside a lambda.</summary>
    private sealed class ClientLambdaChecker : ExpressionVisitor
    {
        private int _depth;
        private bool _found;

        public static bool HasUntranslatedNode(Expression shaper)
        {
            var checker = new ClientLambdaChecker();
            checker.Visit(shaper);
            return checker._found;
        }

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            _depth++;
            base.VisitLambda(node);
            _depth--;
            return node;
        }

        protected override Expression VisitExtension(Expression node)
        {
            // A query root (a navigation inside an aggregate is expanded to a join with its DbSet) never runs on the client.
            if ((_depth > 0 && !node.CanReduce) || node is QueryRootExpression)
            {
                _found = true;
                return node;
            }

            return _depth > 0 || node is not (StructuralTypeShaperExpression or GroupElementsExpression or IncludeExpression)
                ? base.VisitExtension(node)
                : node;
        }
    }

    public static Expression Shaper(GroupingShaperExpression grouping, MongoQueryExpression query)
    {
        var field = grouping.Stage.Add("$push", new MqlRawExpression("$$ROOT", typeof(object)), "$$ROOT");
        var item = new EntityDocumentExpression(query.EntityType, "");
        var elementShaper = WithOwned(DocumentRebaser.Rebase(grouping.ElementShaper, query.RootDocument, item, ""));
        var elements = new GroupElementsExpression(field, item, elementShaper);
        var keyType = grouping.KeyShaper.Type;
        return Expression.Call(CreateMethod.MakeGenericMethod(keyType, elementShaper.Type), grouping.KeyShaper, elements);
    }

    /// <summary>
    /// An entity element with its owned navigations included: EF Core adds those includes where the group's elements
    /// are used (inside a lambda over them, <c>g.Select(e => ...)</c>), where the provider cannot bind them.
    /// </summary>
    private static Expression WithOwned(Expression shaper)
    {
        if (shaper is not StructuralTypeShaperExpression { StructuralType: IEntityType entityType })
        {
            return shaper;
        }

        var result = shaper;
        foreach (var navigation in entityType.GetNavigations().Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent))
        {
            var type = navigation.IsCollection ? navigation.ClrType : navigation.TargetEntityType.ClrType;
            var related = MemberBinder.Bind(shaper, MemberIdentity.Create(navigation.Name), type) switch
            {
                EmbeddedCollectionExpression collection => new EmbeddedCollectionExpression(
                    collection.Owner, collection.Navigation, WithOwned(collection.InnerShaper), collection.Type, collection.Detached),
                { } reference => WithOwned(reference),
                null => null,
            };
            if (related is not null)
            {
                result = new IncludeExpression(result, related, navigation);
            }
        }

        return result;
    }

    /// <summary>Owned navigations that EF Core includes on the client side of a group's elements: the elements have them already.</summary>
    private sealed class ClientOwnedIncludeRemover : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node) => node switch
        {
            IncludeExpression { Navigation: INavigation { ForeignKey.IsOwnership: true } } include
                when Root(include) is not StructuralTypeShaperExpression => Visit(include.EntityExpression),

            // Another collection's entities would have to be joined per element of the group, after $group.
            IncludeExpression include when Root(include) is not StructuralTypeShaperExpression => throw new InvalidOperationException(
                CoreStrings.TranslationFailedWithDetails(include.Print(), $"Including '{include.Navigation.Name}' on the elements of a "
                    + "group used whole (not through its Key and aggregates) is not supported; include it before the GroupBy's "
                    + "elements are selected, or load it in a separate query.")),
            _ => base.VisitExtension(node),
        };

        private static Expression Root(Expression entity) => entity is IncludeExpression include ? Root(include.EntityExpression) : entity;
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

    private sealed class GroupingReplacer(MongoQueryExpression query) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node) =>
            node is GroupingShaperExpression grouping ? Shaper(grouping, query) : base.VisitExtension(node);
    }
}
