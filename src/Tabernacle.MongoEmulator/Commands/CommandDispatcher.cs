using MongoDB.Bson;
using Microsoft.Extensions.Logging;
using Tabernacle.MongoEmulator.Commands.Cursors;
using Tabernacle.MongoEmulator.Commands.Operations;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Security;
using Tabernacle.MongoEmulator.Wire;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>
/// Routes each request of one member to its handler: checks the member's role against the command's access and the
/// request's read preference, applies the <c>failCommand</c> fail point and <c>readConcern.afterClusterTime</c>, and
/// shapes every reply (errors included) with <c>ok</c>, <c>$clusterTime</c>, <c>operationTime</c> and error labels.
/// </summary>
internal sealed class CommandDispatcher : IRequestHandler
{
    // Errors that report a change of the member's state, which carry its topologyVersion.
    private static readonly HashSet<int> StateChangeCodes =
    [
        ErrorCodes.ShutdownInProgress, ErrorCodes.PrimarySteppedDown, ErrorCodes.NotWritablePrimary, ErrorCodes.InterruptedAtShutdown,
        ErrorCodes.InterruptedDueToReplStateChange, ErrorCodes.NotPrimaryNoSecondaryOk, ErrorCodes.NotPrimaryOrSecondary,
    ];

    private static readonly HashSet<string> NeverFailed = new(StringComparer.Ordinal) { "configureFailPoint" };

    // The commands MongoDB allows inside a multi-document transaction.
    private static readonly HashSet<string> TransactionCommands = new(StringComparer.Ordinal)
    {
        "find", "getMore", "killCursors", "insert", "update", "delete", "findAndModify", "findandmodify", "aggregate", "distinct",
        "commitTransaction", "abortTransaction", "create", "createIndexes", "hello", "isMaster", "ping", "buildInfo", "endSessions",
    };

    // The commands that take readConcern snapshot outside a transaction, as mongod 7.0's supportsReadConcern answers.
    private static readonly HashSet<string> SnapshotReadCommands = new(StringComparer.Ordinal)
    {
        "find", "aggregate", "distinct", "getMore", "explain", "commitTransaction", "abortTransaction",
    };

    private readonly ReplicaMember _member;
    private readonly CommandRegistry _registry;
    private readonly ILogger _logger;

    public CommandDispatcher(ReplicaMember member, CommandRegistry registry, ILogger logger)
    {
        _member = member;
        _registry = registry;
        _logger = logger;
    }

    public CursorManager Cursors { get; } = new();

    public OperationRegistry Operations { get; } = new();

    public void ConnectionOpened(ClientConnection connection) => Operations.Opened(connection);

    public void ConnectionClosed(ClientConnection connection) => Operations.Closed(connection);

    public async Task<BsonDocument> HandleAsync(WireRequest request, ClientConnection connection, CancellationToken cancellationToken)
    {
        var database = request.LegacyDatabase
            ?? (request.Command.TryGetValue("$db", out var db) && db.IsString ? db.AsString : null);
        // Registered while it runs, so currentOp shows it and killOp can interrupt it through its token.
        using var registration = Operations.Begin(connection, database ?? "", request.Command, request.ExhaustAllowed, cancellationToken);
        var context = new CommandContext(_member, Cursors, connection, request, database ?? "", registration.Operation.Token)
        {
            Operations = Operations,
        };
        var lastOpBeforeRun = connection.LastOpTime;
        BsonDocument reply;
        try
        {
            if (database is null)
            {
                throw new MongoErrorException(40571, "OP_MSG requests require a $db argument");
            }

            reply = await RunAsync(context).ConfigureAwait(false);
            if (!reply.Contains("ok"))
            {
                reply["ok"] = 1.0;
            }
        }
        catch (MongoErrorException ex)
        {
            reply = ErrorReply(ex.Code, ex.Message, ex.ExtraInfo);
        }
        catch (OperationCanceledException) when (registration.Operation.Killed && !cancellationToken.IsCancellationRequested)
        {
            reply = ErrorReply(ErrorCodes.Interrupted, "operation was interrupted", null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reply = ErrorReply(ErrorCodes.InterruptedAtShutdown, "interrupted at shutdown", null);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Command {Command} failed on {Host}", context.CommandName, _member.Host);
            reply = ErrorReply(ErrorCodes.InternalError, $"{context.CommandName} failed inside the emulator: {ex.Message}", null);
        }

        AddErrorLabels(context, reply, lastOpBeforeRun);
        AddClusterTime(context, reply);
        return reply;
    }

    /// <summary>
    /// The streaming protocol of server monitoring: an awaitable <c>hello</c> sent with <c>exhaustAllowed</c> is answered
    /// again and again on the same connection, each time with the topology version of the previous answer, so the client
    /// never re-sends a stale version. Without this, a driver that streams (the C# and Node.js drivers do) repeated its
    /// first hello after every topology change, each got an immediate answer, and monitors spun at full CPU forever.
    /// </summary>
    public WireRequest? NextStreamedRequest(WireRequest request, BsonDocument reply)
    {
        var command = request.Command;
        var name = command.ElementCount > 0 ? command.GetElement(0).Name : "";
        if (name is not ("hello" or "isMaster" or "ismaster") || !command.Contains("topologyVersion") || !command.Contains("maxAwaitTimeMS")
            || !reply.TryGetValue("ok", out var ok) || ok.ToDouble() != 1.0 || !reply.TryGetValue("topologyVersion", out var version))
        {
            return null;
        }

        var next = new BsonDocument(command) { ["topologyVersion"] = version };
        return request with { Command = next, MoreToCome = false };
    }

    private async Task<BsonDocument> RunAsync(CommandContext context)
    {
        var handler = _registry.Find(context.CommandName)
            ?? throw new MongoErrorException(ErrorCodes.CommandNotFound, $"no such command: '{context.CommandName}'");

        if (_registry.Credentials is not null && !context.Connection.Authentication.IsAuthenticated
            && !AuthenticationPolicy.AllowsUnauthenticated(handler, context.CommandName))
        {
            throw new MongoErrorException(ErrorCodes.Unauthorized, $"Command {context.CommandName} requires authentication");
        }

        ClusterTimeGossip.In(context, _registry.Credentials);
        if (context.Session is { } session && context.CommandName != "endSessions")
        {
            Operations.Sessions.Touch(session, context.SessionOwner, context.Set.UtcNow);
        }

        CountOperation(context.CommandName);
        if (!NeverFailed.Contains(context.CommandName) && await ApplyFailCommandAsync(context).ConfigureAwait(false) is { } failure)
        {
            return failure;
        }

        CheckAccess(context, handler.Access);
        ResolveTransaction(context);
        CheckSnapshotReadConcern(context);
        await WaitForReadConcernAsync(context).ConfigureAwait(false);

        // Reads take a slot of the member's simulated read capacity (no-op unless configured), so a member saturates.
        var reply = handler.Access == CommandAccess.Read || context.CommandName == "getMore"
            ? await _member.ReadCapacity.RunAsync(() => handler.ExecuteAsync(context), context.CancellationToken).ConfigureAwait(false)
            : await handler.ExecuteAsync(context).ConfigureAwait(false);
        if (context.FailPointWriteConcernError is { } wce)
        {
            reply["writeConcernError"] = wce;
        }

        return reply;
    }

    private void CountOperation(string name)
    {
        var counters = _member.OpCounters;
        switch (name)
        {
            case "find":
                counters.AddQuery();
                break;
            case "getMore":
                counters.AddGetMore();
                break;
            case "insert":
            case "update":
            case "delete":
                // Counted per document or statement by the handlers, as mongod does.
                break;
            default:
                counters.AddCommand();
                break;
        }
    }

    private void CheckAccess(CommandContext context, CommandAccess access)
    {
        if (access == CommandAccess.Write && !_member.IsPrimary)
        {
            throw new MongoErrorException(ErrorCodes.NotWritablePrimary, "not primary");
        }

        if (access == CommandAccess.Read && !_member.IsPrimary && !AllowsSecondaryReads(context))
        {
            throw new MongoErrorException(ErrorCodes.NotPrimaryNoSecondaryOk, "not primary and secondaryOk=false");
        }
    }

    /// <summary>Starts or finds the command's transaction (<c>autocommit: false</c>) and checks the command may run in one.</summary>
    private void ResolveTransaction(CommandContext context)
    {
        if (context.Session is not { InTransaction: true } session)
        {
            return;
        }

        if (!TransactionCommands.Contains(context.CommandName))
        {
            throw new MongoErrorException(ErrorCodes.OperationNotSupportedInTransaction,
                $"Cannot run '{context.CommandName}' in a multi-document transaction.");
        }

        if (context.CommandName is "commitTransaction" or "abortTransaction")
        {
            return;
        }

        if (!_member.IsPrimary)
        {
            throw new MongoErrorException(ErrorCodes.NotWritablePrimary, "Transactions run only on the primary: not primary");
        }

        if (context.Command.TryGetValue("readConcern", out var readConcern) && !session.StartTransaction)
        {
            throw new MongoErrorException(ErrorCodes.InvalidOptions,
                $"Only the first command in a transaction may specify a readConcern ({readConcern.ToJson()} was given later)");
        }

        context.Transaction = _member.Gate.BeginOrJoinTransaction(
            session.StartTransaction, session.Id, session.TxnNumber!.Value, context.OptionalDocument("writeConcern"), context.SessionOwner);
    }

    /// <summary>
    /// Outside a transaction, readConcern snapshot is for the reads that support it (find, aggregate, distinct); any
    /// other command a snapshot session sends (a write, findAndModify, listDatabases, listCollections, listIndexes,
    /// count, ...) is refused with InvalidOptions, in the words mongod uses.
    /// </summary>
    private static void CheckSnapshotReadConcern(CommandContext context)
    {
        if (context.Transaction is not null || context.ReadConcernLevel != "snapshot" || SnapshotReadCommands.Contains(context.CommandName))
        {
            return;
        }

        throw new MongoErrorException(
            ErrorCodes.InvalidOptions,
            $"Command {context.CommandName} does not support {{ readConcern: {context.Command["readConcern"].ToJson()} }}"
            + " :: caused by :: read concern not supported");
    }

    private static bool AllowsSecondaryReads(CommandContext context)
    {
        if (context.Request.LegacySecondaryOk)
        {
            return true;
        }

        return context.Command.TryGetValue("$readPreference", out var readPreference)
            && readPreference is BsonDocument document
            && document.TryGetValue("mode", out var mode)
            && mode.IsString
            && mode.AsString != "primary";
    }

    private async Task WaitForReadConcernAsync(CommandContext context)
    {
        if (context.OptionalDocument("readConcern") is not { } readConcern)
        {
            return;
        }

        if (readConcern.TryGetValue("level", out var level) && level.IsString
            && level.AsString is not ("local" or "majority" or "available" or "linearizable" or "snapshot"))
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                $"readConcern level must be one of local, majority, available, linearizable or snapshot, not '{level.AsString}'");
        }

        var afterClusterTime = ReadConcernTime(readConcern, "afterClusterTime");
        var atClusterTime = ReadConcernTime(readConcern, "atClusterTime");
        if (atClusterTime is not null)
        {
            _member.Set.EnsureNotAfterClusterTime(atClusterTime, "atClusterTime");
        }

        if (afterClusterTime is { } clusterTime)
        {
            await _member.Set.WaitForAppliedAsync(_member, clusterTime, context.MaxTime, context.CancellationToken).ConfigureAwait(false);

            // A majority or snapshot read must see its afterClusterTime, so it waits until that time is majority-committed.
            if (context.Transaction is null && context.ReadConcernLevel is "majority" or "snapshot")
            {
                await _member.Set.WaitForMajorityCommittedAsync(_member, clusterTime, context.MaxTime,
                    context.CancellationToken).ConfigureAwait(false);
            }
        }

        // A snapshot read at a given time waits until that time is majority-committed, as mongod does.
        if (context.Transaction is null && context.ReadConcernLevel == "snapshot" && atClusterTime is not null)
        {
            await _member.Set.WaitForAppliedAsync(_member, atClusterTime, context.MaxTime, context.CancellationToken).ConfigureAwait(false);
            await _member.Set.WaitForMajorityCommittedAsync(_member, atClusterTime, context.MaxTime,
                context.CancellationToken).ConfigureAwait(false);
        }
    }

    // A read concern time that is not a timestamp is refused as mongod's IDL parser refuses it, rather than ignored.
    private static BsonTimestamp? ReadConcernTime(BsonDocument readConcern, string field)
    {
        if (!readConcern.TryGetValue(field, out var value))
        {
            return null;
        }

        return value as BsonTimestamp ?? throw new MongoErrorException(
            ErrorCodes.TypeMismatch,
            $"BSON field 'readConcern.{field}' is the wrong type '{CommandContext.BsonTypeName(value)}', expected type 'timestamp'");
    }

    /// <summary>
    /// MongoDB's <c>failCommand</c> fail point: block, close the connection, fail with an error, or let the command run
    /// and attach a write concern error, for the commands (and application name) it names.
    /// </summary>
    private async Task<BsonDocument?> ApplyFailCommandAsync(CommandContext context)
    {
        var data = _member.FailPoints.Get(FailPointRegistry.FailCommand).TryTrigger(d => Applies(d, context));
        if (data is null)
        {
            return null;
        }

        if (data.TryGetValue("blockConnection", out var block) && block.ToBoolean())
        {
            var ms = data.TryGetValue("blockTimeMS", out var time) && time.IsNumeric ? time.ToInt32() : 0;
            await Task.Delay(TimeSpan.FromMilliseconds(ms), context.Set.Time, context.CancellationToken).ConfigureAwait(false);
        }

        if (data.TryGetValue("closeConnection", out var close) && close.ToBoolean())
        {
            context.Connection.CloseRequested = true;
            return [];
        }

        // mongod: labels given to the fail point replace every label it would compute, for an injected error code
        // and for an injected write concern error alike (an empty array means no labels).
        if (data.TryGetValue("errorLabels", out var labels) && labels is BsonArray array)
        {
            context.ErrorLabelsOverride = array;
        }

        if (data.TryGetValue("errorCode", out var code) && code.IsNumeric)
        {
            return ErrorReply(code.ToInt32(), "Failing command via 'failCommand' failpoint", null);
        }

        if (data.TryGetValue("writeConcernError", out var wce) && wce is BsonDocument error)
        {
            context.FailPointWriteConcernError = error;
        }

        return null;
    }

    private static bool Applies(BsonDocument data, CommandContext context)
    {
        if (!data.TryGetValue("failCommands", out var commands) || commands is not BsonArray names
            || !names.Any(n => n.IsString && n.AsString == context.CommandName))
        {
            return false;
        }

        return !data.TryGetValue("appName", out var appName) || (appName.IsString && appName.AsString == context.Connection.AppName);
    }

    private BsonDocument ErrorReply(int code, string message, BsonDocument? extra)
    {
        var reply = new BsonDocument { { "ok", 0.0 }, { "errmsg", message }, { "code", code }, { "codeName", ErrorCodes.NameOf(code) } };
        if (extra is not null)
        {
            reply.AddRange(extra);
        }

        if (StateChangeCodes.Contains(code))
        {
            reply["topologyVersion"] = _member.TopologyVersion;
        }

        return reply;
    }

    /// <summary>
    /// Labels the reply as mongod does: from its top-level error and write concern error, or exactly the labels the
    /// <c>failCommand</c> fail point gave. Without an error or a write concern error there are none.
    /// </summary>
    private static void AddErrorLabels(CommandContext context, BsonDocument reply, (BsonTimestamp, long)? lastOpBeforeRun)
    {
        int? code = reply.TryGetValue("ok", out var ok) && !ok.ToBoolean() && reply.TryGetValue("code", out var c) && c.IsNumeric
            ? c.ToInt32()
            : null;
        int? wceCode = reply.TryGetValue("writeConcernError", out var wce) && wce is BsonDocument error
            && error.TryGetValue("code", out var w) && w.IsNumeric ? w.ToInt32() : null;
        if (code is null && wceCode is null)
        {
            return;
        }

        if (context.ErrorLabelsOverride is { } injected)
        {
            ErrorLabels.Apply(reply, (BsonArray)injected.DeepClone());
            return;
        }

        var lastOpAfterRun = context.Connection.LastOpTime;
        var noWrites = lastOpBeforeRun is not null && lastOpAfterRun is not null && lastOpBeforeRun.Equals(lastOpAfterRun);
        ErrorLabels.Apply(reply, new BsonArray(ErrorLabels.Compute(context.Session, context.CommandName, code, wceCode, noWrites)));
    }

    private void AddClusterTime(CommandContext context, BsonDocument reply)
    {
        // mongod attaches its topologyVersion to state-change write concern errors too, so drivers can tell stale errors apart.
        if (reply.TryGetValue("writeConcernError", out var stateError) && stateError is BsonDocument wceDocument
            && wceDocument.TryGetValue("code", out var wceCode) && wceCode.IsNumeric && StateChangeCodes.Contains(wceCode.ToInt32())
                && !reply.Contains("topologyVersion"))
        {
            reply["topologyVersion"] = _member.TopologyVersion;
        }

        var operationTime = context.OperationTime ?? _member.LastApplied;
        reply["$clusterTime"] = ClusterTimeGossip.Out(_member.Set);
        reply["operationTime"] = operationTime.Timestamp;
    }
}
