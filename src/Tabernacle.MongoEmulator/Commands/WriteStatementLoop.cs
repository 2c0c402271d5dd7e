using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>
/// The statement loop that insert, update and delete share. All statements run in one write (one storage lock). A
/// statement a retry already ran is answered from the retryable-write table. A statement error (duplicate key, a bad
/// document...) becomes a <c>writeErrors</c> entry and stops an ordered batch; it also aborts the command's
/// transaction, as on mongod.
/// </summary>
internal sealed class WriteStatementLoop(CommandContext context, string collection, bool ordered)
{
    /// <summary>The <c>writeErrors</c> entries of the statements that failed.</summary>
    public BsonArray WriteErrors { get; } = [];

    /// <summary>The optime of the last change the statements logged, or <c>null</c> when they logged none.</summary>
    public OpTime? OpTime { get; private set; }

    /// <summary>
    /// Runs statements 0 to <paramref name="count"/> - 1: <paramref name="replayed"/> takes the result a retry finds
    /// recorded, <paramref name="execute"/> runs the others. The <c>onPrimaryTransactionalWrite</c> fail point fires
    /// before each statement when <paramref name="failPointPerStatement"/> (update, delete: a failure there is that
    /// statement's write error), or else once before the batch (insert commits once: a failure fails the command).
    /// </summary>
    public void Run(int count, bool failPointPerStatement, Action<int, BsonDocument> replayed, Action<IDocumentWriter, int> execute)
    {
        OpTime = context.Write(unit =>
        {
            if (!failPointPerStatement && Enumerable.Range(0, count).Any(i => WriteSupport.ExecutedResult(context, i) is null))
            {
                WriteSupport.OnPrimaryTransactionalWrite(context);
            }

            for (var i = 0; i < count; i++)
            {
                if (WriteSupport.ExecutedResult(context, i) is { } previous)
                {
                    replayed(i, previous);
                    continue;
                }

                try
                {
                    WriteSupport.RefuseView(unit, context.Database, collection);
                    if (failPointPerStatement)
                    {
                        WriteSupport.OnPrimaryTransactionalWrite(context);
                    }

                    execute(unit, i);
                }
                catch (MongoErrorException ex) when (WriteSupport.IsStatementError(ex))
                {
                    WriteErrors.Add(WriteSupport.WriteError(i, ex));
                    if (ordered)
                    {
                        break;
                    }
                }
            }

            return unit.LastOpTime;
        });
    }

    /// <summary>
    /// Adds the write errors to <paramref name="reply"/> (aborting the command's transaction when there are any), then
    /// waits for the write concern.
    /// </summary>
    public async Task CompleteAsync(BsonDocument reply)
    {
        if (WriteErrors.Count > 0)
        {
            reply["writeErrors"] = WriteErrors;
            context.AbortTransactionOnStatementError();
        }

        await WriteSupport.CompleteAsync(context, OpTime, reply).ConfigureAwait(false);
    }
}
