using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>insert</c>: ordered or unordered batches, generated <c>_id</c>s, per-document write errors, retryable statements.</summary>
internal sealed class InsertCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["insert"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var documents = context.RequiredArray("documents");
        if (documents.Count > HelloCommand.MaxWriteBatchSize)
        {
            throw new MongoErrorException(ErrorCodes.InvalidLength,
                $"Write batch sizes must be between 1 and {HelloCommand.MaxWriteBatchSize}. Got {documents.Count} operations.");
        }

        var ordered = context.OptionalBool("ordered", true);
        var n = 0;
        var loop = new WriteStatementLoop(context, name, ordered);
        loop.Run(
            documents.Count,
            failPointPerStatement: false,
            replayed: (_, previous) => n += previous.GetValue("n", 0).ToInt32(),
            execute: (unit, i) =>
            {
                if (documents[i] is not BsonDocument raw)
                {
                    throw new MongoErrorException(ErrorCodes.TypeMismatch, "insert documents must be objects");
                }

                var document = WriteSupport.PrepareForInsert(raw);
                unit.WaitForTransactions(
                    context.Database, name, [document["_id"]], WriteSupport.Deadline(context), context.CancellationToken);
                unit.Insert(context.Database, name, document, WriteSupport.Statement(context, i, new BsonDocument("n", 1)));
                n++;
            });

        context.Self.OpCounters.AddInsert(n);
        var reply = new BsonDocument("n", n);
        await loop.CompleteAsync(reply).ConfigureAwait(false);
        return reply;
    }
}
