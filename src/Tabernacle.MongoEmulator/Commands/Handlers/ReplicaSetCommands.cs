using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>replSetGetStatus</c>: every member's state, health, optime and heartbeat, as this member sees them.</summary>
internal sealed class ReplSetGetStatusCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["replSetGetStatus"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var self = context.Self;
        var set = context.Set;
        var members = new BsonArray();
        foreach (var m in set.Statuses)
        {
            var optime = m.LastApplied;
            var entry = new BsonDocument
            {
                { "_id", m.Id },
                { "name", m.Host },
                { "health", m.IsRunning && context.Reaches(m) ? 1.0 : 0.0 },
                { "state", (int)m.State },
                { "stateStr", StateName(m.State) },
                { "uptime", m.IsRunning ? 1 : 0 },
                { "optime", optime.ToBsonDocument() },
                { "optimeDate", m.LastAppliedWallTime },
                { "lastAppliedWallTime", m.LastAppliedWallTime },
                { "syncSourceHost", m.State == MemberState.Secondary && set.Primary is IMemberStatus p ? p.Host : "" },
                { "configVersion", set.ConfigVersion },
            };
            if (m == self)
            {
                entry["self"] = true;
            }
            else
            {
                entry["lastHeartbeat"] = context.Set.UtcNow;
                entry["lastHeartbeatRecv"] = context.Set.UtcNow;
                entry["pingMs"] = 0L;
            }

            if (m.IsPrimary)
            {
                entry["electionId"] = m.ElectionId;
            }

            members.Add(entry);
        }

        return Task.FromResult(new BsonDocument
        {
            { "set", set.Name },
            { "date", context.Set.UtcNow },
            { "myState", (int)self.State },
            { "term", set.Term },
            { "heartbeatIntervalMillis", 2000L },
            { "majorityVoteCount", set.MajorityCount },
            { "writeMajorityCount", set.MajorityCount },
            { "votingMembersCount", set.VotingMemberCount },
            {
                "optimes", new BsonDocument
                {
                    { "lastCommittedOpTime", context.CommitPoint.ToBsonDocument() },
                    { "appliedOpTime", self.LastApplied.ToBsonDocument() },
                }
            },
            { "members", members },
        });
    }

    public static string StateName(MemberState state) => state switch
    {
        MemberState.Primary => "PRIMARY",
        MemberState.Secondary => "SECONDARY",
        _ => "(not reachable/healthy)",
    };
}

/// <summary><c>replSetGetConfig</c>: the set's configuration document.</summary>
internal sealed class ReplSetGetConfigCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["replSetGetConfig"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var set = context.Set;
        var members = new BsonArray(set.Statuses.Select(m => new BsonDocument
        {
            { "_id", m.Id },
            { "host", m.Host },
            { "arbiterOnly", false },
            { "buildIndexes", true },
            { "hidden", false },
            { "priority", (double)m.Priority },
            { "tags", new BsonDocument(m.Tags.Select(t => new BsonElement(t.Key, t.Value))) },
            { "secondaryDelaySecs", 0L },
            { "votes", m.Votes },
        }));
        return Task.FromResult(new BsonDocument("config", new BsonDocument
        {
            { "_id", set.Name },
            { "version", set.ConfigVersion },
            { "term", set.Term },
            { "members", members },
            { "protocolVersion", 1L },
            { "writeConcernMajorityJournalDefault", true },
            {
                "settings", new BsonDocument
                {
                    { "chainingAllowed", true },
                    { "heartbeatIntervalMillis", 2000 },
                    { "electionTimeoutMillis", (long)set.ElectionTimeout.TotalMilliseconds },
                    { "catchUpTimeoutMillis", -1 },
                    { "getLastErrorModes", set.WriteConcernModes.ToBsonDocument() },
                }
            },
        }));
    }
}

/// <summary><c>replSetStepDown</c>: the primary steps down after a secondary catches up, and may not stand again for the given
/// seconds.</summary>
internal sealed class ReplSetStepDownCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["replSetStepDown"];

    public CommandAccess Access => CommandAccess.Any;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var seconds = context.Target.IsNumeric ? context.Target.ToDouble() : 60;
        var catchUp = context.Command.TryGetValue("secondaryCatchUpPeriodSecs", out var c) && c.IsNumeric ? c.ToDouble()
            : Math.Min(10, seconds);
        if (seconds <= 0)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "stepdown period must be a positive number of seconds");
        }

        if (catchUp > seconds)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "stepdown period must be longer than secondaryCatchUpPeriodSecs");
        }

        var force = context.OptionalBool("force", false);
        await context.StepDownAsync(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(catchUp), force).ConfigureAwait(false);
        return [];
    }
}

/// <summary><c>replSetFreeze</c>: keeps a secondary from standing for election for the given seconds (0 unfreezes).</summary>
internal sealed class ReplSetFreezeCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["replSetFreeze"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        if (!context.Target.IsNumeric)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch, "replSetFreeze takes a number of seconds");
        }

        var seconds = context.Target.ToDouble();
        context.Freeze(TimeSpan.FromSeconds(seconds));
        return Task.FromResult(seconds == 0 ? new BsonDocument("info", "unfreezing") : []);
    }
}

/// <summary><c>configureFailPoint</c>: MongoDB's test hook, for <c>failCommand</c>, <c>stopReplProducer</c> and
/// <c>onPrimaryTransactionalWrite</c>.</summary>
internal sealed class ConfigureFailPointCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["configureFailPoint"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        if (!context.Target.IsString)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch, "configureFailPoint takes the fail point's name");
        }

        var name = context.Target.AsString;
        var failPoint = context.Self.FailPoints.Find(name)
            ?? throw new MongoErrorException(ErrorCodes.BadValue,
                $"Unknown fail point: {name}. The emulator implements {string.Join(", ", FailPointRegistry.Names)}.");
        if (!context.Command.TryGetValue("mode", out var mode))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "configureFailPoint needs a 'mode'");
        }

        var count = failPoint.Configure(mode, context.OptionalDocument("data"));
        context.Set.PulseReplication();
        return Task.FromResult(new BsonDocument("count", count));
    }
}
