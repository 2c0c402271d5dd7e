using MongoDB.Bson;
using Tabernacle.MongoEmulator.Commands.ChangeStreams;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>aggregate</c>: a pipeline over a collection (or <c>{aggregate: 1}</c> with <c>$documents</c>), returned as a
/// cursor.</summary>
internal sealed class AggregateCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["aggregate"];

    public CommandAccess Access => CommandAccess.Read;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var collectionless = context.Target.IsNumeric && context.Target.ToInt32() == 1;
        var name = collectionless ? null : context.CollectionName;
        var stages = context.RequiredArray("pipeline").Select(s => s as BsonDocument
            ?? throw new MongoErrorException(ErrorCodes.TypeMismatch, "Each element of the 'pipeline' array must be an object")).ToList();
        var output = OutputStage(context, stages);
        if (output is not null)
        {
            stages.RemoveAt(stages.Count - 1);
        }
        // The legacy form of explain: the aggregate's plan at verbosity queryPlanner, nothing run.
        if (context.OptionalBool("explain", false))
        {
            return ExplainCommand.Explain(context, context.Command, "queryPlanner");
        }

        if (context.OptionalDocument("cursor") is null)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                "The 'cursor' option is required, except for aggregate with the explain argument");
        }

        int? batchSize = context.OptionalDocument("cursor") is { } cursor && cursor.TryGetValue("batchSize", out var bs) && bs.IsNumeric
            ? bs.ToInt32() : null;
        if (ChangeStreamCommands.IsChangeStream(stages))
        {
            return await ChangeStreamCommands.OpenAsync(context, stages, name).ConfigureAwait(false);
        }

        // $currentOp reads no data, so it runs without the storage lock, which the operation one is looking for (a
        // long scan) may hold; a later $lookup or $unionWith takes the lock for the collection it reads.
        if (stages.Count > 0 && CurrentOpStage.IsCurrentOp(stages[0]))
        {
            if (stages.Skip(1).Any(CurrentOpStage.IsCurrentOp))
            {
                throw new MongoErrorException(40602, "$currentOp is only valid as the first stage in a pipeline.");
            }

            var reports = CurrentOpStage.Build(context, stages[0], collectionless).ToList();
            var locking = new LockingCollectionSource(context);
            var currentOpPipeline = AggregationPipeline.Compile(
                stages.Skip(1).ToList(), new PipelineContext(locking, context.Collation, context.Variables));
            var found = currentOpPipeline.Execute(reports).ToList();
            context.OperationTime = context.Self.LastApplied;
            return context.Cursors.FirstBatch($"{context.Database}.$cmd.aggregate", found, batchSize, singleBatch: false);
        }

        var results = context.Read(reader =>
        {
            if (name is not null && ViewResolution.Resolve(reader, context.Database, name) is { } view)
            {
                return ViewResolution.Read(reader, context.Database, view, stages, context);
            }

            var source = new ReaderCollectionSource(reader, context.Database);
            var hint =
                ReadSupport.ResolveHint(name is null ? null : reader.Collection(context.Database, name),
                    context.Command.GetValue("hint", BsonNull.Value));

            // A leading $match is answered like a find, through an index when one fits (as mongod does), and leaves the pipeline.
            var remaining = (IReadOnlyList<BsonDocument>)stages;
            IEnumerable<BsonDocument> input = name is null ? [] : reader.Documents(context.Database, name);
            if (stages.Skip(1).Any(CurrentOpStage.IsCurrentOp))
            {
                throw new MongoErrorException(40602, "$currentOp is only valid as the first stage in a pipeline.");
            }

            if (stages.Count > 0 && ListLocalSessionsStage.IsListLocalSessions(stages[0]))
            {
                input = ListLocalSessionsStage.Build(context, stages[0], collectionless);
                remaining = stages.Skip(1).ToList();
            }
            else if (name is not null && stages.Count > 0 && CollStatsStage.IsCollStats(stages[0]))
            {
                input = [CollStatsStage.Build(context, reader.Collection(context.Database, name), stages[0])];
                remaining = stages.Skip(1).ToList();
            }
            else if (name is not null && stages.Count > 0 && IndexStatsStage.IsIndexStats(stages[0]))
            {
                input = IndexStatsStage.Build(context, reader.Collection(context.Database, name));
                remaining = stages.Skip(1).ToList();
            }
            else if (name is not null && stages.Count > 0 && stages[0].ElementCount == 1 && stages[0].GetElement(0).Name == "$match"
                && stages[0][0] is BsonDocument match && !UsesVariables(match))
            {
                var filter = ReadSupport.CompileFilter(match, context.Collation, context.Variables);
                remaining = stages.Skip(1).ToList();
                input = OnlyReadFields(reader, context.Database, name, match, remaining) is { } fields
                    ? ReadSupport.MatchEach(reader, reader.Collection(context.Database, name)!.CandidatesWithFields(filter, hint,
                        fields), filter, context.CancellationToken).Select(m => m.Document)
                    : ReadSupport.Match(reader, context.Database, name, filter, hint, context.CancellationToken).Select(m => m.Document);
            }
            else if (name is not null && OnlyReadFields(reader, context.Database, name, null, stages) is { } fields)
            {
                input = reader.Collection(context.Database, name)!.CandidatesWithFields(null, null, fields);
            }

            var pipeline =
                AggregationPipeline.Compile(remaining,
                    new PipelineContext(source, context.Collation, context.Variables) { Now = context.Set.UtcNow });
            return pipeline.Execute(input).ToList();
        });

        context.OperationTime = context.ReadOperationTime;
        var ns = name is null ? $"{context.Database}.$cmd.aggregate" : context.Namespace;
        if (output is not null)
        {
            // The results go to the target collection; the cursor is empty, and the reply waits for the write concern.
            // Run on a secondary (mongod 5.0+ allows it with a secondary read preference), the read is local and the
            // write goes to the primary, as mongod forwards it.
            var (opTime, writer) = context.WriteOnPrimary(unit =>
            {
                AggregateOutput.Write(unit, output, results);
                return unit.LastOpTime;
            });
            var written = context.Cursors.FirstBatch(ns, [], batchSize, singleBatch: false);
            await WriteSupport.CompleteAsync(context, opTime, written, writer).ConfigureAwait(false);
            return written;
        }

        return context.WithSnapshotTime(context.Cursors.FirstBatch(ns, results, batchSize, singleBatch: false));
    }

    // The top-level fields the pipeline reads, when it provably reads no others and the current data is read: each
    // document is then decoded with those fields only (a $group over two fields does not build the rest of every
    // document). Snapshot and transaction reads, and views, decode whole documents.
    private static IReadOnlySet<string>? OnlyReadFields(
        IDocumentReader reader, string database, string collection, BsonDocument? leadingFilter, IReadOnlyList<BsonDocument> stages) =>
        reader is CurrentDataReader && reader.Collection(database, collection) is not null
            ? PipelineDependencies.TopLevelFields(leadingFilter, stages)
            : null;

    // $out and $merge end the pipeline (40601 elsewhere) and never run in a transaction (263), as on mongod.
    private static AggregateOutput.Target? OutputStage(CommandContext context, List<BsonDocument> stages)
    {
        for (var i = 0; i < stages.Count - 1; i++)
        {
            if (AggregateOutput.IsOutputStage(stages[i]))
            {
                throw new MongoErrorException(40601, $"{stages[i].GetElement(0).Name} can only be the final stage in the pipeline");
            }
        }

        if (stages.Count == 0 || !AggregateOutput.IsOutputStage(stages[^1]))
        {
            return null;
        }

        if (context.Transaction is not null)
        {
            throw new MongoErrorException(
                ErrorCodes.OperationNotSupportedInTransaction, $"{stages[^1].GetElement(0).Name} cannot be used in a transaction");
        }

        if (context.ReadConcernLevel == "linearizable")
        {
            throw new MongoErrorException(
                ErrorCodes.InvalidOptions,
                $"Command aggregate does not support {{ readConcern: {context.Command["readConcern"].ToJson()} }} :: caused by :: "
                + $"{stages[^1].GetElement(0).Name} cannot be used with a 'linearizable' read concern level");
        }

        return AggregateOutput.Parse(context, stages[^1]);
    }

    // $$variables in a $match ($expr over let) are resolved by the pipeline engine, which knows them.
    private static bool UsesVariables(BsonValue value) => value switch
    {
        BsonString s => s.Value.StartsWith("$$", StringComparison.Ordinal),
        BsonDocument d => d.Values.Any(UsesVariables),
        BsonArray a => a.Any(UsesVariables),
        _ => false,
    };
}

/// <summary>A collection source for pipelines that run outside the storage lock: each collection is read under it.</summary>
internal sealed class LockingCollectionSource(CommandContext context) : IPipelineCollectionSource
{
    public IEnumerable<BsonDocument> ReadCollection(string collectionName) =>
        context.ReadLatest(reader => new ReaderCollectionSource(reader, context.Database).ReadCollection(collectionName).ToList());
}

/// <summary>Lets <c>$lookup</c> and <c>$unionWith</c> read other collections of the same database on the same member.</summary>
internal sealed class ReaderCollectionSource(IDocumentReader reader, string database) : IPipelineCollectionSource
{
    public IEnumerable<BsonDocument> ReadCollection(string collectionName) =>
        ViewResolution.Resolve(reader, database, collectionName) is { } view
            ? ViewResolution.Read(reader, database, view, [], null)
            : reader.Documents(database, collectionName);
}

/// <summary><c>count</c>: the number of matching documents, with skip, limit, hint and collation.</summary>
internal sealed class CountCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["count"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var filter = ReadSupport.CompileFilter(context.OptionalDocument("query"), context.Collation, null);
        var skip = context.OptionalNonNegative("skip", 0);
        var limit = context.Command.TryGetValue("limit", out var l) && l.IsNumeric ? Math.Abs(l.ToInt64()) : 0;
        var n = context.Read(reader =>
        {
            // A count of a view counts what the view's pipeline yields (estimatedDocumentCount on a view too), as mongod
            // runs it as an aggregate of the view's pipeline, the query as $match, and $count.
            if (ViewResolution.Resolve(reader, context.Database, name) is { } view)
            {
                var stages = ViewResolution.FindStages(context.OptionalDocument("query"), null, 0, 0, null);
                return Math.Max(0, ViewResolution.Read(reader, context.Database, view, stages, context).Count - skip);
            }

            var hint = ReadSupport.ResolveHint(reader.Collection(context.Database, name), context.Command.GetValue("hint", BsonNull.Value));

            // No query on the current data: the collection's own count, as mongod's RECORD_STORE_FAST_COUNT (O(1)).
            if (ReferenceEquals(filter, Query.Filters.QueryFilter.MatchAll) && hint is null && reader is CurrentDataReader)
            {
                return Math.Max(0, (reader.Collection(context.Database, name)?.Count ?? 0) - skip);
            }

            return Math.Max(0, ReadSupport.Match(reader, context.Database, name, filter, hint, context.CancellationToken).Count - skip);
        });

        if (limit > 0)
        {
            n = Math.Min(n, limit);
        }

        context.OperationTime = context.ReadOperationTime;
        return Task.FromResult(new BsonDocument("n", n));
    }
}

/// <summary><c>distinct</c>: the distinct values of a field among matching documents, arrays unwound.</summary>
internal sealed class DistinctCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["distinct"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        if (!context.Command.TryGetValue("key", out var keyValue) || !keyValue.IsString)
        {
            throw new MongoErrorException(ErrorCodes.IDLFailedToParse, "BSON field 'distinct.key' is missing but a required field");
        }

        var collation = context.Collation;
        var filter = ReadSupport.CompileFilter(context.OptionalDocument("query"), collation, null);
        var values = new List<BsonValue>();
        var seen = new HashSet<BsonValue>(Query.BsonValueComparer.For(collation));
        context.Read(reader =>
        {
            foreach (var (document, _) in ReadSupport.Match(reader, context.Database, name, filter, null, context.CancellationToken))
            {
                var found = DocumentPath.IndexKeyValues(document, keyValue.AsString, out var present);
                if (!present)
                {
                    continue;
                }

                foreach (var value in found)
                {
                    if (value.BsonType != BsonType.Undefined && seen.Add(value))
                    {
                        values.Add(value);
                    }
                }
            }

            return values.Count;
        });

        values.Sort(Query.BsonValueComparer.For(collation));
        context.OperationTime = context.ReadOperationTime;
        return Task.FromResult(context.WithSnapshotTime(new BsonDocument("values", new BsonArray(values))));
    }
}
