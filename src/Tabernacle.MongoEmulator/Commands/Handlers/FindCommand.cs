using MongoDB.Bson;
using Tabernacle.MongoEmulator.Commands.ChangeStreams;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Projection;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>find</c>: filter, sort, skip, limit, projection, hint, collation and a cursor for what does not fit the first
/// batch.</summary>
internal sealed class FindCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["find"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var collation = context.Collation;
        var variables = context.Variables;
        var filter = ReadSupport.CompileFilter(context.OptionalDocument("filter"), collation, variables);
        var projectionSpec = context.OptionalDocument("projection");
        var projection = projectionSpec is { ElementCount: > 0 } ? QueryProjection.Compile(projectionSpec, collation, variables) : null;
        var sort = context.OptionalDocument("sort");
        var skip = context.OptionalNonNegative("skip", 0);
        // The find command takes no negative limit (drivers turn the legacy "-n" into limit n with singleBatch).
        var limit = context.OptionalNonNegative("limit", 0);
        var singleBatch = context.OptionalBool("singleBatch", false);
        int? batchSize = context.Command.Contains("batchSize") ? (int)context.OptionalNonNegative("batchSize", 101) : null;
        var results = context.Read(reader =>
        {
            if (ViewResolution.Resolve(reader, context.Database, name) is { } view)
            {
                var stages = ViewResolution.FindStages(context.OptionalDocument("filter"), sort, skip, limit, projectionSpec);
                return ViewResolution.Read(reader, context.Database, view, stages, context);
            }

            var hint = ReadSupport.ResolveHint(reader.Collection(context.Database, name), context.Command.GetValue("hint", BsonNull.Value));
            // A sort with a limit that an index provides reads only as far as the page ends (mongod's IXSCAN without SORT).
            var ordered = limit > 0 ? ReadSupport.InSortOrder(reader, context.Database, name, filter, hint, sort, collation) : null;
            var page = ordered is not null
                ? ReadSupport.Page(ReadSupport.MatchEach(reader, ordered, filter, context.CancellationToken), null, collation, skip,
                    limit).ToList()
                : ReadSupport.Page(ReadSupport.MatchEach(reader, context.Database, name, filter, hint, context.CancellationToken), sort,
                    collation, skip, limit)
                    .ToList();

            return projection is null
                ? page.Select(m => m.Document).ToList()
                : page.Select(m => projection.Apply(m.Document, m.Details)).ToList();
        });

        context.OperationTime = context.ReadOperationTime;
        return Task.FromResult(context.WithSnapshotTime(context.Cursors.FirstBatch(context.Namespace, results, batchSize, singleBatch)));
    }
}

/// <summary><c>getMore</c>: the next batch of an open cursor.</summary>
internal sealed class GetMoreCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["getMore"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        if (context.Target.BsonType is not (BsonType.Int64 or BsonType.Int32))
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch, "BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
        }

        // Like find's, getMore's batchSize is validated (>= 0, else 51024) before the cursor is looked up.
        int? batchSize = context.Command.Contains("batchSize") ? (int)context.OptionalNonNegative("batchSize", 0) : null;
        var id = context.Target.ToInt64();
        if (ChangeStreamCommands.Owns(context, id))
        {
            return ChangeStreamCommands.GetMoreAsync(context, id, batchSize);
        }

        var cursor = context.Cursors.Find(id)
            ?? throw new MongoErrorException(ErrorCodes.CursorNotFound, $"cursor id {id} not found");
        var (batch, exhausted) = cursor.Next(batchSize);
        if (exhausted)
        {
            context.Cursors.Remove(id);
        }

        return Task.FromResult(new BsonDocument("cursor", new BsonDocument
        {
            { "nextBatch", batch },
            { "id", exhausted ? 0L : id },
            { "ns", cursor.Namespace },
        }));
    }
}

/// <summary><c>killCursors</c>: closes cursors and reports which existed.</summary>
internal sealed class KillCursorsCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["killCursors"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var killed = new BsonArray();
        var notFound = new BsonArray();
        foreach (var value in context.RequiredArray("cursors"))
        {
            (context.Cursors.Kill(value.ToInt64()) || ChangeStreamCommands.Kill(context, value.ToInt64()) ? killed : notFound).Add(value);
        }

        return Task.FromResult(new BsonDocument
        {
            { "cursorsKilled", killed },
            { "cursorsNotFound", notFound },
            { "cursorsAlive", new BsonArray() },
            { "cursorsUnknown", new BsonArray() },
        });
    }
}
