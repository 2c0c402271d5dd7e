using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>
/// The elements of a group returned as a result (a final <c>GroupBy</c>): the array that <c>$push</c> collected at
/// <see cref="ArrayField"/> of the group document, each item shaped by <see cref="ElementShaper"/>, whose documents are
/// rooted at <see cref="ItemDocument"/> (the element documents as they were before grouping).
/// </summary>
internal sealed class GroupElementsExpression(string field, EntityDocumentExpression itemDocument, Expression elementShaper)
    : Expression, IPrintableExpression
{
    public string ArrayField { get; } = field;

    public EntityDocumentExpression ItemDocument { get; } = itemDocument;

    public Expression ElementShaper { get; } = elementShaper;

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type => typeof(IEnumerable<>).MakeGenericType(ElementShaper.Type);

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append($"GROUP_ELEMENTS({ArrayField})");
}
