using System.Diagnostics;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>What a query would do, and (when run) what it examined and returned.</summary>
internal sealed record ExplainedQuery(
    BsonDocument WinningPlan, long Returned, long DocsExamined, long KeysExamined, long Millis,
    IReadOnlyList<(BsonDocument Document, MatchDetails Details)> Results);

/// <summary>
/// The plan the engine runs for a filter with sort, skip and limit, in mongod 7.0's classic-engine stage names (EOF,
/// COLLSCAN, FETCH over IXSCAN with the index and its bounds, SORT, SKIP, LIMIT), and, when asked, the result of
/// running it as the read commands run it. Shared by the explain of every command, so each reports the same plan.
/// </summary>
internal static class QueryExplainer
{
    public static ExplainedQuery Explain(
        IDocumentReader reader, CommandContext context, string collection, BsonDocument filterSpec, Collation? collation,
        BsonValue hintValue, BsonDocument? sort, long skip, long limit, bool execute)
    {
        var filter = ReadSupport.CompileFilter(filterSpec, collation, null);
        var store = reader.Collection(context.Database, collection);
        if (store is null)
        {
            return new ExplainedQuery(new BsonDocument("stage", "EOF"), 0, 0, 0, 0, []);
        }

        var hint = ReadSupport.ResolveHint(store, hintValue);
        var oneField = sort is { ElementCount: 1 } && sort[0].IsNumeric && collation is null && limit > 0;
        var plan = store.Plan(filter, hint, oneField ? sort!.GetElement(0).Name : null, oneField && sort![0].ToDouble() < 0 ? -1 : 1);
        var winningPlan = IsIdHack(plan, filterSpec, hintValue, skip)
            ? new BsonDocument("stage", "IDHACK")
            : WinningPlan(plan, filterSpec, sort, skip, limit);
        if (!execute)
        {
            return new ExplainedQuery(winningPlan, 0, 0, 0, 0, []);
        }

        var stopwatch = Stopwatch.StartNew();
        var examined = 0L;
        var candidates = plan.ProvidesSort
            ? store.CandidatesInSortOrder(filter, hint, sort!.GetElement(0).Name, sort[0].ToDouble() < 0 ? -1 : 1)!
            : reader.Candidates(context.Database, collection, filter, hint);
        var counted = candidates.Select(d =>
        {
            examined++;
            return d;
        });
        var matches = ReadSupport.MatchEach(reader, counted, filter, context.CancellationToken);
        var results = ReadSupport.Page(matches, plan.ProvidesSort ? null : sort, collation, skip, limit).ToList();
        return new ExplainedQuery(winningPlan, results.Count, examined, plan.Index is null ? 0 : examined,
            stopwatch.ElapsedMilliseconds, results);
    }

    // mongod's classic engine answers a plain equality on _id (no other predicate, hint or skip) with IDHACK, a
    // direct _id index lookup; the emulator's plan is that same lookup.
    private static bool IsIdHack(QueryPlan plan, BsonDocument filterSpec, BsonValue hintValue, long skip) =>
        plan.Index is { Name: "_id_" } && plan.Bounds?.Points is { Count: 1 } && skip == 0 && hintValue.IsBsonNull
        && filterSpec.ElementCount == 1 && filterSpec.GetElement(0).Name == "_id"
        && !(filterSpec[0] is BsonDocument value && value.ElementCount > 0 && value.GetElement(0).Name.StartsWith('$'));

    /// <summary>mongod's <c>queryPlanner</c> section around a winning plan.</summary>
    public static BsonDocument QueryPlanner(string ns, BsonDocument filterSpec, BsonDocument winningPlan) => new()
    {
        { "namespace", ns },
        { "indexFilterSet", false },
        { "parsedQuery", filterSpec },
        { "maxIndexedOrSolutionsReached", false },
        { "maxIndexedAndSolutionsReached", false },
        { "maxScansToExplodeReached", false },
        { "winningPlan", winningPlan },
        { "rejectedPlans", new BsonArray() },
    };

    /// <summary>
    /// mongod's <c>executionStats</c>: totals, and <c>executionStages</c>, the winning plan with what each stage
    /// returned and examined (<paramref name="topStageFields"/> adds a write stage's counts to the top stage).
    /// </summary>
    public static BsonDocument ExecutionStats(ExplainedQuery query, BsonDocument winningPlan, long returned,
        BsonDocument? topStageFields = null)
    {
        var stages = (BsonDocument)winningPlan.DeepClone();
        Annotate(stages, query, returned, top: true);
        if (topStageFields is not null)
        {
            var at = stages.IndexOfName("inputStage") is var i and >= 0 ? i : stages.ElementCount;
            foreach (var element in topStageFields)
            {
                stages.InsertAt(at++, element);
            }
        }

        return new BsonDocument
        {
            { "executionSuccess", true },
            { "nReturned", StorageSizes.Number(returned) },
            { "executionTimeMillis", StorageSizes.Number(query.Millis) },
            { "totalKeysExamined", StorageSizes.Number(query.KeysExamined) },
            { "totalDocsExamined", StorageSizes.Number(query.DocsExamined) },
            { "executionStages", stages },
        };
    }

    private static void Annotate(BsonDocument stage, ExplainedQuery query, long returned, bool top)
    {
        var name = stage["stage"].AsString;
        var at = 1;
        stage.InsertAt(at++, new BsonElement("nReturned", StorageSizes.Number(top ? returned : query.Returned)));
        stage.InsertAt(at++, new BsonElement("executionTimeMillisEstimate", StorageSizes.Number(query.Millis)));
        switch (name)
        {
            case "IXSCAN":
                stage.InsertAt(at, new BsonElement("keysExamined", StorageSizes.Number(query.KeysExamined)));
                break;
            case "IDHACK":
                stage.InsertAt(at++, new BsonElement("keysExamined", StorageSizes.Number(query.KeysExamined)));
                stage.InsertAt(at, new BsonElement("docsExamined", StorageSizes.Number(query.DocsExamined)));
                break;
            case "FETCH" or "COLLSCAN":
                stage.InsertAt(at, new BsonElement("docsExamined", StorageSizes.Number(query.DocsExamined)));
                break;
        }

        if (stage.TryGetValue("inputStage", out var input) && input is BsonDocument inner)
        {
            Annotate(inner, query, returned, top: false);
        }
    }

    private static BsonDocument WinningPlan(QueryPlan plan, BsonDocument filter, BsonDocument? sort, long skip, long limit)
    {
        BsonDocument stage;
        if (plan.Index is { } index)
        {
            stage = new BsonDocument
            {
                { "stage", "FETCH" },
                {
                    "inputStage", new BsonDocument
                    {
                        { "stage", "IXSCAN" },
                        { "keyPattern", index.KeyPattern },
                        { "indexName", index.Name },
                        { "isMultiKey", index.IsMultikey },
                        { "isUnique", index.Unique },
                        { "isSparse", index.Sparse },
                        { "isPartial", !index.CanSeek && !index.Sparse },
                        { "indexVersion", 2 },
                        { "direction", plan.Forward ? "forward" : "backward" },
                        { "indexBounds", Bounds(index, plan.Bounds, plan.Forward) },
                    }
                },
            };

            // Bounds on the only filtered field are exact, so mongod's FETCH has nothing left to filter.
            if (filter.Names.Any(n => n != index.LeadingField))
            {
                stage.InsertAt(1, new BsonElement("filter", filter));
            }
        }
        else
        {
            stage = new BsonDocument { { "stage", "COLLSCAN" } };
            if (filter.ElementCount > 0)
            {
                stage["filter"] = filter;
            }

            stage["direction"] = "forward";
        }

        if (sort is { ElementCount: > 0 } && !plan.ProvidesSort)
        {
            stage = new BsonDocument { { "stage", "SORT" }, { "sortPattern", sort }, { "memLimit", 104857600 } }
                .AddRange(limit > 0 ? new BsonDocument("limitAmount", skip + limit) : new BsonDocument("type", "simple"))
                .Add("inputStage", stage);
        }

        if (skip > 0)
        {
            stage = new BsonDocument { { "stage", "SKIP" }, { "skipAmount", skip }, { "inputStage", stage } };
        }

        if (limit > 0 && (plan.ProvidesSort || sort is not { ElementCount: > 0 }))
        {
            stage = new BsonDocument { { "stage", "LIMIT" }, { "limitAmount", limit }, { "inputStage", stage } };
        }

        return stage;
    }

    // mongod prints each field's interval list as strings, e.g. "[5, 5]" or "[MinKey, MaxKey]"; later fields are unbounded.
    private static BsonDocument Bounds(CollectionIndex index, IndexBounds? bounds, bool forward)
    {
        var result = new BsonDocument();
        foreach (var field in index.KeyPattern.Names)
        {
            BsonArray intervals;
            if (field != index.LeadingField || bounds is null)
            {
                intervals = [forward ? "[MinKey, MaxKey]" : "[MaxKey, MinKey]"];
            }
            else if (bounds.Points is { } points)
            {
                intervals = new BsonArray(points.OrderBy(p => p, BsonValueComparer.Default).Select(p => $"[{Format(p)}, {Format(p)}]"));
            }
            else
            {
                // A one-sided range stays within its type, as mongod's bounds do: {$lt: 5} is [-inf.0, 5), {$gt: "m"} is ("m", {}).
                var lowerEnd = bounds.Lower is { } lower ? Format(lower) : bounds.Upper switch
                {
                    { IsNumeric: true } => "-inf.0",
                    BsonString => "\"\"",
                    _ => "MinKey",
                };
                var upperEnd = bounds.Upper is { } upper ? Format(upper) : bounds.Lower switch
                {
                    { IsNumeric: true } => "inf.0",
                    BsonString => "{}",
                    _ => "MaxKey",
                };
                var low = $"{(bounds.LowerInclusive || bounds.Lower is null ? "[" : "(")}{lowerEnd}";
                var high = $"{upperEnd}{(bounds.UpperInclusive || bounds.Upper is null ? "]" : ")")}";
                if (bounds.Upper is null && bounds.Lower is BsonString)
                {
                    high = "{})";
                }
                intervals = [$"{low}, {high}"];
            }

            result[field] = intervals;
        }

        return result;
    }

    private static string Format(BsonValue value) => value switch
    {
        BsonString s => $"\"{s.Value}\"",
        BsonMinKey => "MinKey",
        BsonMaxKey => "MaxKey",
        BsonNull => "null",
        _ => value.ToString() ?? "",
    };
}
