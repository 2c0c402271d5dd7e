using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// The root of <c>FromMql</c>/<c>FromPipeline</c>: a collection read through MQL the application wrote. The MQL is an
/// argument expression (a captured value), so EF Core makes it a query parameter: values are bound, never spliced.
/// </summary>
internal sealed class FromMqlQueryRootExpression : EntityQueryRootExpression
{
    public FromMqlQueryRootExpression(IAsyncQueryProvider queryProvider, IEntityType entityType, bool isPipeline, Expression argument)
        : base(queryProvider, entityType)
    {
        IsPipeline = isPipeline;
        Argument = argument;
    }

    public FromMqlQueryRootExpression(IEntityType entityType, bool isPipeline, Expression argument)
        : base(entityType)
    {
        IsPipeline = isPipeline;
        Argument = argument;
    }

    /// <summary>Whether <see cref="Argument"/> is pipeline stages (<c>FromPipeline</c>) rather than a filter (<c>FromMql</c>).</summary>
    public bool IsPipeline { get; }

    public Expression Argument { get; }

    public override Expression DetachQueryProvider() => new FromMqlQueryRootExpression(EntityType, IsPipeline, Argument);

    public override EntityQueryRootExpression UpdateEntityType(IEntityType entityType) =>
        entityType.ClrType != EntityType.ClrType
            ? throw new InvalidOperationException($"FromMql/FromPipeline cannot change the entity type to '{entityType.DisplayName()}'.")
            : new FromMqlQueryRootExpression(entityType, IsPipeline, Argument);

    protected override Expression VisitChildren(ExpressionVisitor visitor)
    {
        var argument = visitor.Visit(Argument);
        return argument != Argument ? new FromMqlQueryRootExpression(EntityType, IsPipeline, argument) : this;
    }

    protected override void Print(ExpressionPrinter expressionPrinter)
    {
        base.Print(expressionPrinter);
        expressionPrinter.Append(IsPipeline ? ".FromPipeline(" : ".FromMql(");
        expressionPrinter.Visit(Argument);
        expressionPrinter.Append(")");
    }

    public override bool Equals(object? obj) =>
        obj is FromMqlQueryRootExpression other
        && base.Equals(other)
        && IsPipeline == other.IsPipeline
        && ExpressionEqualityComparer.Instance.Equals(Argument, other.Argument);

    public override int GetHashCode() =>
        HashCode.Combine(base.GetHashCode(), IsPipeline, ExpressionEqualityComparer.Instance.GetHashCode(Argument));
}
