using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation;
using Tabernacle.MongoEmulator.Replication.ChangeStreams;

namespace Tabernacle.MongoEmulator.Commands.ChangeStreams;

/// <summary>
/// The command side of change streams: <c>aggregate</c> with a leading <c>$changeStream</c> opens one, <c>getMore</c>
/// waits for its next events up to <c>maxAwaitTimeMS</c> (on the member's oplog and commit-point signals, never by
/// polling), and every batch carries <c>postBatchResumeToken</c>.
/// </summary>
internal static class ChangeStreamCommands
{
    public const string ResumableLabel = "ResumableChangeStreamError";

    // The stages mongod allows after $changeStream: they transform events one at a time and keep their order.
    private static readonly HashSet<string> AllowedStages =
        ["$match", "$project", "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith", "$redact"];

    private static readonly TimeSpan DefaultAwait = TimeSpan.FromSeconds(1);

    public static bool IsChangeStream(IReadOnlyList<BsonDocument> stages) =>
        stages.Count > 0 && stages[0].ElementCount > 0 && stages[0].GetElement(0).Name == "$changeStream";

    public static Task<BsonDocument> OpenAsync(CommandContext context, IReadOnlyList<BsonDocument> stages, string? collection)
    {
        if (context.Transaction is not null)
        {
            throw new MongoErrorException(
                ErrorCodes.OperationNotSupportedInTransaction, "$changeStream cannot run in a multi-document transaction");
        }

        var spec = ChangeStreamSpec.Parse(stages[0][0], context.Database, collection);
        var rest = stages.Skip(1).ToList();
        foreach (var stage in rest)
        {
            var name = stage.ElementCount > 0 ? stage.GetElement(0).Name : "";
            if (name == "$changeStream")
            {
                throw new MongoErrorException(40602, "$changeStream is only valid as the first stage in a pipeline.");
            }

            if (!AllowedStages.Contains(name))
            {
                throw new MongoErrorException(ErrorCodes.IllegalOperation, $"{name} is not permitted in a $changeStream pipeline");
            }
        }

        var pipeline = rest.Count == 0 ? null
            : AggregationPipeline.Compile(rest, new PipelineContext(NoCollections.Instance, context.Collation, context.Variables));
        var reader = context.OpenChangeStream(spec, pipeline);
        int? batchSize = context.OptionalDocument("cursor") is { } cursorOptions && cursorOptions.TryGetValue("batchSize", out var size)
            && size.IsNumeric ? size.ToInt32() : null;
        var batch = reader.Read(batchSize is >= 0 ? batchSize.Value : 101);
        var ns = collection is null ? $"{context.Database}.$cmd.aggregate" : $"{context.Database}.{collection}";
        long id = 0;
        if (!batch.Invalidated)
        {
            id = ChangeStreamCursors.For(context.Cursors).Open(ns, reader, RequiresPrimary(context.Command)).Id;
        }

        context.OperationTime = new Replication.OpTime(reader.StartTime, context.Self.LastApplied.Term);
        return Task.FromResult(new BsonDocument("cursor", new BsonDocument
        {
            { "firstBatch", batch.Events },
            { "postBatchResumeToken", batch.PostBatchResumeToken },
            { "id", id },
            { "ns", ns },
        }));
    }

    /// <summary>Whether <paramref name="id"/> is an open change stream of this member.</summary>
    public static bool Owns(CommandContext context, long id) => ChangeStreamCursors.For(context.Cursors).Find(id) is not null;

    /// <summary>The next batch of a change-stream cursor.</summary>
    public static async Task<BsonDocument> GetMoreAsync(CommandContext context, long id, int? batchSize)
    {
        var cursors = ChangeStreamCursors.For(context.Cursors);
        var cursor = cursors.Find(id) ?? throw new MongoErrorException(ErrorCodes.CursorNotFound, $"cursor id {id} not found");

        var deadline = context.Set.UtcNow + (context.MaxTime ?? DefaultAwait);
        await cursor.Gate.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            var member = context.Self;
            while (true)
            {
                // Take the signals before reading, so a change that lands between the read and the wait still wakes us.
                var appended = member.OplogAppended.WaitTask;
                var progress = context.Set.ReplicationProgress.WaitTask;
                var topology = member.TopologyChanged.WaitTask;
                if (cursor.RequiresPrimary && !member.IsPrimary)
                {
                    cursors.Kill(id);
                    context.ErrorLabelsOverride = [ResumableLabel];
                    throw new MongoErrorException(ErrorCodes.InterruptedDueToReplStateChange,
                        "operation was interrupted because the member stepped down; resume the change stream on the new primary");
                }

                ChangeBatch batch;
                try
                {
                    batch = cursor.Reader.Read(batchSize is > 0 ? batchSize.Value : int.MaxValue);
                }
                catch (MongoErrorException)
                {
                    cursors.Kill(id);
                    throw;
                }

                var remaining = deadline - context.Set.UtcNow;
                if (batch.Events.Count > 0 || batch.Invalidated || remaining <= TimeSpan.Zero)
                {
                    if (batch.Invalidated)
                    {
                        cursors.Kill(id);
                    }

                    return new BsonDocument("cursor", new BsonDocument
                    {
                        { "nextBatch", batch.Events },
                        { "postBatchResumeToken", batch.PostBatchResumeToken },
                        { "id", batch.Invalidated ? 0L : id },
                        { "ns", cursor.Namespace },
                    });
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
                var delay = Task.Delay(remaining, context.Set.Time, timeout.Token);
                await Task.WhenAny(appended, progress, topology, delay).ConfigureAwait(false);
                await timeout.CancelAsync().ConfigureAwait(false);
                context.CancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            cursor.Gate.Release();
        }
    }

    public static bool Kill(CommandContext context, long id) => ChangeStreamCursors.For(context.Cursors).Kill(id);

    private static bool RequiresPrimary(BsonDocument command) =>
        !command.TryGetValue("$readPreference", out var preference) || preference is not BsonDocument document
        || document.GetValue("mode", "primary").AsString == "primary";

    private sealed class NoCollections : IPipelineCollectionSource
    {
        public static readonly NoCollections Instance = new();

        public IEnumerable<BsonDocument> ReadCollection(string collectionName) => [];
    }
}
