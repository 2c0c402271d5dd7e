using System.Diagnostics;
using System.Globalization;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>explain</c> of <c>find</c>, in mongod 7.0's classic-engine shape: <c>queryPlanner.winningPlan</c> is the plan the
/// engine really runs (COLLSCAN, or FETCH over IXSCAN with the index and its bounds; SORT when no index provides the
/// order; LIMIT/SKIP), and <c>executionStats</c> (verbosity executionStats or allPlansExecution) counts the documents
/// and keys it examined by running it. Other commands are refused with mongod's answer for an unknown one.
/// </summary>
internal sealed class ExplainCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["explain"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        if (context.Target is not BsonDocument inner || inner.ElementCount == 0)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "explain command requires a nested object");
        }

        var verbosity = context.Command.GetValue("verbosity", "allPlansExecution").AsString;
        if (verbosity is not ("queryPlanner" or "executionStats" or "allPlansExecution"))
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, $"verbosity string must be one of {{'queryPlanner', 'executionStats', 'allPlansExecution'}}");
        }

        var commandName = inner.GetElement(0).Name;
        if (commandName != "find")
        {
            throw new MongoErrorException(ErrorCodes.CommandNotFound, $"Explain failed due to unknown command: {commandName}");
        }

        var collection = inner["find"].AsString;
        var filterSpec = inner.GetValue("filter", new BsonDocument()).AsBsonDocument;
        var collation = Query.Collation.Parse(inner.GetValue("collation", BsonNull.Value));
        var filter = ReadSupport.CompileFilter(filterSpec, collation, null);
        var sort = inner.GetValue("sort", BsonNull.Value) as BsonDocument;
        var skip = inner.GetValue("skip", 0).ToInt64();
        var limit = Math.Abs(inner.GetValue("limit", 0).ToInt64());
        var ns = $"{context.Database}.{collection}";

        var reply = context.Read(reader =>
        {
            var store = reader.Collection(context.Database, collection);
            var hint = ReadSupport.ResolveHint(store, inner.GetValue("hint", BsonNull.Value));
            var oneField = sort is { ElementCount: 1 } && sort[0].IsNumeric && collation is null && limit > 0;
            var plan = store?.Plan(filter, hint, oneField ? sort!.GetElement(0).Name : null, oneField && sort![0].ToDouble() < 0 ? -1 : 1)
                ?? new QueryPlan(null, null, false, true);
            var result = new BsonDocument
            {
                { "explainVersion", "1" },
                { "queryPlanner", new BsonDocument
                    {
                        { "namespace", ns },
                        { "indexFilterSet", false },
                        { "parsedQuery", filterSpec },
                        { "maxIndexedOrSolutionsReached", false },
                        { "maxIndexedAndSolutionsReached", false },
                        { "maxScansToExplodeReached", false },
                        { "winningPlan", WinningPlan(plan, filterSpec, sort, skip, limit) },
                        { "rejectedPlans", new BsonArray() },
                    }
                },
            };
            if (verbosity != "queryPlanner")
            {
                result["executionStats"] = ExecutionStats(reader, context, collection, filter, hint, plan, sort, collation, skip, limit);
            }

            return result;
        });

        reply["command"] = new BsonDocument(inner.Where(e => e.Name != "$db")) { { "$db", context.Database } };
        reply["serverInfo"] = new BsonDocument
        {
            { "host", context.Member.Host.Split(':')[0] },
            { "port", int.Parse(context.Member.Host.Split(':')[^1], CultureInfo.InvariantCulture) },
            { "version", BuildInfoCommand.Version },
            { "gitVersion", "tabernacle-emulator" },
        };
        return Task.FromResult(reply);
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
                intervals = new BsonArray(points.OrderBy(p => p, Query.BsonValueComparer.Default).Select(p => $"[{Format(p)}, {Format(p)}]"));
            }
            else
            {
                var low = $"{(bounds.LowerInclusive || bounds.Lower is null ? "[" : "(")}{(bounds.Lower is null ? "MinKey" : Format(bounds.Lower))}";
                var high = $"{(bounds.Upper is null ? "MaxKey" : Format(bounds.Upper))}{(bounds.UpperInclusive || bounds.Upper is null ? "]" : ")")}";
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

    private static BsonDocument ExecutionStats(
        Replication.IDocumentReader reader, CommandContext context, string collection, QueryFilter filter, CollectionIndex? hint,
        QueryPlan plan, BsonDocument? sort, Query.Collation? collation, long skip, long limit)
    {
        var stopwatch = Stopwatch.StartNew();
        var examined = 0L;
        IEnumerable<BsonDocument> candidates = plan.ProvidesSort
            ? reader.Collection(context.Database, collection)!.CandidatesInSortOrder(filter, hint, sort!.GetElement(0).Name, sort[0].ToDouble() < 0 ? -1 : 1)!
            : reader.Candidates(context.Database, collection, filter, hint);
        var counted = candidates.Select(d =>
        {
            examined++;
            return d;
        });
        var matches = ReadSupport.MatchEach(reader.Storage, counted, filter, context.CancellationToken);
        var returned = ReadSupport.Page(matches, plan.ProvidesSort ? null : sort, collation, skip, limit).Count();
        return new BsonDocument
        {
            { "executionSuccess", true },
            { "nReturned", returned },
            { "executionTimeMillis", stopwatch.ElapsedMilliseconds },
            { "totalKeysExamined", StorageSizes.Number(plan.Index is null ? 0 : examined) },
            { "totalDocsExamined", StorageSizes.Number(examined) },
        };
    }
}
