using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>
/// The groups of a GroupBy, while lambdas over them are being translated: <c>g.Key</c> reads the group document's
/// <c>_id</c>; aggregates over <c>g</c> become accumulators of <see cref="Stage"/> evaluated over the elements
/// (<see cref="ElementShaper"/>, which reads the documents as they were before grouping).
/// </summary>
internal sealed class GroupingShaperExpression(Expression keyShaper, Expression elementShaper, GroupStage stage, Type type) : Expression,
    IPrintableExpression
{
    public Expression KeyShaper { get; } = keyShaper;

    public Expression ElementShaper { get; } = elementShaper;

    public GroupStage Stage { get; } = stage;

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type { get; } = type;

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append("GROUPING");
}

/// <summary>A document built from named expressions (a compound group key, a projection).</summary>
internal sealed class MqlDocumentExpression(IReadOnlyList<(string Name, MqlExpression Value)> members, Type type) : MqlExpression(type),
    IPrintableExpression
{
    public IReadOnlyList<(string Name, MqlExpression Value)> Members { get; } = members;

    public void Print(ExpressionPrinter expressionPrinter) =>
        expressionPrinter.Append("{" + string.Join(", ", Members.Select(m => m.Name)) + "}");
}

/// <summary>One accumulator of a <c>$group</c>: <c>{Field: {Operator: Argument}}</c> (a null argument means the constant 1).</summary>
internal sealed record Accumulator(string Field, string Operator, MqlExpression? Argument);

/// <summary><c>$group</c>: documents grouped by <see cref="Key"/>, with accumulators added as lambdas over the groups need them.</summary>
internal sealed record GroupStage(MqlExpression Key) : QueryStage
{
    private readonly List<Accumulator> _accumulators = [];

    public IReadOnlyList<Accumulator> Accumulators => _accumulators;

    /// <summary>Adds (or reuses an identical) accumulator and returns the field it lands in.</summary>
    public string Add(string op, MqlExpression? argument, string? printedArgument)
    {
        var existing =
            _accumulators.FirstOrDefault(a => a.Operator == op && a.Field.StartsWith('a') && Signature(a) == op + printedArgument);
        if (existing is not null)
        {
            return existing.Field;
        }

        var field = "a" + _accumulators.Count;
        _accumulators.Add(new Accumulator(field, op, argument));
        _signatures[field] = op + printedArgument;
        return field;
    }

    private readonly Dictionary<string, string> _signatures = [];

    private string Signature(Accumulator accumulator) => _signatures.GetValueOrDefault(accumulator.Field, "");
}
