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
                throw new MongoErrorException(ErrorCodes.IDLFailedToParse, "BSON field 'delete.deletes.q' is missing but a required field");
            }

            if (!statement.TryGetValue("limit", out var limitValue))
            {
                throw new MongoErrorException(ErrorCodes.IDLFailedToParse,
                    "BSON field 'delete.deletes.limit' is missing but a required field");
            }

            if (!limitValue.IsNumeric || limitValue.ToDouble() is not (0 or 1))
            {
                throw new MongoErrorException(ErrorCodes.FailedToParse,
                    $"The limit field in delete objects must be 0 or 1. Got {limitValue}");
            }
        }

        long deleted = 0;
        var loop = new WriteStatementLoop(context, name, ordered);
        loop.Run(
            statements.Count,
            failPointPerStatement: true,
            replayed: (_, previous) => deleted += previous.GetValue("n", 0).ToInt64(),
            execute: (unit, i) => deleted += ExecuteStatement(context, unit, name, statements[i].AsBsonDocument, i, variables));

        context.Self.OpCounters.AddDelete(statements.Count);
        var reply = new BsonDocument("n", (int)deleted);
        await loop.CompleteAsync(reply).ConfigureAwait(false);
        return reply;
    }

    // Deletes what the statement matches (one with limit 1) and returns how many.
    private static int ExecuteStatement(
        CommandContext context, IDocumentWriter unit, string name, BsonDocument statement, int index, BsonDocument? variables)
    {
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
            var record = --remaining == 0 ? WriteSupport.Statement(context, index, result) : null;
            unit.Delete(context.Database, name, document["_id"], record);
        }

        if (targets.Count == 0 && WriteSupport.Statement(context, index, result) is { } statementRecord)
        {
            unit.RecordStatement(context.Database, statementRecord);
        }

        return targets.Count;
    }
}
