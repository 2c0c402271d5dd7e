using MongoDB.Bson;
using Tabernacle.MongoEmulator.Commands.Operations;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>currentOp</c>: mongod runs it as <c>$currentOp</c> (<c>idleConnections: $all</c>, <c>truncateOps</c>) followed by
/// a <c>$match</c> of every other field, and answers <c>{inprog: [...]}</c>; mongosh's <c>db.currentOp()</c> sends it.
/// </summary>
internal sealed class CurrentOpCommand : ICommandHandler
{
    private static readonly HashSet<string> Options = new(StringComparer.Ordinal) { "$all", "$ownOps", "$truncateOps" };

    // mongod's generic command arguments, which are not part of the filter.
    private static readonly HashSet<string> GenericArguments = new(StringComparer.Ordinal)
    {
        "$db", "lsid", "txnNumber", "autocommit", "startTransaction", "$clusterTime", "$readPreference", "readConcern",
        "writeConcern", "maxTimeMS", "comment", "apiVersion", "apiStrict", "apiDeprecationErrors", "$client", "txnRetryCounter",
    };

    public IReadOnlyList<string> Names { get; } = ["currentOp"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var filter = new BsonDocument(context.Command.Skip(1)
            .Where(e => !Options.Contains(e.Name) && !GenericArguments.Contains(e.Name)));
        var truncate = !context.Command.TryGetValue("$truncateOps", out var t) || t.ToBoolean();
        var allUsers = !context.OptionalBool("$ownOps", false);
        var reports = CurrentOpStage.Reports(context, context.OptionalBool("$all", false), truncate, allUsers: allUsers);
        var match = filter.ElementCount == 0 ? QueryFilter.MatchAll : QueryFilter.Compile(filter, null, null);
        return Task.FromResult(new BsonDocument("inprog", new BsonArray(reports.Where(r => match.Matches(r, new MatchDetails())))));
    }
}

/// <summary><c>killOp</c>: interrupts the operation with the given <c>op</c> id, which then fails with 11601 Interrupted.</summary>
internal sealed class KillOpCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["killOp"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        if (!context.Command.TryGetValue("op", out var op))
        {
            throw new MongoErrorException(ErrorCodes.NoSuchKey, "Missing expected field \"op\"");
        }

        if (!op.IsNumeric)
        {
            throw new MongoErrorException(
                ErrorCodes.TypeMismatch, $"\"op\" had the wrong type. Expected int or long, found {CommandContext.BsonTypeName(op)}");
        }

        var id = op.ToInt64();
        if (id is < int.MinValue or > int.MaxValue)
        {
            throw new MongoErrorException(26823, $"invalid op : {id}. Op ID cannot be represented with 32 bits");
        }

        // mongod answers the same whether or not the operation was found.
        context.Operations?.Kill((int)id);
        return Task.FromResult(new BsonDocument("info", "attempting to kill op"));
    }
}

/// <summary>
/// <c>$currentOp</c>, the first stage of <c>{aggregate: 1}</c> on admin: the member's operations in flight (this one
/// included), with <c>idleConnections</c> its connections with nothing running, and (<c>idleSessions</c>, the default)
/// the sessions holding a transaction open between commands. Idle cursors are not reported.
/// </summary>
internal static class CurrentOpStage
{
    private static readonly string[] BooleanOptions =
        ["allUsers", "idleConnections", "idleCursors", "idleSessions", "localOps", "truncateOps", "backtrace"];

    private static readonly TimeSpan IdleSessionLockWait = TimeSpan.FromMilliseconds(100);

    public static bool IsCurrentOp(BsonDocument stage) => stage.ElementCount == 1 && stage.GetElement(0).Name == "$currentOp";

    public static IEnumerable<BsonDocument> Build(CommandContext context, BsonDocument stage, bool collectionless)
    {
        if (context.Database != "admin" || !collectionless)
        {
            throw new MongoErrorException(
                ErrorCodes.InvalidNamespace, "$currentOp must be run against the 'admin' database with {aggregate: 1}");
        }

        if (stage[0] is not BsonDocument spec)
        {
            throw new MongoErrorException(
                ErrorCodes.FailedToParse,
                $"$currentOp options must be specified in an object, but found: {CommandContext.BsonTypeName(stage[0])}");
        }

        foreach (var option in spec)
        {
            if (!BooleanOptions.Contains(option.Name))
            {
                throw new MongoErrorException(ErrorCodes.FailedToParse, $"Unrecognized option '{option.Name}' in $currentOp stage.");
            }

            if (!option.Value.IsBoolean)
            {
                throw new MongoErrorException(
                    ErrorCodes.FailedToParse,
                    $"The '{option.Name}' parameter of the $currentOp stage must be a boolean value, but found: "
                    + CommandContext.BsonTypeName(option.Value));
            }
        }

        return Reports(
            context,
            spec.GetValue("idleConnections", false).AsBoolean,
            spec.GetValue("truncateOps", false).AsBoolean,
            spec.GetValue("idleSessions", true).AsBoolean,
            spec.GetValue("allUsers", false).AsBoolean);
    }

    /// <summary>The reports of the member's operations, ordered by connection, then its idle connections when asked.</summary>
    /// <remarks>
    /// Without <paramref name="allUsers"/> only the caller's own operations and sessions are reported, as mongod's
    /// <c>allUsers: false</c>; without authentication every operation is everyone's.
    /// </remarks>
    public static List<BsonDocument> Reports(
        CommandContext context, bool idleConnections, bool truncate, bool idleSessions = true, bool allUsers = true)
    {
        var host = context.Self.Host;
        var registry = context.Operations;
        if (registry is null)
        {
            return [];
        }

        var caller = context.SessionOwner;
        bool Visible(string? owner) => allUsers || owner == caller;
        var running = registry.Running.Where(o => Visible(Owner(o.Connection))).OrderBy(o => o.OpId).ToList();
        var reports = running.Select(o => CurrentOpReport.Active(o, host, truncate)).ToList();
        if (idleConnections)
        {
            var busy = running.Select(o => o.Connection.Id).ToHashSet();
            var idle = registry.Connections.Where(c => !busy.Contains(c.Id) && Visible(Owner(c))).OrderBy(c => c.Id);
            reports.AddRange(idle.Select(c => CurrentOpReport.Idle(c, host)));
        }

        if (idleSessions)
        {
            // Transactions open between their commands; one whose command is running shows as that operation.
            var busySessions = running.Select(o => o.Command.GetValue("lsid", BsonNull.Value))
                .OfType<BsonDocument>().Select(SessionInfo.IdOf).ToHashSet(StringComparer.Ordinal);
            // The transaction table is guarded by the storage lock, which a long scan holds: currentOp is how one finds
            // that scan to kill it, so it never waits long for the lock and leaves idle sessions out when busy.
            var open = context.Gate.TryListOpenTransactions(IdleSessionLockWait) ?? [];

            var idleTransactions = open.Where(t => !busySessions.Contains(t.SessionId) && Visible(t.Owner));
            reports.AddRange(idleTransactions.Select(t => CurrentOpReport.IdleSession(
                host, t.SessionId, t.Owner, t.TxnNumber, t.StartedAt, t.ExpiresAt, context.Set.UtcNow)));
        }

        return reports;
    }

    private static string? Owner(Wire.ClientConnection connection) =>
        connection.Authentication.User is { } user ? $"{user.Name}@{user.Database}" : null;
}
