using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Aggregates over a group (<c>g.Count()</c>, <c>g.Sum(x =&gt; x.Price)</c>, <c>g.Where(...).Count()</c>,
/// <c>g.Select(x =&gt; x.Name).Max()</c>, <c>g.First()</c>) become accumulators of the <c>$group</c> stage.
/// Returns the field of the group document that holds the result.
/// </summary>
internal sealed class GroupingTranslator(MqlTranslatingExpressionVisitor translator)
{
    public (string Field, Type Type)? TryTranslate(MethodCallExpression call)
    {
        var method = call.Method;
        if (!method.IsStatic || (method.DeclaringType != typeof(Enumerable) && method.DeclaringType != typeof(Queryable))
            || call.Arguments.Count == 0)
        {
            return null;
        }

        if (Source(call.Arguments[0]) is not { } source)
        {
            return null;
        }

        var (grouping, predicate, selector) = source;
        var lambda = call.Arguments.Count > 1 ? Lambda(call.Arguments[1]) : null;
        if (lambda is not null && method.Name is nameof(Enumerable.Count) or nameof(Enumerable.LongCount))
        {
            predicate = And(predicate, Translate(grouping, lambda));
            if (predicate is null)
            {
                return null;
            }
        }
        else if (lambda is not null)
        {
            selector = Translate(grouping, lambda);
            if (selector is null)
            {
                return null;
            }
        }

        switch (method.Name)
        {
            case nameof(Enumerable.Count) or nameof(Enumerable.LongCount):
                var one = predicate is null ? null : new MqlConditionalExpression(predicate, Int(1), Int(0), typeof(int));
                return (grouping.Stage.Add("$sum", one, Print(one)), call.Type);
            case nameof(Enumerable.Sum):
                var summed = selector ?? ElementValue(grouping);
                if (summed is null)
                {
                    return null;
                }

                summed = predicate is null ? summed : new MqlConditionalExpression(predicate, summed, Int(0), summed.Type);
                return (grouping.Stage.Add("$sum", summed, Print(summed)), call.Type);
            case nameof(Enumerable.Average) or nameof(Enumerable.Min) or nameof(Enumerable.Max):
                var value = selector ?? ElementValue(grouping);
                if (value is null)
                {
                    return null;
                }

                // $$REMOVE makes the accumulator skip elements the Where excluded.
                value = predicate is null ? value
                    : new MqlConditionalExpression(predicate, value, new MqlRawExpression("$$REMOVE", value.Type), value.Type);
                var op = method.Name switch
                {
                    nameof(Enumerable.Average) => "$avg",
                    nameof(Enumerable.Min) => "$min",
                    _ => "$max",
                };
                return (grouping.Stage.Add(op, value, Print(value)), call.Type);
            case nameof(Enumerable.First) or nameof(Enumerable.FirstOrDefault) when lambda is null && predicate is null:
                var first = selector ?? new MqlRawExpression("$$ROOT", call.Type);
                return (grouping.Stage.Add("$first", first, Print(first)), call.Type);
            default:
                return null;
        }
    }

    /// <summary>The grouping behind an aggregate's source, with the Where/Select applied to it on the way.</summary>
    private (GroupingShaperExpression Grouping, MqlExpression? Predicate, MqlExpression? Selector)? Source(Expression source)
    {
        source = Unwrap(source);
        if (source is GroupingShaperExpression grouping)
        {
            return (grouping, null, null);
        }

        if (source is MethodCallExpression { Method.IsStatic: true } call
            && (call.Method.DeclaringType == typeof(Enumerable) || call.Method.DeclaringType == typeof(Queryable))
            && call.Arguments.Count == 2
            && Lambda(call.Arguments[1]) is { } lambda
            && Source(call.Arguments[0]) is { } inner)
        {
            switch (call.Method.Name)
            {
                case nameof(Enumerable.Where) when inner.Selector is null:
                    if (Translate(inner.Grouping, lambda) is { } predicate)
                    {
                        return (inner.Grouping, And(inner.Predicate, predicate), null);
                    }

                    return null;
                case nameof(Enumerable.Select) when inner.Selector is null:
                    if (Translate(inner.Grouping, lambda) is { } selected)
                    {
                        return (inner.Grouping, inner.Predicate, selected);
                    }

                    return null;
            }
        }

        return null;
    }

    private MqlExpression? Translate(GroupingShaperExpression grouping, LambdaExpression lambda) =>
        translator.Translate(ReplacingExpressionVisitor.Replace(lambda.Parameters[0], grouping.ElementShaper, lambda.Body));

    private MqlExpression? ElementValue(GroupingShaperExpression grouping) => translator.Translate(grouping.ElementShaper);

    private static MqlExpression? And(MqlExpression? left, MqlExpression? right) =>
        left is null ? right : right is null ? left : new MqlBinaryExpression(MqlOperator.And, left, right, typeof(bool));

    private static MqlExpression Int(int value) => new MqlConstantExpression(value, typeof(int));

    private static string Print(MqlExpression? expression) =>
        expression is null ? "" : new MqlRenderer().RenderExpression(expression).ToString() ?? "";

    private static Expression Unwrap(Expression expression)
    {
        while (expression is MethodCallExpression { Method.Name: nameof(Queryable.AsQueryable) or nameof(Enumerable.AsEnumerable) } call
            && call.Arguments.Count == 1)
        {
            expression = call.Arguments[0];
        }

        return expression is UnaryExpression { NodeType: ExpressionType.Convert } convert ? Unwrap(convert.Operand) : expression;
    }

    private static LambdaExpression? Lambda(Expression argument) => argument switch
    {
        UnaryExpression { NodeType: ExpressionType.Quote, Operand: LambdaExpression quoted } => quoted,
        LambdaExpression lambda => lambda,
        _ => null,
    };
}
