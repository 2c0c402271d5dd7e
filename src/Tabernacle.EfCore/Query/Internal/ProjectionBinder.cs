using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Turns a Select's body into a shaper: entity members become reads of the row document, owned navigations become
/// embedded entity shapers, and everything else stays as client code that runs on those values (the final
/// projection may run on the client; filters never do).
/// </summary>
internal sealed class ProjectionBinder(MqlTranslatingExpressionVisitor translator, ISubqueryHost host) : ExpressionVisitor
{
    public string? TranslationErrorDetails { get; private set; }

    public Expression? Bind(Expression selector)
    {
        TranslationErrorDetails = null;
        var result = Visit(selector);
        if (TranslationErrorDetails is null && result is not GroupingShaperExpression && host.IsSubquery && GroupingFinder.Contains(result))
        {
            // The groups a query's results use whole (g, g.ToList(), g.OrderBy(...)) are built from their elements,
            // pushed by $group (FinalGroupings); a joined subquery's results are not shaped that way.
            TranslationErrorDetails = GroupingFinder.Details;
        }

        return TranslationErrorDetails is null ? result : null;
    }

    protected override Expression VisitExtension(Expression node)
    {
        switch (node)
        {
            case StructuralTypeShaperExpression or DocumentValueExpression or EmbeddedCollectionExpression or ComplexCollectionExpression
                or GroupingShaperExpression or JoinedCollectionExpression:
                return node;
            case IncludeExpression include:
                return include.Update(Visit(include.EntityExpression), Visit(include.NavigationExpression));
            case MaterializeCollectionNavigationExpression materialize when materialize.Navigation
                is INavigation { ForeignKey.IsOwnership: true }:
                return BindOwnedSubquery(materialize.Subquery) ?? Visit(materialize.Subquery);
            case MaterializeCollectionNavigationExpression materialize:
                // A collection navigation to another collection: its (possibly filtered) subquery joined in with $lookup.
                var joined = host.JoinSubquery(materialize.Subquery);
                if (joined is null)
                {
                    TranslationErrorDetails ??= $"The collection navigation '{materialize.Navigation.Name}' could not be joined: " +
                        $"{translator.TranslationErrorDetails}";
                    return node;
                }

                return new JoinedCollectionExpression(joined.Owner, joined.Element, joined.InnerShaper, materialize.Type, joined.ItemRoot);
            case QueryParameterExpression parameter:
                return Expression.Call(GetParameterValueMethod.MakeGenericMethod(parameter.Type),
                    QueryCompilationContext.QueryContextParameter, Expression.Constant(parameter.Name));
            default:
                return base.VisitExtension(node);
        }
    }

    /// <summary>
    /// An owned collection whose items have owned navigations of their own: EF Core includes those as a Select over the
    /// collection (<c>o.Lines.AsQueryable().Select(l => Include(l, l.Discounts))</c>). The items stay entities of the
    /// embedded collection, shaped with the includes bound to each item's document (not client code over detached items).
    /// </summary>
    private EmbeddedCollectionExpression? BindOwnedSubquery(Expression subquery)
    {
        if (subquery is not MethodCallExpression { Method.IsGenericMethod: true } call
            || call.Method.GetGenericMethodDefinition() != QueryableMethods.Select
            || (call.Arguments[1] is UnaryExpression { NodeType: ExpressionType.Quote } quote ? quote.Operand : call.Arguments[1])
                is not LambdaExpression { Parameters.Count: 1 } selector
            || (BindOwnedSubquery(call.Arguments[0]) ?? Visit(call.Arguments[0]))
                is not EmbeddedCollectionExpression { Detached: false } collection)
        {
            return null;
        }

        var body = ReplacingExpressionVisitor.Replace(selector.Parameters[0], collection.InnerShaper, selector.Body);
        return new EmbeddedCollectionExpression(collection.Owner, collection.Navigation, Visit(body), collection.Type);
    }

    private static readonly System.Reflection.MethodInfo DefaultIfEmptyMethod =
        typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.DefaultIfEmpty) && m.GetParameters().Length == 1);

    private static readonly System.Reflection.MethodInfo GetParameterValueMethod =
        typeof(ProjectionBinder).GetMethod(nameof(GetParameterValue),
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private static T GetParameterValue<T>(QueryContext queryContext, string name) => (T)queryContext.Parameters[name]!;

    protected override Expression VisitMember(MemberExpression node)
    {
        if (node.Expression is null)
        {
            return base.VisitMember(node);
        }

        // Bind on what the inner expression becomes, so chains through owned navigations (x.Size.Width) stay reads of the row.
        var inner = Visit(node.Expression);
        if (inner is GroupingShaperExpression grouping && node.Member.Name == nameof(IGrouping<int, int>.Key))
        {
            return grouping.KeyShaper;
        }

        if (MemberBinder.Bind(inner, MemberIdentity.Create(node.Member), node.Type) is { } bound)
        {
            return bound is MqlFieldExpression field && host.CarryOuterField(field) is { } carried ? carried : ToShaper(bound);
        }

        return node.Update(inner);
    }

    protected override Expression VisitUnary(UnaryExpression node)
    {
        // EF Core's preprocessing turns `o.Nav == null ? null : o.Nav.Value` into `(T?)o.Nav.Value`, relying on a member
        // of a missing entity reading as null (as in SQL): read the value as the nullable type, not as default(T).
        if (node.NodeType == ExpressionType.Convert && Nullable.GetUnderlyingType(node.Type) == node.Operand.Type
            && Visit(node.Operand) is DocumentValueExpression value && value.Type == node.Operand.Type)
        {
            return new DocumentValueExpression(value.Path, node.Type, value.Property, value.TypeMapping, value.Root);
        }

        return base.VisitUnary(node);
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        // EF Core writes a nested owned navigation as EF.Property(EF.Property(x, "Customer"), "Phones"): bind on what the
        // inner call becomes (as VisitMember does), so owned types inside owned types stay reads of the row.
        if (MemberBinder.IsEfPropertyCall(node, out var source, out var name)
            && MemberBinder.Bind(Visit(source), MemberIdentity.Create(name), node.Type) is { } bound)
        {
            return ToShaper(bound);
        }

        // Client code over detached owned items (o.Lines.Select(l => l.Discounts.Count)): EF Core wrote the nested
        // navigation as EF.Property, which only runs inside a query, so it becomes the member access it stands for.
        if (MemberBinder.IsEfPropertyCall(node, out var memberSource, out var member)
            && Visit(memberSource) is { } clientObject
            && MemberBinder.UnwrapShaper(clientObject) is null
            && clientObject.Type.GetProperty(member) is { CanRead: true } clientProperty)
        {
            var access = Expression.Property(clientObject, clientProperty);
            return access.Type == node.Type ? access : Expression.Convert(access, node.Type);
        }

        if (translator.TranslateGroupAggregate(node) is { } aggregate)
        {
            return new DocumentValueExpression(aggregate.Field, aggregate.Type, null, null);
        }

        // AsQueryable()/ToList() over an owned collection is the collection itself. The source is visited once: visiting a
        // subquery joins it into the query (a $lookup stage), so a second visit would join it twice.
        if (node.Method.Name is nameof(Queryable.AsQueryable) or nameof(Enumerable.ToList) or nameof(Enumerable.AsEnumerable)
            or nameof(Enumerable.ToArray)
            && node.Arguments.Count == 1 && !(node.Method.DeclaringType == typeof(Queryable) && ContainsQueryRoot(node)))
        {
            var items = Visit(node.Arguments[0]);
            if (items is EmbeddedCollectionExpression collection)
            {
                return node.Method.Name == nameof(Enumerable.ToArray)
                    ? Expression.Call(
                        typeof(Enumerable).GetMethod(nameof(Enumerable.ToArray))!.MakeGenericMethod(
                            collection.Navigation.TargetEntityType.ClrType), collection)
                    : collection;
            }

            if (node.Method.DeclaringType != typeof(Queryable))
            {
                return node.Update(null, [items!]);
            }
        }

        // Queryable operators over a materialized embedded collection run on the client, as LINQ to Objects.
        if (node.Method.IsStatic && node.Method.DeclaringType == typeof(Queryable) && node.Arguments.Count > 0)
        {
            // A subquery over another collection in a projection is joined in whole ($lookup with its filters, order
            // and limits); only a final aggregate (Count, Any, Sum...) is then finished on the client.
            if (ContainsQueryRoot(node))
            {
                var sequence = typeof(IQueryable).IsAssignableFrom(node.Type);
                var subquery = sequence ? node : node.Arguments[0];

                // DefaultIfEmpty() at the end of the subquery applies to the joined array, on the client.
                var beforeDefault = DefaultIfEmptyTranslator.Source(subquery);
                if (host.JoinSubquery(beforeDefault ?? subquery) is { } joinedSubquery)
                {
                    var items = beforeDefault is null
                        ? (Expression)joinedSubquery
                        : Expression.Call(
                            DefaultIfEmptyMethod.MakeGenericMethod(joinedSubquery.ElementType),
                            joinedSubquery);
                    if (sequence)
                    {
                        return beforeDefault is null
                            ? new JoinedCollectionExpression(
                                joinedSubquery.Owner,
                                joinedSubquery.Element,
                                joinedSubquery.InnerShaper,
                                typeof(IEnumerable<>).MakeGenericType(joinedSubquery.ElementType),
                                joinedSubquery.ItemRoot)
                            : items;
                    }

                    var clientArguments = node.Arguments.Select((a, i) => i == 0 ? items : Visit(a)).ToList();
                    return ToEnumerableCall(node, clientArguments!) ?? base.VisitMethodCall(node);
                }
            }

            var arguments = node.Arguments.Select(Visit).ToList();

            if (arguments[0] is EmbeddedCollectionExpression embedded)
            {
                arguments[0] = embedded.AsDetached();
            }

            if (arguments[0] is { } clientSource && !typeof(IQueryable).IsAssignableFrom(clientSource.Type)
                && ToEnumerableCall(node, arguments!) is { } clientCall)
            {
                return clientCall;
            }
        }

        return base.VisitMethodCall(node);
    }

    private static bool ContainsQueryRoot(Expression expression) =>
        expression is MethodCallExpression call ? call.Arguments.Count > 0 && ContainsQueryRoot(call.Arguments[0]) : expression
            is EntityQueryRootExpression;

    private static Expression? ToEnumerableCall(MethodCallExpression node, List<Expression> arguments)
    {
        var unquoted = arguments.Select(a => a is UnaryExpression { NodeType: ExpressionType.Quote } quote ? quote.Operand : a).ToList();
        var genericArguments = node.Method.IsGenericMethod ? node.Method.GetGenericArguments() : [];
        foreach (var candidate in typeof(Enumerable).GetMethods().Where(m =>
            m.Name == node.Method.Name && m.GetParameters().Length == unquoted.Count))
        {
            if (candidate.IsGenericMethodDefinition != node.Method.IsGenericMethod
                || candidate.GetGenericArguments().Length != genericArguments.Length)
            {
                continue;
            }

            var method = candidate.IsGenericMethodDefinition ? candidate.MakeGenericMethod(genericArguments) : candidate;
            var parameters = method.GetParameters();
            if (parameters.Select((p, i) => p.ParameterType.IsAssignableFrom(unquoted[i].Type)).All(ok => ok))
            {
                return Expression.Call(method, unquoted);
            }
        }

        return null;
    }

    private static Expression ToShaper(Expression bound) => bound switch
    {
        MqlFieldExpression field => new DocumentValueExpression(field.Path, field.Type, field.Property, field.TypeMapping, field.Root),
        _ => bound,
    };

    /// <summary>Finds a group used other than through the aggregates that become accumulators of <c>$group</c>.</summary>
    internal sealed class GroupingFinder : ExpressionVisitor
    {
        public const string Details =
            "A group can be used only through its Key and aggregates (Count, LongCount, Sum, Min, Max, Average, First, optionally after " +
                "Where/Select); ordering, filtering into a list or navigating inside a group is not supported.";

        private bool _found;

        public static bool Contains(Expression? expression)
        {
            var finder = new GroupingFinder();
            finder.Visit(expression);
            return finder._found;
        }

        public override Expression? Visit(Expression? node)
        {
            if (node is GroupingShaperExpression)
            {
                _found = true;
                return node;
            }

            return node is StructuralTypeShaperExpression or DocumentValueExpression or EmbeddedCollectionExpression
                or JoinedCollectionExpression ? node : base.Visit(node);
        }
    }
}
