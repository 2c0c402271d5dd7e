using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;

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
            throw new MongoErrorException(ErrorCodes.InvalidLength, $"Write batch sizes must be between 1 and {HelloCommand.MaxWriteBatchSize}. Got {documents.Count} operations.");
        }

        var ordered = context.OptionalBool("ordered", true);
        var n = 0;
        var writeErrors = new BsonArray();
        var opTime = context.Write(unit =>
        {
            // One insert command commits once, so the fail point fires once, before any of its documents is written.
            if (Enumerable.Range(0, documents.Count).Any(i => WriteSupport.ExecutedResult(context, i) is null))
            {
                WriteSupport.OnPrimaryTransactionalWrite(context);
            }

            for (var i = 0; i < documents.Count; i++)
            {
                if (WriteSupport.ExecutedResult(context, i) is { } previous)
                {
                    n += previous.GetValue("n", 0).ToInt32();
                    continue;
                }

                try
                {
                    WriteSupport.RefuseView(unit, context.Database, name);
                    if (documents[i] is not BsonDocument raw)
                    {
                        throw new MongoErrorException(ErrorCodes.TypeMismatch, "insert documents must be objects");
                    }

                    var document = WriteSupport.PrepareForInsert(raw);
                    unit.WaitForTransactions(context.Database, name, [document["_id"]], WriteSupport.Deadline(context), context.CancellationToken);
                    unit.Insert(context.Database, name, document, WriteSupport.Statement(context, i, new BsonDocument("n", 1)));
                    n++;
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

        context.Member.OpCounters.AddInsert(n);
        var reply = new BsonDocument("n", n);
        if (writeErrors.Count > 0)
        {
            reply["writeErrors"] = writeErrors;
        }

        WriteSupport.AbortTransactionOnError(context, writeErrors);
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }
}
