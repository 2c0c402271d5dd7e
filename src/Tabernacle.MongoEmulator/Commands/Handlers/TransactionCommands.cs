using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>commitTransaction</c>: applies the transaction's writes atomically (one oplog entry) and waits for its write
/// concern. A retried commit of a committed transaction answers ok again, on any member that replicated it.
/// </summary>
internal sealed class CommitTransactionCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["commitTransaction"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var session = context.Session
            ?? throw new MongoErrorException(ErrorCodes.InvalidOptions, "commitTransaction must be run within a session");
        var txnNumber = session.TxnNumber
            ?? throw new MongoErrorException(ErrorCodes.InvalidOptions,
                "commitTransaction must be run within a transaction (txnNumber is missing)");

        // mongod validates the write concern before it runs the command: a bad one leaves the transaction open.
        WriteSupport.WriteConcern(context);
        var opTime = await TransactionOutcome.RunAsync(context, () => context.Gate.CommitTransaction(session.Id, txnNumber))
            .ConfigureAwait(false);

        var reply = new BsonDocument();
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }
}

/// <summary><c>abortTransaction</c>: discards the transaction's writes.</summary>
internal sealed class AbortTransactionCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["abortTransaction"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var session = context.Session
            ?? throw new MongoErrorException(ErrorCodes.InvalidOptions, "abortTransaction must be run within a session");
        var txnNumber = session.TxnNumber
            ?? throw new MongoErrorException(ErrorCodes.InvalidOptions,
                "abortTransaction must be run within a transaction (txnNumber is missing)");
        WriteSupport.WriteConcern(context);
        await TransactionOutcome.RunAsync(
            context, () => context.Gate.AbortTransaction(session.Id, txnNumber, "it was aborted by the client")).ConfigureAwait(false);

        // An abort writes nothing to the oplog. mongod then waits for the write concern only on the client's own earlier
        // writes, never on what the transaction read (speculative majority), and not at all for a client that wrote nothing.
        var reply = new BsonDocument();
        if (context.Connection.LastOpTime is { } lastOp)
        {
            await WriteSupport.CompleteAsync(context, new OpTime(lastOp.Timestamp, lastOp.Term), reply).ConfigureAwait(false);
        }

        return reply;
    }
}

/// <summary>
/// mongod's answer when commit or abort finds no such transaction: with an explicit write concern it first writes a
/// no-op and waits for that write concern, so the client learns whether the state it saw (the transaction gone, for
/// instance after its commit rolled back) is durable. A write concern error then rides on the NoSuchTransaction error,
/// which takes away its TransientTransactionError label (see <see cref="ErrorLabels"/>).
/// </summary>
internal static class TransactionOutcome
{
    public static async Task<T> RunAsync<T>(CommandContext context, Func<T> decide)
    {
        try
        {
            return decide();
        }
        catch (MongoErrorException ex) when (ex.Code == ErrorCodes.NoSuchTransaction && context.Command.Contains("writeConcern"))
        {
            var opTime = context.Gate.WriteNoop(new BsonDocument("msg", "NoSuchTransaction error"));
            var reply = new BsonDocument();
            await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
            if (reply.TryGetValue("writeConcernError", out var error))
            {
                throw new MongoErrorException(ex.Code, ex.Message) { ExtraInfo = new BsonDocument("writeConcernError", error) };
            }

            throw;
        }
    }
}
