using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>One <c>ExecuteUpdate</c> assignment: a stored property and its new value.</summary>
internal sealed record UpdateSetter(string Path, IProperty Property, MqlExpression Value);

/// <summary><c>ExecuteUpdate</c>/<c>ExecuteDelete</c>: an <c>updateMany</c>/<c>deleteMany</c> over the documents a query selects.</summary>
internal sealed class MongoNonQueryExpression(MongoQueryExpression query, IReadOnlyList<UpdateSetter>? setters) : Expression,
    IPrintableExpression
{
    public MongoQueryExpression Query { get; } = query;

    /// <summary>The assignments of an update; <c>null</c> for a delete.</summary>
    public IReadOnlyList<UpdateSetter>? Setters { get; } = setters;

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type => typeof(int);

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) =>
        expressionPrinter.Append(Setters is null ? $"deleteMany({Query.CollectionName})" : $"updateMany({Query.CollectionName})");
}
