using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Query.Projection;
using Tabernacle.MongoEmulator.Query.Update;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>findAndModify</c>: update, replace or remove the first matching document (by sort) and return it before or after.</summary>
internal sealed class FindAndModifyCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["findAndModify", "findandmodify"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var collation = context.Collation;
        var variables = context.Variables;
        var filter = ReadSupport.CompileFilter(context.OptionalDocument("query"), collation, variables);
        var sort = context.OptionalDocument("sort");
        var remove = context.OptionalBool("remove", false);
        var returnNew = context.OptionalBool("new", false);
        var upsert = context.OptionalBool("upsert", false);
        var fields = context.OptionalDocument("fields");
        var projection = fields is { ElementCount: > 0 } ? QueryProjection.Compile(fields, collation, variables) : null;
        context.Command.TryGetValue("update", out var updateValue);
        if (remove && updateValue is not null)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "Cannot specify both an update and remove=true");
        }

        if (!remove && updateValue is null)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "Either an update or remove=true must be specified");
        }

        if (remove && (upsert || returnNew))
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                "Cannot specify both upsert=true and remove=true or new=true and remove=true");
        }

        var arrayFilters = context.Command.TryGetValue("arrayFilters", out var af) && af is BsonArray filters ? filters : null;
        var update = updateValue is null ? null : DocumentUpdate.Compile(updateValue, arrayFilters, collation, variables);
        var reply = context.Write<(BsonDocument Reply, Replication.OpTime? OpTime)>(unit =>
        {
            if (WriteSupport.ExecutedResult(context, 0) is { } previous)
            {
                return (Reply: previous, OpTime: (Replication.OpTime?)null);
            }

            WriteSupport.RefuseView(unit, context.Database, name);
            WriteSupport.OnPrimaryTransactionalWrite(context);
            var hint = ReadSupport.ResolveHint(unit.Collection(context.Database, name), context.Command.GetValue("hint", BsonNull.Value));
            var matches = WriteSupport.MatchForWrite(context, unit, name, filter, hint);
            ReadSupport.Sort(matches, sort, collation);
            var result = new BsonDocument();
            var lastError = new BsonDocument();
            BsonValue value = BsonNull.Value;
            if (matches.Count == 0)
            {
                lastError["n"] = 0;
                if (update is not null && upsert)
                {
                    var created = WriteSupport.PrepareForInsert(update.CreateUpsertDocument(filter, context.Set.UtcNow));
                    lastError["n"] = 1;
                    lastError["updatedExisting"] = false;
                    lastError["upserted"] = created["_id"];
                    value = returnNew ? Project(projection, created) : BsonNull.Value;
                    result = Reply(lastError, value);
                    unit.Insert(context.Database, name, created, WriteSupport.Statement(context, 0, result));
                    return (result, unit.LastOpTime);
                }

                if (update is not null)
                {
                    lastError["updatedExisting"] = false;
                }

                result = Reply(lastError, value);
                if (WriteSupport.Statement(context, 0, result) is { } noop)
                {
                    unit.RecordStatement(context.Database, noop);
                }

                return (result, unit.LastOpTime);
            }

            var (document, details) = matches[0];
            lastError["n"] = 1;
            if (remove)
            {
                result = Reply(lastError, Project(projection, document));
                unit.Delete(context.Database, name, document["_id"], WriteSupport.Statement(context, 0, result));
                return (result, unit.LastOpTime);
            }

            var updated = update!.Apply(document, details, isUpsertInsert: false, context.Set.UtcNow);
            if (!updated["_id"].Equals(document["_id"]))
            {
                throw new MongoErrorException(ErrorCodes.ImmutableField,
                    "Performing an update on the path '_id' would modify the immutable field '_id'");
            }

            lastError["updatedExisting"] = true;
            result = Reply(lastError, Project(projection, returnNew ? updated : document));
            if (updated.Equals(document))
            {
                if (WriteSupport.Statement(context, 0, result) is { } noop)
                {
                    unit.RecordStatement(context.Database, noop);
                }
            }
            else
            {
                WriteSupport.CheckSize(updated);
                if (unit is WriteUnit writeUnit)
                {
                    writeUnit.NextIsReplacement = update.IsReplacement;
                }
                else if (unit is TransactionWriter transactionWriter)
                {
                    transactionWriter.NextIsReplacement = update.IsReplacement;
                }

                unit.Replace(context.Database, name, updated, WriteSupport.Statement(context, 0, result));
            }

            return (result, unit.LastOpTime);
        });

        var final = new BsonDocument(reply.Reply);
        await WriteSupport.CompleteAsync(context, reply.OpTime, final).ConfigureAwait(false);
        return final;
    }

    private static BsonValue Project(QueryProjection? projection, BsonDocument document) =>
        projection is null ? document : projection.Apply(document);

    private static BsonDocument Reply(BsonDocument lastError, BsonValue value) =>
        new() { { "lastErrorObject", lastError }, { "value", value } };
}
