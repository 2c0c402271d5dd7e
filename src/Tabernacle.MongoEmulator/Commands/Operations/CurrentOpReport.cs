using System.Globalization;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Wire;

namespace Tabernacle.MongoEmulator.Commands.Operations;

/// <summary>
/// One <c>currentOp</c> entry in mongod 7.0's shape (<c>CurOp::reportState</c> and the client fields around it):
/// type, host, desc, connectionId, client, appName, clientMetadata, lsid, transaction, active, currentOpTime, opid,
/// secs_running, microsecs_running, op, ns, command, and the lock fields a lock-free emulator reports empty.
/// </summary>
internal static class CurrentOpReport
{
    // mongod truncates a command over 1 KB when the caller asks (the currentOp command always does).
    private const int TruncateAboveBytes = 1024;

    // An unauthenticated session's uid is SHA-256 of the empty user name, as mongod derives it.
    private static readonly BsonBinaryData AnonymousUid = LocalSessionCache.Uid(null);

    public static BsonDocument Active(RunningOperation operation, string host, bool truncate)
    {
        var command = operation.Command;
        var elapsed = operation.Elapsed;
        var report = Client(operation.Connection, host);
        if (command.TryGetValue("lsid", out var lsid) && lsid is BsonDocument session)
        {
            report["lsid"] = new BsonDocument
            {
                { "id", session.GetValue("id", BsonNull.Value) },
                { "uid", session.TryGetValue("uid", out var uid) ? uid : AnonymousUid },
            };
        }

        if (command.GetValue("autocommit", BsonNull.Value) is BsonBoolean { Value: false } && command.TryGetValue("txnNumber",
            out var txnNumber))
        {
            var parameters = new BsonDocument { { "txnNumber", txnNumber.ToInt64() }, { "autocommit", false } };
            if (command.TryGetValue("readConcern", out var readConcern))
            {
                parameters["readConcern"] = readConcern;
            }

            report["transaction"] = new BsonDocument("parameters", parameters);
        }

        report["active"] = true;
        report["currentOpTime"] = CurrentOpTime();
        report["threaded"] = true;
        report["opid"] = operation.OpId;
        report["secs_running"] = (long)elapsed.TotalSeconds;
        report["microsecs_running"] = (long)(elapsed.Ticks / 10);
        report["op"] = OpType(command);
        report["ns"] = Namespace(operation.Database, command);
        report["redacted"] = false;
        report["command"] = truncate && command.ToBson().Length > TruncateAboveBytes ? Truncated(command) : command;
        if (operation.Killed)
        {
            // Killed but not yet stopped (it notices at its next interrupt check), as mongod reports it.
            report["killPending"] = true;
        }

        report["numYields"] = 0;
        report["locks"] = new BsonDocument();
        report["waitingForLock"] = false;
        report["lockStats"] = new BsonDocument();
        report["waitingForFlowControl"] = false;
        report["flowControlStats"] = new BsonDocument();
        return report;
    }

    /// <summary>A connection with nothing running (<c>idleConnections</c>, the currentOp command's <c>$all</c>).</summary>
    public static BsonDocument Idle(ClientConnection connection, string host)
    {
        var report = Client(connection, host);
        report["active"] = false;
        report["currentOpTime"] = CurrentOpTime();
        return report;
    }

    /// <summary>
    /// A session holding a transaction open between its commands: mongod's <c>idleSession</c> entry, which is how
    /// tools find long-open transactions. <paramref name="sessionId"/> is the emulator's key (the UUID's hex); times are
    /// on the set's clock (<paramref name="now"/>), which also started and expires the transaction.
    /// </summary>
    public static BsonDocument IdleSession(
        string host, string sessionId, string? owner, long txnNumber, DateTime startedAt, DateTime expiresAt, DateTime now)
    {
        BsonValue id = sessionId.Length == 32 && Convert.FromHexString(sessionId) is { } bytes
            ? new BsonBinaryData(bytes, BsonBinarySubType.UuidStandard)
            : sessionId;
        var open = now - startedAt;
        var transaction = new BsonDocument
        {
            { "parameters", new BsonDocument { { "txnNumber", txnNumber }, { "autocommit", false } } },
            { "startWallClockTime", startedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture) },
            { "timeOpenMicros", (long)(open.Ticks / 10) },
            { "timeActiveMicros", 0L },
            { "timeInactiveMicros", (long)(open.Ticks / 10) },
        };
        if (expiresAt != DateTime.MaxValue)
        {
            transaction["expiryTime"] = expiresAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture);
        }

        return new BsonDocument
        {
            { "type", "idleSession" },
            { "host", host },
            { "desc", "inactive transaction" },
            { "lsid", new BsonDocument { { "id", id }, { "uid", LocalSessionCache.Uid(owner) } } },
            { "transaction", transaction },
            { "waitingForLock", false },
            { "active", false },
            { "locks", new BsonDocument() },
            { "lockStats", new BsonDocument() },
        };
    }

    private static BsonDocument Client(ClientConnection connection, string host)
    {
        var report = new BsonDocument
        {
            { "type", "op" },
            { "host", host },
            { "desc", $"conn{connection.Id}" },
            { "connectionId", connection.Id },
            { "client", connection.RemoteEndPoint },
        };
        if (connection.AppName is { } appName)
        {
            report["appName"] = appName;
        }

        if (connection.ClientMetadata is { } metadata)
        {
            report["clientMetadata"] = metadata;
        }

        if (connection.Authentication.User is { } user)
        {
            report["effectiveUsers"] = new BsonArray { new BsonDocument { { "user", user.Name }, { "db", user.Database } } };
        }

        return report;
    }

    // mongod prints the local time with its offset, e.g. 2026-12-07T14:30:00.123+00:00.
    private static string CurrentOpTime() =>
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static string OpType(BsonDocument command) => command.ElementCount == 0 ? "none" : command.GetElement(0).Name switch
    {
        "find" => "query",
        "getMore" => "getmore",
        "insert" => "insert",
        "update" => "update",
        "delete" => "remove",
        _ => "command",
    };

    // Commands that name a collection report it; getMore reports its cursor's; the rest run on <db>.$cmd.
    private static string Namespace(string database, BsonDocument command)
    {
        if (command.ElementCount == 0)
        {
            return database;
        }

        var first = command.GetElement(0);
        if (first.Name == "getMore" && command.TryGetValue("collection", out var collection) && collection.IsString)
        {
            return $"{database}.{collection.AsString}";
        }

        return first.Value is BsonString { Value.Length: > 0 } name && first.Name is not ("hello" or "isMaster" or "ismaster")
            ? $"{database}.{name.Value}"
            : $"{database}.$cmd";
    }

    private static BsonDocument Truncated(BsonDocument command)
    {
        var json = command.ToJson();
        var truncated = new BsonDocument("$truncated", json.Length > TruncateAboveBytes ? json[..TruncateAboveBytes] + "..." : json);
        if (command.TryGetValue("comment", out var comment))
        {
            truncated["comment"] = comment;
        }

        return truncated;
    }
}
