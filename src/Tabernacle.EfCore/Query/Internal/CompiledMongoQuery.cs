using System.Collections;
using Microsoft.EntityFrameworkCore.Query;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal.Expressions;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// A query rendered to MQL once, with placeholders for its parameters: each execution binds the values and sends
/// a <c>find</c> or an <c>aggregate</c>. This is what makes a cached query shape cost no translation.
/// </summary>
internal sealed class CompiledMongoQuery
{
    private readonly BsonDocument _filter;
    private readonly BsonDocument? _sort;
    private readonly BsonValue? _skip;
    private readonly BsonValue? _limit;
    private readonly BsonDocument? _projection;
    private readonly List<BsonDocument>? _pipeline;
    private readonly IReadOnlyList<ParameterSlot> _slots;

    private CompiledMongoQuery(string collectionName, ResultOperator resultOperator, BsonDocument filter, BsonDocument? sort,
        BsonValue? skip, BsonValue? limit, BsonDocument? projection, List<BsonDocument>? pipeline, MqlRenderer renderer)
    {
        Renderer = renderer;
        var slots = renderer.Slots;
        CollectionName = collectionName;
        ResultOperator = resultOperator;
        _filter = filter;
        _sort = sort;
        _skip = skip;
        _limit = limit;
        _projection = projection;
        _pipeline = pipeline;
        _slots = slots;
    }

    public string CollectionName { get; }

    /// <summary>The renderer that produced this query; renders more parts that share its parameter slots (ExecuteUpdate's
    /// values).</summary>
    public MqlRenderer Renderer { get; }

    public ResultOperator ResultOperator { get; }

    /// <summary>Renders <paramref name="query"/>; returns <c>null</c> (with a reason) when part of it has no MQL form yet.</summary>
    /// <param name="query">The translated query.</param>
    /// <param name="projectedFields">The only fields the results are read for, or <c>null</c> for whole documents.</param>
    public static CompiledMongoQuery Compile(MongoQueryExpression query, IReadOnlyCollection<string>? projectedFields = null)
    {
        var renderer = new MqlRenderer();
        var stages = query.Stages;
        if (IsFindShaped(stages) && query.ResultOperator is ResultOperator.None or ResultOperator.Any)
        {
            var filter = stages.OfType<MatchStage>().Select(m => renderer.RenderFilter(m.Predicate)).FirstOrDefault() ?? [];
            var sort =
                stages.OfType<SortStage>().Select(s =>
                    MqlRenderer.RenderSort(s.Keys)
                        ?? throw new InvalidOperationException(
                            $"The ordering '{s}' has computed keys, which find cannot sort by.")).FirstOrDefault();
            var skip = stages.OfType<SkipStage>().Select(s => renderer.RenderValue(s.Count, null)).FirstOrDefault();
            var limit = stages.OfType<LimitStage>().Select(s => renderer.RenderValue(s.Count, null)).FirstOrDefault();
            BsonDocument? projection = null;
            if (query.ResultOperator == ResultOperator.Any)
            {
                projection = new BsonDocument("_id", 1);
                limit ??= 1;
            }
            else if (projectedFields is not null)
            {
                projection = Projection(projectedFields);
            }

            return new CompiledMongoQuery(query.CollectionName, query.ResultOperator, filter, sort, skip, limit, projection, null,
                renderer);
        }

        var pipeline = renderer.RenderStages(stages);

        switch (query.ResultOperator)
        {
            case ResultOperator.Any:
                pipeline.Add(new BsonDocument("$limit", 1));
                pipeline.Add(new BsonDocument("$project", new BsonDocument("_id", 1)));
                break;
            case ResultOperator.Count or ResultOperator.LongCount:
                pipeline.Add(new BsonDocument("$count", MongoQueryExpression.ResultElement));
                break;
            case ResultOperator.Sum or ResultOperator.Average or ResultOperator.Min or ResultOperator.Max:
                var accumulator = query.ResultOperator switch
                {
                    ResultOperator.Sum => "$sum",
                    ResultOperator.Average => "$avg",
                    ResultOperator.Min => "$min",
                    _ => "$max",
                };
                pipeline.Add(new BsonDocument("$group", new BsonDocument
                {
                    { "_id", BsonNull.Value },
                    { MongoQueryExpression.ResultElement, new BsonDocument(accumulator, renderer.RenderExpression(query.ResultSelector!)) },
                }));
                break;
            // After a stage that shapes small rows ($group, $project, ...) a projection would only add work.
            case ResultOperator.None when projectedFields is not null && !EndsShaped(pipeline):
                pipeline.Add(new BsonDocument("$project", Projection(projectedFields)));
                break;
        }

        return new CompiledMongoQuery(query.CollectionName, query.ResultOperator, [], null, null, null, null, pipeline, renderer);
    }

    private static bool EndsShaped(List<BsonDocument> pipeline) =>
        pipeline.Any(stage =>
            stage.GetElement(0).Name is "$group" or "$project" or "$replaceRoot" or "$replaceWith" or "$count" or "$bucket" or "$bucketAuto"
                or "$sortByCount");

    // Only the fields the shaper reads; _id is left out unless read (MongoDB includes it by default). A part of a
    // composite key ("_id.a") fetches the whole _id instead: next to the default inclusion or an explicit "_id: 0" a
    // path under _id is a path collision, and a composite key is small.
    private static BsonDocument Projection(IReadOnlyCollection<string> fields)
    {
        var projection = new BsonDocument();
        foreach (var field in fields)
        {
            projection[field.StartsWith("_id.", StringComparison.Ordinal) ? "_id" : field] = 1;
        }

        if (!projection.Contains("_id"))
        {
            projection["_id"] = 0;
        }

        return projection;
    }

    private static bool IsFindShaped(IReadOnlyList<QueryStage> stages)
    {
        var order = 0;
        foreach (var stage in stages)
        {
            var rank = stage switch
            {
                MatchStage => 1,
                // find sorts by stored fields only; a computed key needs the pipeline's $addFields.
                SortStage { HasComputedKeys: false } => 2,
                SkipStage => 3,
                LimitStage => 4,
                _ => int.MaxValue,
            };
            if (rank == int.MaxValue || rank <= order)
            {
                return false;
            }

            order = rank;
        }

        return true;
    }

    /// <summary>Binds this execution's parameter values and builds the request.</summary>
    public MongoReadRequest Bind(QueryContext queryContext, ReadPreference? readPreference, ReadConcern? readConcern)
    {
        var values = BindSlots(_slots, queryContext);
        var limit = ToInt(_limit, values);

        // A Take whose count is a parameter can be 0 when it runs: find's limit 0 means "no limit", so nothing
        // must match instead (a constant Take(0) is a false $match at translation already).
        var takesNothing = limit <= 0;
        return _pipeline is null
            ? new MongoReadRequest(CollectionName)
            {
                Filter = takesNothing ? new BsonDocument("$expr", false)
                    : values.Length == 0 ? _filter : (BsonDocument)Substitute(_filter, values),
                Sort = _sort,
                Skip = ToInt(_skip, values),
                Limit = takesNothing ? null : limit,
                Projection = _projection,
                ReadPreference = readPreference,
                ReadConcern = readConcern,
            }
            : new MongoReadRequest(CollectionName)
            {
                Pipeline = values.Length == 0 ? _pipeline : Splice(_pipeline.Select(s => (BsonDocument)Substitute(s, values))),
                ReadPreference = readPreference,
                ReadConcern = readConcern,
            };
    }

    /// <summary>This execution's values for every parameter slot (including slots added after compilation by the renderer).</summary>
    public BsonValue[] BindValues(QueryContext queryContext) => BindSlots(Renderer.Slots, queryContext);

    // A loop rather than Select: this runs on every execution, and the lambda's closure and iterator cost more than the values.
    private static BsonValue[] BindSlots(IReadOnlyList<ParameterSlot> slots, QueryContext queryContext)
    {
        if (slots.Count == 0)
        {
            return [];
        }

        var values = new BsonValue[slots.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BindValue(slots[i], queryContext);
        }

        return values;
    }

    /// <summary>The find filter with <paramref name="values"/> substituted.</summary>
    public BsonDocument BindFilter(BsonValue[] values) => values.Length == 0 ? _filter : (BsonDocument)Substitute(_filter, values);

    // FromPipeline's stages arrive as one placeholder stage holding the application's list: splice them in.
    private static List<BsonDocument> Splice(IEnumerable<BsonDocument> stages)
    {
        var result = new List<BsonDocument>();
        foreach (var stage in stages)
        {
            if (stage.ElementCount == 1 && stage.GetElement(0).Name == MqlRenderer.SpliceKey)
            {
                result.AddRange(stage[0].AsBsonArray.Select(s => s.AsBsonDocument));
            }
            else
            {
                result.Add(stage);
            }
        }

        return result;
    }

    private static int? ToInt(BsonValue? value, BsonValue[] values) => value switch
    {
        null => null,
        _ => Substitute(value, values).ToInt32(),
    };

    private static BsonValue BindValue(ParameterSlot slot, QueryContext queryContext)
    {
        var value = queryContext.Parameters[slot.Name];
        if (slot.Transform != ParameterTransform.None)
        {
            return value is string s ? new BsonString(MqlRenderer.Pattern(s, slot.Transform)) : BsonNull.Value;
        }

        if (slot.IsList)
        {
            var array = new BsonArray();
            foreach (var item in (IEnumerable?)value ?? Array.Empty<object>())
            {
                array.Add(PropertyBson.ToBson(slot.Mapping, item));
            }

            return array;
        }

        return PropertyBson.ToBson(slot.Mapping, value);
    }

    // Copies the template where it holds placeholders; shares everything else (templates are never mutated).
    public static BsonValue Substitute(BsonValue template, BsonValue[] values)
    {
        switch (template)
        {
            case BsonDocument document when document.ElementCount == 1 && document.GetElement(0).Name == MqlRenderer.PlaceholderKey:
                return values[document[0].AsInt32];
            case BsonDocument { ElementCount: 1 } stage when stage.GetElement(0).Name == "$limit" && stage[0] is BsonDocument:
                // A parameterised $limit stage (also inside $lookup/$unionWith pipelines): mongod refuses $limit: 0,
                // which a Take(count) with count 0 at run time asks for; a stage that passes nothing says the same.
                var count = Substitute(stage[0], values);
                return count.IsNumeric && count.ToInt64() <= 0
                    ? new BsonDocument("$match", new BsonDocument("$expr", false))
                    : new BsonDocument("$limit", count);
            case BsonDocument document:
                // Copied from the first element that changes; a part without placeholders is the template itself.
                BsonDocument? copy = null;
                for (var i = 0; i < document.ElementCount; i++)
                {
                    var element = document.GetElement(i);
                    var value = Substitute(element.Value, values);
                    if (copy is null && !ReferenceEquals(value, element.Value))
                    {
                        copy = new BsonDocument(allowDuplicateNames: false);
                        for (var j = 0; j < i; j++)
                        {
                            copy.Add(document.GetElement(j));
                        }
                    }

                    copy?.Add(element.Name, value);
                }

                return copy ?? document;
            case BsonArray array:
                BsonArray? items = null;
                for (var i = 0; i < array.Count; i++)
                {
                    var item = Substitute(array[i], values);
                    if (items is null && !ReferenceEquals(item, array[i]))
                    {
                        items = new BsonArray(array.Count);
                        for (var j = 0; j < i; j++)
                        {
                            items.Add(array[j]);
                        }
                    }

                    items?.Add(item);
                }

                return items ?? array;
            default:
                return template;
        }
    }

    /// <summary>The query as shell syntax with this execution's values.</summary>
    public string ToMql(QueryContext queryContext) => Bind(queryContext, null, null).ToMql();
}
