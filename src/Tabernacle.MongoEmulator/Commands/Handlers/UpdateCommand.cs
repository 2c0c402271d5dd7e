using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Update;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>update</c>: replacement, operator and pipeline updates, multi, upsert, arrayFilters, retryable statements.</summary>
internal sealed class UpdateCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["update"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var statements = context.RequiredArray("updates");

        // 7.0's update statement has no sort (8.0 added it for single updates); mongod's IDL parser refuses the whole
        // command for an unknown field before running any statement.
        if (statements.OfType<BsonDocument>().Any(s => s.Contains("sort")))
        {
            throw new MongoErrorException(ErrorCodes.IDLUnknownField, "BSON field 'update.updates.sort' is an unknown field.");
        }

        var ordered = context.OptionalBool("ordered", true);
        var variables = context.Variables;
        long matched = 0, modified = 0;
        var upserted = new BsonArray();
        void Count(int index, BsonDocument result)
        {
            matched += result.GetValue("n", 0).ToInt64();
            modified += result.GetValue("nModified", 0).ToInt64();
            if (result.TryGetValue("upserted", out var id))
            {
                upserted.Add(new BsonDocument { { "index", index }, { "_id", id } });
            }
        }

        var loop = new WriteStatementLoop(context, name, ordered);
        loop.Run(
            statements.Count,
            failPointPerStatement: true,
            replayed: Count,
            execute: (unit, i) =>
            {
                if (statements[i] is not BsonDocument statement)
                {
                    throw new MongoErrorException(ErrorCodes.TypeMismatch, "update statements must be objects");
                }

                Count(i, ExecuteStatement(context, unit, name, statement, i, variables));
            });

        context.Self.OpCounters.AddUpdate(statements.Count);
        var reply = new BsonDocument { { "n", (int)(matched + upserted.Count) }, { "nModified", (int)modified } };
        if (upserted.Count > 0)
        {
            reply["upserted"] = upserted;
        }

        await loop.CompleteAsync(reply).ConfigureAwait(false);
        return reply;
    }

    private static BsonDocument ExecuteStatement(CommandContext context, IDocumentWriter unit, string name, BsonDocument statement,
        int index, BsonDocument? variables)
    {
        if (!statement.TryGetValue("q", out var q) || q is not BsonDocument query)
        {
            throw new MongoErrorException(ErrorCodes.IDLFailedToParse, "BSON field 'update.updates.q' is missing but a required field");
        }

        if (!statement.TryGetValue("u", out var u) || u.BsonType is not (BsonType.Document or BsonType.Array))
        {
            throw new MongoErrorException(ErrorCodes.IDLFailedToParse, "BSON field 'update.updates.u' is missing but a required field");
        }

        var multi = statement.GetValue("multi", false).ToBoolean();
        var upsert = statement.GetValue("upsert", false).ToBoolean();
        var collation = Query.Collation.Parse(statement.GetValue("collation", BsonNull.Value));
        var arrayFilters = statement.TryGetValue("arrayFilters", out var af) && af is BsonArray filters ? filters : null;
        var filter = ReadSupport.CompileFilter(query, collation, variables);
        var update = DocumentUpdate.Compile(u, arrayFilters, collation, variables);
        if (multi && update.IsReplacement && u is BsonDocument { ElementCount: > 0 })
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "multi update is not supported for replacement-style update");
        }

        var now = context.Set.UtcNow;
        var hint = ReadSupport.ResolveHint(unit.Collection(context.Database, name), statement.GetValue("hint", BsonNull.Value));
        var matches = WriteSupport.MatchForWrite(context, unit, name, filter, hint);
        if (matches.Count == 0)
        {
            if (!upsert)
            {
                return Record(context, unit, index, new BsonDocument { { "n", 0 }, { "nModified", 0 } });
            }

            var created = WriteSupport.PrepareForInsert(update.CreateUpsertDocument(filter, now));
            var result = new BsonDocument { { "n", 0 }, { "nModified", 0 }, { "upserted", created["_id"] } };
            unit.Insert(context.Database, name, created, WriteSupport.Statement(context, index, result));
            return result;
        }

        long modified = 0;
        var targets = multi ? matches : matches.Take(1);
        var count = 0;
        var statementResult = new BsonDocument { { "n", multi ? matches.Count : 1 }, { "nModified", 0 } };
        foreach (var (document, details) in targets)
        {
            count++;
            var updated = update.Apply(document, details, isUpsertInsert: false, now);
            if (!updated["_id"].Equals(document["_id"]))
            {
                throw new MongoErrorException(ErrorCodes.ImmutableField,
                    $"After applying the update, the (immutable) field '_id' was found to have been altered to _id: {updated["_id"].ToJson()}");
            }

            if (updated.Equals(document))
            {
                continue;
            }

            WriteSupport.CheckSize(updated);
            modified++;
            statementResult["nModified"] = modified;
            if (unit is WriteUnit writeUnit)
            {
                writeUnit.NextIsReplacement = update.IsReplacement;
            }
            else if (unit is TransactionWriter transactionWriter)
            {
                transactionWriter.NextIsReplacement = update.IsReplacement;
            }

            unit.Replace(context.Database, name, updated,
                count == matches.Count || !multi ? WriteSupport.Statement(context, index, statementResult) : null);
        }

        statementResult["nModified"] = modified;
        if (modified == 0)
        {
            Record(context, unit, index, statementResult);
        }

        return statementResult;
    }

    private static BsonDocument Record(CommandContext context, IDocumentWriter unit, int index, BsonDocument result)
    {
        if (WriteSupport.Statement(context, index, result) is { } statement)
        {
            unit.RecordStatement(context.Database, statement);
        }

        return result;
    }
}
