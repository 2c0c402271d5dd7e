using System.Linq.Expressions;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// The fields of a result document a shaper reads, when it reads only values (a projection to scalars, anonymous
/// types or DTOs): the query then asks the server for those fields alone instead of whole documents. A shaper that
/// materializes an entity, an embedded or joined collection or an include needs the documents whole (null).
/// </summary>
internal sealed class ProjectedFields : ExpressionVisitor
{
    private readonly SortedSet<string> _paths = new(StringComparer.Ordinal);
    private bool _needsWholeDocument;

    public static IReadOnlyCollection<string>? Of(Expression shaper)
    {
        var finder = new ProjectedFields();
        finder.Visit(shaper);
        return finder._needsWholeDocument || finder._paths.Count == 0 ? null : WithoutNestedPaths(finder._paths);
    }

    protected override Expression VisitExtension(Expression node)
    {
        if (node is DocumentValueExpression { Path.Length: > 0 } value)
        {
            _paths.Add(value.Path);
        }
        else
        {
            _needsWholeDocument = true;
        }

        return node;
    }

    // MongoDB rejects a projection naming both "a" and "a.b" (a path collision); "a" alone returns both.
    private static List<string> WithoutNestedPaths(SortedSet<string> paths)
    {
        var kept = new List<string>();
        foreach (var path in paths)
        {
            if (!kept.Any(k => path.StartsWith(k + ".", StringComparison.Ordinal)))
            {
                kept.Add(path);
            }
        }

        return kept;
    }
}
