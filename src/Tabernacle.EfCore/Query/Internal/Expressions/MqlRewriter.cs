namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>Rebuilds MQL expression trees and stages, replacing the fields a callback chooses to.</summary>
internal static class MqlRewriter
{
    public static MqlExpression Replace(MqlExpression expression, Func<MqlFieldExpression, MqlExpression?> replace)
    {
        MqlExpression Visit(MqlExpression e) => Replace(e, replace);

        return expression switch
        {
            MqlFieldExpression field => replace(field) ?? field,
            MqlBinaryExpression binary => new MqlBinaryExpression(binary.Operator, Visit(binary.Left), Visit(binary.Right), binary.Type),
            MqlNotExpression not => new MqlNotExpression(Visit(not.Operand)),
            MqlFunctionExpression function =>
                new MqlFunctionExpression(function.Name, function.Arguments.Select(Visit).ToList(), function.Type,
                    function.ArgumentsAsArray),
            MqlRegexExpression regex => new MqlRegexExpression(Visit(regex.Field), Visit(regex.Pattern), regex.Options),
            MqlInExpression @in => new MqlInExpression(Visit(@in.Item), Visit(@in.Values)),
            MqlConditionalExpression conditional =>
                new MqlConditionalExpression(Visit(conditional.Test), Visit(conditional.IfTrue), Visit(conditional.IfFalse),
                    conditional.Type),
            MqlArrayContainsExpression contains => new MqlArrayContainsExpression(Visit(contains.Array), Visit(contains.Item)),
            MqlStructuredExpression structured =>
                new MqlStructuredExpression(structured.Name, structured.Template, structured.Arguments.Select(Visit).ToList(),
                    structured.Type),
            MqlIfNullArrayExpression ifNull => new MqlIfNullArrayExpression(Visit(ifNull.Array)),
            MqlArrayExpression array => new MqlArrayExpression(array.Elements.Select(Visit).ToList(), array.Type),
            MqlDocumentExpression document =>
                new MqlDocumentExpression(document.Members.Select(m => (m.Name, Visit(m.Value))).ToList(), document.Type),
            _ => expression,
        };
    }

    /// <summary>The stage with its expressions rewritten.</summary>
    public static QueryStage Replace(QueryStage stage, Func<MqlFieldExpression, MqlExpression?> replace) => stage switch
    {
        MatchStage match => new MatchStage(Replace(match.Predicate, replace)),
        SortStage sort => new SortStage(sort.Keys.Select(k => k with { Key = Replace(k.Key, replace) }).ToList()),
        SkipStage skip => new SkipStage(Replace(skip.Count, replace)),
        LimitStage limit => new LimitStage(Replace(limit.Count, replace)),
        AddFieldsStage addFields => new AddFieldsStage(addFields.Field, Replace(addFields.Value, replace)),
        ProjectStage project => project with { Fields = project.Fields.Select(f => (f.Field, Replace(f.Value, replace))).ToList() },
        _ => stage,
    };

    /// <summary>The first field of <paramref name="expression"/> that <paramref name="test"/> accepts, or <c>null</c>.</summary>
    public static MqlFieldExpression? FindField(MqlExpression expression, Func<MqlFieldExpression, bool> test)
    {
        MqlFieldExpression? found = null;
        Replace(expression, field =>
        {
            found ??= test(field) ? field : null;
            return null;
        });
        return found;
    }

    /// <summary>The first field of <paramref name="stage"/> that <paramref name="test"/> accepts, or <c>null</c>.</summary>
    public static MqlFieldExpression? FindField(QueryStage stage, Func<MqlFieldExpression, bool> test)
    {
        MqlFieldExpression? found = null;
        Replace(stage, field =>
        {
            found ??= test(field) ? field : null;
            return null;
        });
        return found;
    }
}
