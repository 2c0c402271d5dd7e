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
internal sealed class ProjectionBinder : ExpressionVisitor
{
    public string? TranslationErrorDetails { get; private set; }

    public Expression? Bind(Expression selector)
    {
        TranslationErrorDetails = null;
        var result = Visit(selector);
        return TranslationErrorDetails is null ? result : null;
    }

    protected override Expression VisitExtension(Expression node)
    {
        switch (node)
        {
            case StructuralTypeShaperExpression or DocumentValueExpression or EmbeddedCollectionExpression:
                return node;
            case IncludeExpression include:
                if (include.Navigation is not INavigation { ForeignKey.IsOwnership: true } navigation)
                {
                    TranslationErrorDetails ??= $"Including '{include.Navigation.DeclaringEntityType.DisplayName()}.{include.Navigation.Name}' needs a join between collections, which is not supported yet.";
                    return node;
                }

                return include.Update(Visit(include.EntityExpression), Visit(include.NavigationExpression));
            case MaterializeCollectionNavigationExpression materialize when materialize.Navigation is INavigation { ForeignKey.IsOwnership: true }:
                return Visit(materialize.Subquery);
            case QueryParameterExpression parameter:
                return Expression.Call(GetParameterValueMethod.MakeGenericMethod(parameter.Type), QueryCompilationContext.QueryContextParameter, Expression.Constant(parameter.Name));
            default:
                return base.VisitExtension(node);
        }
    }

    private static readonly System.Reflection.MethodInfo GetParameterValueMethod =
        typeof(ProjectionBinder).GetMethod(nameof(GetParameterValue), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private static T GetParameterValue<T>(QueryContext queryContext, string name) => (T)queryContext.Parameters[name]!;

    protected override Expression VisitMember(MemberExpression node)
    {
        if (node.Expression is null)
        {
            return base.VisitMember(node);
        }

        // Bind on what the inner expression becomes, so chains through owned navigations (x.Size.Width) stay reads of the row.
        var inner = Visit(node.Expression);
        if (MemberBinder.Bind(inner, MemberIdentity.Create(node.Member), node.Type) is { } bound)
        {
            return ToShaper(bound);
        }

        return node.Update(inner);
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (MemberBinder.IsEfPropertyCall(node, out var source, out var name) && MemberBinder.Bind(source, MemberIdentity.Create(name), node.Type) is { } bound)
        {
            return ToShaper(bound);
        }

        // AsQueryable()/ToList() over an owned collection is the collection itself.
        if (node.Method.Name is nameof(Queryable.AsQueryable) or nameof(Enumerable.ToList) or nameof(Enumerable.AsEnumerable) or nameof(Enumerable.ToArray)
            && node.Arguments.Count == 1 && Visit(node.Arguments[0]) is EmbeddedCollectionExpression collection)
        {
            return node.Method.Name == nameof(Enumerable.ToArray)
                ? Expression.Call(typeof(Enumerable).GetMethod(nameof(Enumerable.ToArray))!.MakeGenericMethod(collection.Navigation.TargetEntityType.ClrType), collection)
                : collection;
        }

        return base.VisitMethodCall(node);
    }

    private static Expression ToShaper(Expression bound) => bound switch
    {
        MqlFieldExpression field => new DocumentValueExpression(field.Path, field.Type, field.Property, field.TypeMapping),
        _ => bound,
    };
}
