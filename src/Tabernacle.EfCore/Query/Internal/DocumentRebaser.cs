using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Moves a shaper built for one query's rows to where those documents now live: under a joined element of another
/// query's rows, inside a joined array, or behind an aggregation variable.
/// </summary>
internal sealed class DocumentRebaser(EntityDocumentExpression from, EntityDocumentExpression to, string prefix) : ExpressionVisitor
{
    public static Expression Rebase(Expression shaper, EntityDocumentExpression from, EntityDocumentExpression to, string prefix) =>
        new DocumentRebaser(from, to, prefix).Visit(shaper);

    protected override Expression VisitExtension(Expression node) => node switch
    {
        StructuralTypeShaperExpression shaper when shaper.ValueBufferExpression is EntityDocumentExpression document
            => shaper.Update(RebaseDocument(document)),
        EntityDocumentExpression document => RebaseDocument(document),
        // A value of another row (the one a subquery is joined into) stays where it is.
        DocumentValueExpression { Root: { } root } value when !ReferenceEquals(root, from) && !Within(root) => value,
        DocumentValueExpression value => new DocumentValueExpression(
            prefix + value.Path, value.Type, value.Property, value.TypeMapping, value.Root is null ? null : RebaseDocument(value.Root)),
        EmbeddedCollectionExpression collection =>
            new EmbeddedCollectionExpression(RebaseDocument(collection.Owner), collection.Navigation, collection.InnerShaper,
                collection.Type, collection.Detached),
        ComplexCollectionExpression complex =>
            new ComplexCollectionExpression(RebaseDocument(complex.Owner), complex.ComplexProperty, complex.Type),
        JoinedCollectionExpression joined =>
            new JoinedCollectionExpression(RebaseDocument(joined.Owner), prefix + joined.Element, joined.InnerShaper, joined.Type,
                joined.ItemRoot),
        IncludeExpression include => include.Update(Visit(include.EntityExpression), Visit(include.NavigationExpression)),
        _ => base.VisitExtension(node),
    };

    private EntityDocumentExpression RebaseDocument(EntityDocumentExpression document)
    {
        if (ReferenceEquals(document, from))
        {
            return to;
        }

        if (document.Owner is null || !Within(document))
        {
            return document;
        }

        return new EntityDocumentExpression(document.EntityType, prefix + document.Path, RebaseDocument(document.Owner),
            document.Navigation, document.JoinedElement);
    }

    private bool Within(EntityDocumentExpression document)
    {
        for (var current = document; current is not null; current = current.Owner)
        {
            if (ReferenceEquals(current, from))
            {
                return true;
            }
        }

        return false;
    }
}
