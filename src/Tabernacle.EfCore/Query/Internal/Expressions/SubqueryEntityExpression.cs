using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>
/// The entity a subquery over another collection returns with <c>First</c>, <c>FirstOrDefault</c>, <c>Single</c> or
/// <c>SingleOrDefault</c> (<c>c.Orders.FirstOrDefault()</c>), as an operand of entity equality: it stands for the first
/// document joined into the row, and <see cref="Key"/> reads one of its key values (missing when nothing was joined).
/// </summary>
internal sealed class SubqueryEntityExpression(IEntityType entityType, Type type, Func<IProperty, MqlExpression?> key)
    : Expression, IPrintableExpression
{
    public IEntityType EntityType { get; } = entityType;

    /// <summary>The key value <paramref name="property"/> of the first joined document, or <c>null</c> when it has no MQL form.</summary>
    public MqlExpression? Key(IProperty property) => key(property);

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type { get; } = type;

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append($"FIRST_JOINED({EntityType.DisplayName()})");
}
