using System.Diagnostics;
using System.Globalization;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation;
using Tabernacle.MongoEmulator.Query.Update;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>explain</c> of <c>find</c>, <c>aggregate</c>, <c>count</c>, <c>distinct</c>, <c>update</c>, <c>delete</c> and
/// <c>findAndModify</c>, in mongod 7.0's classic-engine shape. <c>queryPlanner.winningPlan</c> is the plan the engine
/// really runs (<see cref="QueryExplainer"/>), under the command's own stage (COUNT, PROJECTION_SIMPLE, UPDATE, DELETE;
/// an aggregate's <c>$cursor</c> and later stages); verbosity executionStats or allPlansExecution runs the read part
/// and counts what it examined. A write under explain only reads: it reports what it would match, modify, upsert or
/// delete, and changes nothing.
/// </summary>
internal sealed class ExplainCommand : ICommandHandler
{
    // mongod: explained write batches must hold exactly one statement.
    private const int InvalidLength = 16;

    public IReadOnlyList<string> Names { get; } = ["explain"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        if (context.Target is not BsonDocument inner || inner.ElementCount == 0)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "explain command requires a nested object");
        }

        var verbosity = context.Command.GetValue("verbosity", "allPlansExecution");
        if (!verbosity.IsString || verbosity.AsString is not ("queryPlanner" or "executionStats" or "allPlansExecution"))
        {
            throw new MongoErrorException(
                ErrorCodes.FailedToParse, "verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}");
        }

        return Task.FromResult(Explain(context, inner, verbosity.AsString));
    }

    /// <summary>The explain of <paramref name="inner"/> (also what <c>aggregate</c> with <c>explain: true</c> answers).</summary>
    public static BsonDocument Explain(CommandContext context, BsonDocument inner, string verbosity)
    {
        var execute = verbosity != "queryPlanner";
        var commandName = inner.GetElement(0).Name;
        Func<IDocumentReader, BsonDocument> explain = commandName switch
        {
            "find" => reader => Find(reader, context, inner, execute),
            "aggregate" => reader => Aggregate(reader, context, inner, execute),
            "count" => reader => Count(reader, context, inner, execute),
            "distinct" => reader => Distinct(reader, context, inner, execute),
            "update" => reader => Update(reader, context, inner, execute),
            "delete" => reader => Delete(reader, context, inner, execute),
            "findAndModify" or "findandmodify" => reader => FindAndModify(reader, context, inner, execute),
            _ => throw new MongoErrorException(ErrorCodes.CommandNotFound, $"Explain failed due to unknown command: {commandName}"),
        };
        var reply = context.Read(explain);
        if (verbosity == "allPlansExecution")
        {
            // The emulator's planner keeps no rejected plans, so the list of every plan's trial run is empty, as
            // mongod's is when only one plan was considered.
            var stats = reply.GetValue("executionStats", BsonNull.Value) as BsonDocument
                ?? (reply.GetValue("stages", BsonNull.Value) is BsonArray { Count: > 0 } stages
                    && stages[0].AsBsonDocument.GetValue("$cursor", BsonNull.Value) is BsonDocument cursor
                    ? cursor.GetValue("executionStats", BsonNull.Value) as BsonDocument
                    : null);
            stats?.Add("allPlansExecution", new BsonArray());
        }

        reply["command"] = new BsonDocument(inner.Where(e => e.Name is not ("$db" or "explain"))) { { "$db", context.Database } };
        reply["serverInfo"] = new BsonDocument
        {
            { "host", context.Self.Host.Split(':')[0] },
            { "port", int.Parse(context.Self.Host.Split(':')[^1], CultureInfo.InvariantCulture) },
            { "version", BuildInfoCommand.Version },
            { "gitVersion", "tabernacle-emulator" },
        };
        context.OperationTime = context.ReadOperationTime;
        return reply;
    }

    private static string Collection(BsonDocument inner, string commandName)
    {
        var value = inner[0];
        return value is BsonString { Value.Length: > 0 } name
            ? name.Value
            : throw new MongoErrorException(
                ErrorCodes.InvalidNamespace, $"collection name has invalid type {CommandContext.BsonTypeName(value)} in {commandName}");
    }

    private static BsonDocument Document(BsonDocument inner, string field) =>
        inner.GetValue(field, BsonNull.Value) as BsonDocument ?? [];

    private static BsonDocument Find(IDocumentReader reader, CommandContext context, BsonDocument inner, bool execute)
    {
        var collection = Collection(inner, "find");
        var filterSpec = Document(inner, "filter");
        var sort = inner.GetValue("sort", BsonNull.Value) as BsonDocument;
        var skip = inner.GetValue("skip", 0).ToInt64();
        var limit = Math.Abs(inner.GetValue("limit", 0).ToInt64());
        if (ViewResolution.Resolve(reader, context.Database, collection) is not null)
        {
            var stages = ViewResolution.FindStages(filterSpec, sort, skip, limit, inner.GetValue("projection",
                BsonNull.Value) as BsonDocument);
            return Aggregate(reader, context, new BsonDocument { { "aggregate", collection }, { "pipeline", new BsonArray(stages) } },
                execute);
        }

        var collation = Query.Collation.Parse(inner.GetValue("collation", BsonNull.Value));
        var query = QueryExplainer.Explain(
            reader, context, collection, filterSpec, collation, inner.GetValue("hint", BsonNull.Value), sort, skip, limit, execute);
        return Result(context, collection, filterSpec, query, query.WinningPlan, execute, query.Returned);
    }

    private static BsonDocument Count(IDocumentReader reader, CommandContext context, BsonDocument inner, bool execute)
    {
        var collection = Collection(inner, "count");
        var filterSpec = Document(inner, "query");
        var skip = inner.GetValue("skip", 0).ToInt64();
        var limit = Math.Abs(inner.GetValue("limit", 0).ToInt64());
        var collation = Query.Collation.Parse(inner.GetValue("collation", BsonNull.Value));

        // count reads every match (no index-provided order, no early stop), then applies skip and limit to the number.
        var query = QueryExplainer.Explain(
            reader, context, collection, filterSpec, collation, inner.GetValue("hint", BsonNull.Value), null, 0, 0, execute);
        var counted = Math.Max(0, query.Returned - skip);
        counted = limit > 0 ? Math.Min(counted, limit) : counted;
        var plan = new BsonDocument { { "stage", "COUNT" }, { "inputStage", query.WinningPlan } };
        if (filterSpec.ElementCount == 0 && inner.GetValue("hint", BsonNull.Value).IsBsonNull && reader is CurrentDataReader
            && query.WinningPlan["stage"] != "EOF")
        {
            // CountCommand answers an unfiltered count from the collection's size without reading a document.
            plan = new BsonDocument("stage", "RECORD_STORE_FAST_COUNT");
            query = query with { DocsExamined = 0, KeysExamined = 0 };
        }
        var countFields = new BsonDocument { { "nCounted", StorageSizes.Number(counted) }, { "nSkipped",
            StorageSizes.Number(Math.Min(skip, query.Returned)) } };
        return Result(context, collection, filterSpec, query, plan, execute, 0, countFields);
    }

    private static BsonDocument Distinct(IDocumentReader reader, CommandContext context, BsonDocument inner, bool execute)
    {
        var collection = Collection(inner, "distinct");
        var key = inner.GetValue("key", BsonNull.Value);
        if (!key.IsString)
        {
            throw new MongoErrorException(ErrorCodes.IDLFailedToParse, "BSON field 'distinct.key' is missing but a required field");
        }

        var filterSpec = Document(inner, "query");
        var collation = Query.Collation.Parse(inner.GetValue("collation", BsonNull.Value));
        var query = QueryExplainer.Explain(reader, context, collection, filterSpec, collation, BsonNull.Value, null, 0, 0, execute);
        var plan = new BsonDocument
        {
            { "stage", "PROJECTION_SIMPLE" },
            { "transformBy", new BsonDocument { { key.AsString, 1 }, { "_id", 0 } } },
            { "inputStage", query.WinningPlan },
        };
        return Result(context, collection, filterSpec, query, plan, execute, query.Returned);
    }

    private static BsonDocument Update(IDocumentReader reader, CommandContext context, BsonDocument inner, bool execute)
    {
        var collection = Collection(inner, "update");
        var statement = SingleStatement(inner, "updates");
        var filterSpec = Document(statement, "q");
        var collation = Query.Collation.Parse(statement.GetValue("collation", BsonNull.Value));
        var multi = statement.GetValue("multi", false).ToBoolean();
        var upsert = statement.GetValue("upsert", false).ToBoolean();
        var arrayFilters = statement.GetValue("arrayFilters", BsonNull.Value) as BsonArray;
        var update = DocumentUpdate.Compile(statement.GetValue("u", new BsonDocument()), arrayFilters, collation, null);
        var query = QueryExplainer.Explain(
            reader, context, collection, filterSpec, collation, statement.GetValue("hint", BsonNull.Value), null, 0, 0, execute);
        return Result(context, collection, filterSpec, query, new BsonDocument { { "stage", "UPDATE" }, { "inputStage",
            query.WinningPlan } },
            execute, 0, WouldUpdate(query, update, multi, upsert, context.Set.UtcNow));
    }

    private static BsonDocument Delete(IDocumentReader reader, CommandContext context, BsonDocument inner, bool execute)
    {
        var collection = Collection(inner, "delete");
        var statement = SingleStatement(inner, "deletes");
        var filterSpec = Document(statement, "q");
        var collation = Query.Collation.Parse(statement.GetValue("collation", BsonNull.Value));
        var one = statement.GetValue("limit", 0).ToInt64() == 1;
        var query = QueryExplainer.Explain(
            reader, context, collection, filterSpec, collation, statement.GetValue("hint", BsonNull.Value), null, 0, 0, execute);
        var deleted = new BsonDocument("nWouldDelete", StorageSizes.Number(one ? Math.Min(1, query.Returned) : query.Returned));
        return Result(context, collection, filterSpec, query, new BsonDocument { { "stage", "DELETE" }, { "inputStage",
            query.WinningPlan } },
            execute, 0, deleted);
    }

    private static BsonDocument FindAndModify(IDocumentReader reader, CommandContext context, BsonDocument inner, bool execute)
    {
        var collection = Collection(inner, "findAndModify");
        var filterSpec = Document(inner, "query");
        var sort = inner.GetValue("sort", BsonNull.Value) as BsonDocument;
        var collation = Query.Collation.Parse(inner.GetValue("collation", BsonNull.Value));
        var remove = inner.GetValue("remove", false).ToBoolean();

        // findAndModify matches every document, then sorts in memory: no index-provided order, as the engine runs it.
        var query = QueryExplainer.Explain(
            reader, context, collection, filterSpec, collation, inner.GetValue("hint", BsonNull.Value), sort, 0, 0, execute);
        if (remove)
        {
            return Result(context, collection, filterSpec, query, new BsonDocument { { "stage", "DELETE" }, { "inputStage",
                query.WinningPlan } },
                execute, 0, new BsonDocument("nWouldDelete", StorageSizes.Number(Math.Min(1, query.Returned))));
        }

        var update = DocumentUpdate.Compile(
            inner.GetValue("update", new BsonDocument()), inner.GetValue("arrayFilters", BsonNull.Value) as BsonArray, collation, null);
        return Result(context, collection, filterSpec, query, new BsonDocument { { "stage", "UPDATE" }, { "inputStage",
            query.WinningPlan } },
            execute, 0, WouldUpdate(query, update, multi: false, inner.GetValue("upsert", false).ToBoolean(), context.Set.UtcNow));
    }

    // What an update would do to the matches, worked out on copies: the stored documents stay as they are.
    private static BsonDocument WouldUpdate(ExplainedQuery query, DocumentUpdate update, bool multi, bool upsert, DateTime now)
    {
        var targets = multi ? query.Results : query.Results.Take(1);
        var modified = targets.Count(m => !update.Apply((BsonDocument)m.Document.DeepClone(), m.Details, isUpsertInsert: false,
            now).Equals(m.Document));
        return new BsonDocument
        {
            { "nMatched", StorageSizes.Number(multi ? query.Returned : Math.Min(1, query.Returned)) },
            { "nWouldModify", StorageSizes.Number(modified) },
            { "nWouldUpsert", StorageSizes.Number(upsert && query.Returned == 0 ? 1 : 0) },
        };
    }

    private static BsonDocument SingleStatement(BsonDocument inner, string field)
    {
        if (inner.GetValue(field, BsonNull.Value) is not BsonArray { Count: 1 } statements || statements[0] is not BsonDocument statement)
        {
            throw new MongoErrorException(InvalidLength, "explained write batches must be of size 1");
        }

        return statement;
    }

    private static BsonDocument Result(
        CommandContext context, string collection, BsonDocument filterSpec, ExplainedQuery query, BsonDocument plan, bool execute,
            long returned,
        BsonDocument? topStageFields = null)
    {
        var result = new BsonDocument
        {
            { "explainVersion", "1" },
            { "queryPlanner", QueryExplainer.QueryPlanner($"{context.Database}.{collection}", filterSpec, plan) },
        };
        if (execute)
        {
            result["executionStats"] = QueryExplainer.ExecutionStats(query, plan, returned, topStageFields);
        }

        return result;
    }

    /// <summary>
    /// An aggregate: a leading <c>$match</c> is answered by the query layer (the <c>$cursor</c> stage, through an index
    /// when one fits), the rest by the pipeline; a pipeline that is only a <c>$match</c> answers like a find, as mongod
    /// does. On a view, the view's pipeline comes first and its source is scanned. With executionStats every stage
    /// reports what it returned; <c>$out</c> and <c>$merge</c> are reported but never run.
    /// </summary>
    private static BsonDocument Aggregate(IDocumentReader reader, CommandContext context, BsonDocument inner, bool execute)
    {
        var stages = inner.GetValue("pipeline", new BsonArray()) is BsonArray array
            ? array.Select(s => s as BsonDocument ?? throw new MongoErrorException(
                ErrorCodes.TypeMismatch, "Each element of the 'pipeline' array must be an object")).ToList()
            : throw new MongoErrorException(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
        var collation = Query.Collation.Parse(inner.GetValue("collation", BsonNull.Value));
        var variables = inner.GetValue("let", BsonNull.Value) as BsonDocument;
        if (inner[0].IsNumeric)
        {
            return new BsonDocument { { "explainVersion", "1" }, { "stages", new BsonArray(stages) } };
        }

        var collection = Collection(inner, "aggregate");
        var source = collection;
        var leadingMatch = true;
        if (ViewResolution.Resolve(reader, context.Database, collection) is { } view)
        {
            source = view.Source;
            stages = view.Pipeline.Concat(stages).ToList();
            leadingMatch = false;
        }

        var filterSpec = leadingMatch && stages.Count > 0 && stages[0].ElementCount == 1 && stages[0].GetElement(0).Name == "$match"
            && stages[0][0] is BsonDocument match && !match.ToJson().Contains("$$", StringComparison.Ordinal) ? match : null;
        var remaining = filterSpec is null ? stages : stages.Skip(1).ToList();
        var query = QueryExplainer.Explain(
            reader, context, source, filterSpec ?? [], collation, inner.GetValue("hint", BsonNull.Value), null, 0, 0, execute);
        if (remaining.Count == 0)
        {
            return Result(context, source, filterSpec ?? [], query, query.WinningPlan, execute, query.Returned);
        }

        var cursor = Result(context, source, filterSpec ?? [], query, query.WinningPlan, execute, query.Returned);
        cursor.Remove("explainVersion");
        var first = new BsonDocument("$cursor", cursor);
        var explained = new BsonArray { first };
        if (!execute)
        {
            explained.AddRange(remaining);
            return new BsonDocument { { "explainVersion", "1" }, { "stages", explained } };
        }

        first["nReturned"] = query.Returned;
        first["executionTimeMillisEstimate"] = query.Millis;
        var pipelineContext = new PipelineContext(new ReaderCollectionSource(reader, context.Database), collation, variables);
        IReadOnlyList<BsonDocument> documents = query.Results.Select(m => m.Document).ToList();
        var writing = false;
        foreach (var stage in remaining)
        {
            var reported = (BsonDocument)stage.DeepClone();
            writing |= stage.GetElement(0).Name is "$out" or "$merge";
            if (!writing)
            {
                var stopwatch = Stopwatch.StartNew();
                documents = AggregationPipeline.Compile([stage], pipelineContext).Execute(documents).ToList();
                reported["nReturned"] = (long)documents.Count;
                reported["executionTimeMillisEstimate"] = stopwatch.ElapsedMilliseconds;
            }

            explained.Add(reported);
        }

        return new BsonDocument { { "explainVersion", "1" }, { "stages", explained } };
    }
}
