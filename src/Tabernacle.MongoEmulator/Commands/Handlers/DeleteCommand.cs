using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>delete</c>: statements with <c>limit</c> 0 (all) or 1, collation, hint and retryable statements.</summary>
internal sealed class DeleteCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["delete"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var statements = context.RequiredArray("deletes");
        var ordered = context.OptionalBool("ordered", true);
        var variables = context.Variables;
        // mongod parses every statement before it deletes anything: a malformed one fails the whole command.
        foreach (var value in statements)
        {
            if (value is not BsonDocument statement || !statement.TryGetValue("q", out var q) || q is not BsonDocument)
            {
                throw new MongoErrorException(40414, "BSON field 'delete.deletes.q' is missing but a required field");
            }

            if (!statement.TryGetValue("limit", out var limitValue))
            {
                throw new MongoErrorException(40414, "BSON field 'delete.deletes.limit' is missing but a required field");
            }

            if (!limitValue.IsNumeric || limitValue.ToDouble() is not (0 or 1))
            {
                throw new MongoErrorException(ErrorCodes.FailedToParse, $"The limit field in delete objects must be 0 or 1. Got {limitValue}");
            }
        }

        long deleted = 0;
        var writeErrors = new BsonArray();
        var opTime = context.Write(unit =>
        {
            for (var i = 0; i < statements.Count; i++)
            {
                if (WriteSupport.ExecutedResult(context, i) is { } previous)
                {
                    deleted += previous.GetValue("n", 0).ToInt64();
                    continue;
                }

                try
                {
                    WriteSupport.RefuseView(unit, context.Database, name);
                    WriteSupport.OnPrimaryTransactionalWrite(context);
                    var statement = statements[i].AsBsonDocument;
                    var query = statement["q"].AsBsonDocument;
                    var limitValue = statement["limit"];
                    var collation = Query.Collation.Parse(statement.GetValue("collation", BsonNull.Value));
                    var filter = ReadSupport.CompileFilter(query, collation, variables);
                    var hint = ReadSupport.ResolveHint(unit.Collection(context.Database, name), statement.GetValue("hint", BsonNull.Value));
                    var matches = WriteSupport.MatchForWrite(context, unit, name, filter, hint);
                    var targets = limitValue.ToInt32() == 1 ? matches.Take(1).ToList() : matches;
                    var result = new BsonDocument("n", targets.Count);
                    var remaining = targets.Count;
                    foreach (var (document, _) in targets)
                    {
                        // The statement is recorded with its last change, so a retry after it replicated is answered, not repeated.
                        unit.Delete(context.Database, name, document["_id"], --remaining == 0 ? WriteSupport.Statement(context, i, result) : null);
                    }

                    if (targets.Count == 0 && WriteSupport.Statement(context, i, result) is { } statementRecord)
                    {
                        unit.RecordStatement(context.Database, statementRecord);
                    }

                    deleted += targets.Count;
                }
                catch (MongoErrorException ex) when (WriteSupport.IsStatementError(ex))
                {
                    writeErrors.Add(WriteSupport.WriteError(i, ex));
                    if (ordered)
                    {
                        break;
                    }
                }
            }

            return unit.LastOpTime;
        });

        context.Member.OpCounters.AddDelete(statements.Count);
        var reply = new BsonDocument("n", (int)deleted);
        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }

        WriteSupport.AbortTransactionOnError(context, writeErrors);
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }
}
