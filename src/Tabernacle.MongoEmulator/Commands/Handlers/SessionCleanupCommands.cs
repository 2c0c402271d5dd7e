using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>endSessions</c>, <c>killSessions</c> and <c>killAllSessions</c>: as on mongod, the sessions' in-progress
/// transactions on this member are aborted, which releases their document locks (writes waiting for them proceed at
/// once) and makes a later commit answer NoSuchTransaction. Unknown sessions are ignored.
/// </summary>
internal sealed class SessionCleanupCommands : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["endSessions", "killSessions", "killAllSessions"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var entries = context.Target as BsonArray ?? throw new MongoErrorException(
            ErrorCodes.TypeMismatch,
            $"BSON field '{context.CommandName}' is the wrong type '{CommandContext.BsonTypeName(context.Target)}', expected type 'array'");
        if (context.CommandName == "endSessions")
        {
            context.Operations?.Sessions.End(entries.OfType<BsonDocument>().Select(SessionInfo.IdOf));
        }

        var matches = Selector(context, entries);
        var reason = context.CommandName == "endSessions" ? "its session was ended" : "its session was killed";
        context.Gate.AbortTransactionsWhere(matches, reason);

        return Task.FromResult(new BsonDocument());
    }

    private static Func<Replication.Transaction, bool> Selector(CommandContext context, BsonArray entries)
    {
        if (context.CommandName == "killAllSessions")
        {
            // An empty list kills every session; otherwise those of the users named by { user, db }.
            var users = entries.Select(e => e as BsonDocument
                    ?? throw new MongoErrorException(ErrorCodes.TypeMismatch, "killAllSessions takes documents of the form { user, db }"))
                .Select(d => $"{d.GetValue("user", "").AsString}@{d.GetValue("db", "").AsString}")
                .ToHashSet(StringComparer.Ordinal);
            return users.Count == 0 ? _ => true : t => t.Owner is not null && users.Contains(t.Owner);
        }

        if (context.CommandName == "killSessions" && entries.Count == 0)
        {
            // mongod kills every session of the authenticated user; without authentication all sessions share one owner.
            var owner = context.SessionOwner;
            return t => t.Owner == owner;
        }

        var ids = entries.Select(e => e as BsonDocument
                ?? throw new MongoErrorException(ErrorCodes.TypeMismatch, $"{context.CommandName} takes session ids as {{ id: UUID }}"))
            .Select(SessionInfo.IdOf)
            .ToHashSet(StringComparer.Ordinal);
        return t => ids.Contains(t.SessionId);
    }
}
