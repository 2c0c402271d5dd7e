using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>One stage of a translated query, in the order the LINQ operators were applied.</summary>
internal abstract record QueryStage;

/// <summary><c>$match</c>: keep documents satisfying the predicate.</summary>
internal sealed record MatchStage(MqlExpression Predicate) : QueryStage;

/// <summary>
/// <c>$sort</c>: by these keys, the first the most significant. A key that is not a stored field (a computed value)
/// makes it render as <c>$addFields</c> of temporary fields, <c>$sort</c> on them, <c>$unset</c> of them, since
/// MongoDB's <c>$sort</c> takes field paths only.
/// </summary>
internal sealed record SortStage(IReadOnlyList<SortKey> Keys) : QueryStage
{
    public bool HasComputedKeys => Keys.Any(k => k.Key is not MqlFieldExpression);
}

/// <summary>One key of a sort.</summary>
internal sealed record SortKey(MqlExpression Key, bool Ascending);

/// <summary><c>$skip</c>.</summary>
internal sealed record SkipStage(MqlExpression Count) : QueryStage;

/// <summary><c>$limit</c>.</summary>
internal sealed record LimitStage(MqlExpression Count) : QueryStage;

/// <summary>
/// <c>$lookup</c>: documents of <see cref="Inner"/>'s collection joined into an array field <see cref="As"/>, matched by
/// equal keys (<see cref="LocalField"/>/<see cref="ForeignField"/>) or by the inner query's own stages, which may refer
/// to the outer row's fields (a correlated subquery).
/// </summary>
internal sealed record LookupStage(string As, MongoQueryExpression Inner, string? LocalField, string? ForeignField, MqlExpression? OuterKey,
    MqlExpression? InnerKey) : QueryStage;

/// <summary><c>$unwind</c> of a joined array: one row per joined document (kept with none for a left join).</summary>
internal sealed record UnwindStage(string Path, bool PreserveNullAndEmptyArrays) : QueryStage;

/// <summary><c>$addFields</c> of one computed field (the array SelectMany unwinds, copied so the row keeps its own).</summary>
internal sealed record AddFieldsStage(string Field, MqlExpression Value) : QueryStage;

/// <summary>Stages the application wrote (<c>FromPipeline</c>), bound from a query parameter at execution.</summary>
internal sealed record RawPipelineStage(MqlParameterExpression Stages) : QueryStage;

/// <summary><c>$unionWith</c>: the documents of <see cref="Other"/> (its collection and stages) appended to these.</summary>
internal sealed record UnionWithStage(MongoQueryExpression Other) : QueryStage;

/// <summary>
/// <c>$project</c> of computed fields only, without <c>_id</c> (each side of a set operation brought to one shape),
/// with the side's number in <c>__side</c> when <see cref="Side"/> is set (Intersect/Except).
/// </summary>
internal sealed record ProjectStage(IReadOnlyList<(string Field, MqlExpression Value)> Fields, int? Side) : QueryStage;

/// <summary>A stage given as BSON (the de-duplication of Union).</summary>
internal sealed record BsonStage(MongoDB.Bson.BsonDocument Stage) : QueryStage;

/// <summary>What the query computes from the documents its stages select.</summary>
internal enum ResultOperator
{
    /// <summary>The documents themselves.</summary>
    None,
    Count,
    LongCount,
    Any,
    Sum,
    Average,
    Min,
    Max,
}

/// <summary>
/// The provider's query model: a collection and the stages applied to it, plus a final aggregate. It renders to a
/// <c>find</c> when the stages fit one (match, sort, skip, limit, in that order, each at most once) and to an
/// <c>aggregate</c> pipeline otherwise.
/// </summary>
internal sealed class MongoQueryExpression(IEntityType entityType) : Expression, IPrintableExpression
{
    private readonly List<QueryStage> _stages = [];
    private int _temporaryFields;

    /// <summary>The document of the collection's entity in each row, before any projection.</summary>
    public EntityDocumentExpression RootDocument { get; } = new(entityType, "");

    /// <summary>A name for a field the query adds to its rows (joined documents), unique within the query.</summary>
    public string NewTemporaryField(string prefix) => $"__{prefix}{_temporaryFields++}";

    /// <summary>Appends a stage the query model builds elsewhere (lookups, unwinds).</summary>
    public void AddStage(QueryStage stage) => _stages.Add(stage);

    public IEntityType EntityType { get; } = entityType;

    public string CollectionName { get; } = entityType.GetCollectionName();

    public IReadOnlyList<QueryStage> Stages => _stages;

    public ResultOperator ResultOperator { get; private set; }

    /// <summary>The value aggregated by Sum/Average/Min/Max.</summary>
    public MqlExpression? ResultSelector { get; private set; }

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type => typeof(object);

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    /// <summary>The name of the element a computed result is returned under.</summary>
    public const string ResultElement = "v";

    public bool HasLimitOrSkip => _stages.Any(s => s is SkipStage or LimitStage);

    public bool HasOrdering => _stages.Any(s => s is SortStage);

    public void ApplyPredicate(MqlExpression predicate)
    {
        if (predicate is MqlConstantExpression { Value: true })
        {
            return;
        }

        if (_stages.Count > 0 && _stages[^1] is MatchStage last)
        {
            _stages[^1] = new MatchStage(new MqlBinaryExpression(MqlOperator.And, last.Predicate, predicate, typeof(bool)));
        }
        else
        {
            _stages.Add(new MatchStage(predicate));
        }
    }

    /// <summary>
    /// OrderBy: a new ordering. LINQ's OrderBy is stable, so an ordering directly before it survives as the
    /// tie-breaker. ThenBy: one more key of the current ordering.
    /// </summary>
    public void ApplyOrdering(MqlExpression key, bool ascending, bool thenBy)
    {
        var newKey = new SortKey(key, ascending);
        if (_stages.Count > 0 && _stages[^1] is SortStage current)
        {
            _stages[^1] = new SortStage(thenBy ? [.. current.Keys, newKey] : [newKey, .. current.Keys]);
        }
        else
        {
            _stages.Add(new SortStage([newKey]));
        }
    }

    /// <summary>Reverses the last ordering (for Last/LastOrDefault); <c>false</c> when there is none to reverse.</summary>
    public bool ReverseOrdering()
    {
        var index = _stages.FindLastIndex(s => s is SortStage);
        if (index < 0 || _stages.Skip(index + 1).Any(s => s is SkipStage or LimitStage))
        {
            return false;
        }

        var sort = (SortStage)_stages[index];
        _stages[index] = new SortStage(sort.Keys.Select(k => k with { Ascending = !k.Ascending }).ToList());
        return true;
    }

    /// <summary>
    /// For Last after Skip/Take of an ordered query: the same ordering reversed after them, so the last of the rows they
    /// keep comes first; <c>false</c> when there is no ordering or stages after it change the rows it sorts on.
    /// </summary>
    public bool AppendReversedOrdering()
    {
        var index = _stages.FindLastIndex(s => s is SortStage);
        if (index < 0 || _stages.Skip(index + 1).Any(s => s is not (SkipStage or LimitStage or MatchStage)))
        {
            return false;
        }

        var sort = (SortStage)_stages[index];
        _stages.Add(new SortStage(sort.Keys.Select(k => k with { Ascending = !k.Ascending }).ToList()));
        return true;
    }

    public void ApplySkip(MqlExpression count) => _stages.Add(new SkipStage(count));

    /// <summary>Groups the documents by <paramref name="key"/>: from here on, documents are the groups.</summary>
    public GroupStage ApplyGroup(MqlExpression key)
    {
        var stage = new GroupStage(key);
        _stages.Add(stage);
        return stage;
    }

    public void ApplyLimit(MqlExpression count) => _stages.Add(new LimitStage(count));

    public void ApplyResultOperator(ResultOperator resultOperator, MqlExpression? selector = null)
    {
        ResultOperator = resultOperator;
        ResultSelector = selector;
        if (resultOperator is ResultOperator.Count or ResultOperator.LongCount or ResultOperator.Any or ResultOperator.Sum
            or ResultOperator.Average or ResultOperator.Min or ResultOperator.Max)
        {
            // Orderings do not change a count, a sum or an existence test; dropping them lets more shapes run as find.
            var last = _stages.FindLastIndex(s => s is SkipStage or LimitStage);
            for (var i = _stages.Count - 1; i > last; i--)
            {
                if (_stages[i] is SortStage)
                {
                    _stages.RemoveAt(i);
                }
            }
        }
    }

    public void Print(ExpressionPrinter expressionPrinter)
    {
        expressionPrinter.Append($"db.{CollectionName}");
        foreach (var stage in _stages)
        {
            expressionPrinter.Append($".{stage.GetType().Name}");
        }

        if (ResultOperator != ResultOperator.None)
        {
            expressionPrinter.Append($".{ResultOperator}()");
        }
    }
}
