using System.Net.Sockets;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Properties;

/// <summary>
/// Runs one schedule against a fresh 3-member emulator with short timeouts, heals everything, and records what happened.
/// Every wait is for a condition with a deadline; nothing sleeps to synchronise.
/// </summary>
internal static class ScheduleRunner
{
    public const string Database = "props";
    public const string Collection = "writes";
    public const string TwoDCs = "twoDCs";

    private static readonly TimeSpan WTimeout = TimeSpan.FromMilliseconds(120);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HealTimeout = TimeSpan.FromSeconds(15);
    private static readonly string[] DataCentres = ["a", "a", "b"];

    public static async Task<ScheduleHistory> RunAsync(IReadOnlyList<ScheduleStep> steps)
    {
        await using var emulator = await MongoReplicaSetEmulator.StartAsync(Options());
        var writes = new List<WriteRecord>();
        foreach (var step in steps)
        {
            switch (step)
            {
                case WriteStep write:
                    writes.Add(await WriteAsync(emulator, write, writes.Count + 1));
                    break;
                case FaultStep fault:
                    await InjectAsync(emulator, fault);
                    break;
            }
        }

        await HealAsync(emulator);
        var members = emulator.Members.Select(m => new MemberFinalState(
            m.Id,
            m.Role == EmulatorMemberRole.Primary,
            Ops(m.GetDocuments(Database, Collection)),
            Ops(m.GetRolledBackDocuments(Database, Collection)))).ToList();
        return new ScheduleHistory(writes, members, [.. emulator.Members[0].Member.Set.InvariantViolations]);
    }

    /// <summary>Whether an acknowledged write with <paramref name="kind"/> was applied by a majority of the 3 voting members.</summary>
    public static bool ImpliesMajority(WriteKind kind) => kind is not WriteKind.W1;

    /// <summary>How many members must have held a write of <paramref name="kind"/> when it was acknowledged.</summary>
    public static int RequiredHolders(WriteKind kind) => kind switch
    {
        WriteKind.W1 => 1,
        WriteKind.W2 or WriteKind.Majority or WriteKind.TwoDCs => 2,
        _ => 3,
    };

    public static string DataCentreOf(int member) => DataCentres[member];

    private static ReplicaSetEmulatorOptions Options()
    {
        var options = new ReplicaSetEmulatorOptions
        {
            Members = ScheduleGen.Members,
            ElectionTimeout = TimeSpan.FromMilliseconds(100),
            DefaultReplicationDelay = TimeSpan.FromMilliseconds(1),
        };
        foreach (var dc in DataCentres)
        {
            var member = new EmulatorMemberOptions();
            member.Tags["dc"] = dc;
            options.MemberOptions.Add(member);
        }

        options.WriteConcernModes[TwoDCs] = new Dictionary<string, int> { ["dc"] = 2 };
        return options;
    }

    private static async Task<WriteRecord> WriteAsync(MongoReplicaSetEmulator emulator, WriteStep step, int op)
    {
        var named = step.Target switch
        {
            WriteStep.StalePrimary => emulator.Members.FirstOrDefault(m => m.Role == EmulatorMemberRole.Primary && m.IsDisconnected),
            >= 0 => emulator.Members[step.Target],
            _ => null,
        };
        var target = named is { Role: EmulatorMemberRole.Primary } ? named : await PrimaryOrNullAsync(emulator);
        if (target is null)
        {
            return new WriteRecord(op, step.Kind, -1, WriteOutcome.NotSent, [], []);
        }

        BsonDocument reply;
        try
        {
            using var client = await RawCommandClient.ConnectAsync(target.Port);
            reply = await client.RunAsync(InsertCommand(step.Kind, op), Database, ReplyTimeout);
        }
        catch (SocketException)
        {
            return new WriteRecord(op, step.Kind, target.Id, WriteOutcome.NotSent, [], []);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or EndOfStreamException)
        {
            return new WriteRecord(op, step.Kind, target.Id, WriteOutcome.Unknown, [], []);
        }

        var outcome = Classify(reply);
        if (outcome != WriteOutcome.Acknowledged)
        {
            return new WriteRecord(op, step.Kind, target.Id, outcome, [], []);
        }

        // The state right after the acknowledgement: nothing else runs between the reply and this look (the schedule
        // is sequential), and members only gain the write meanwhile, so this bounds what held it at the ack from above.
        var holders = emulator.Members.Where(m => Ops(m.GetDocuments(Database, Collection)).Contains(op)).Select(m => m.Id).ToList();
        return new WriteRecord(op, step.Kind, target.Id, outcome, holders, [.. holders.Select(DataCentreOf)]);
    }

    private static BsonDocument InsertCommand(WriteKind kind, int op)
    {
        BsonValue w = kind switch
        {
            WriteKind.W1 => 1,
            WriteKind.W2 => 2,
            WriteKind.W3 => 3,
            WriteKind.Majority => "majority",
            _ => TwoDCs,
        };
        return new BsonDocument
        {
            { "insert", Collection },
            { "documents", new BsonArray { new BsonDocument("op", op) } },
            { "writeConcern", new BsonDocument { { "w", w }, { "wtimeout", (int)WTimeout.TotalMilliseconds } } },
        };
    }

    private static WriteOutcome Classify(BsonDocument reply)
    {
        if (reply.GetValue("ok", 0).ToDouble() != 1.0 || reply.Contains("writeErrors"))
        {
            return WriteOutcome.Failed;
        }

        return reply.Contains("writeConcernError") ? WriteOutcome.WriteConcernError : WriteOutcome.Acknowledged;
    }

    private static async Task InjectAsync(MongoReplicaSetEmulator emulator, FaultStep fault)
    {
        var member = fault.Member == FaultStep.Primary ? emulator.Primary : emulator.Members[fault.Member];
        if (member is null)
        {
            return;
        }

        switch (fault.Kind)
        {
            case FaultKind.PauseReplication:
                member.PauseReplication();
                break;
            case FaultKind.ResumeReplication:
                member.ResumeReplication();
                break;
            case FaultKind.StepDown or FaultKind.ForceStepDown:
                await StepDownAsync(emulator, member, fault.Kind == FaultKind.ForceStepDown);
                break;
            case FaultKind.Stop:
                await member.StopAsync();
                break;
            case FaultKind.Start:
                await member.StartAsync();
                break;
            case FaultKind.Disconnect:
                member.Disconnect();
                break;
            case FaultKind.Reconnect:
                member.Reconnect();
                break;
        }
    }

    // Through the coordinator, with a short catch-up and step-down period, so that a step-down that cannot find a
    // caught-up secondary fails fast (ExceededTimeLimit) instead of waiting out replSetStepDown's defaults.
    private static async Task StepDownAsync(MongoReplicaSetEmulator emulator, EmulatorMember named, bool force)
    {
        var primary = named.Role == EmulatorMemberRole.Primary ? named : emulator.Primary;
        if (primary is null)
        {
            return;
        }

        try
        {
            var period = TimeSpan.FromMilliseconds(200);
            await primary.Member.Set.StepDownAsync(primary.Member, period, TimeSpan.FromMilliseconds(100), force, CancellationToken.None);
        }
        catch (MongoErrorException)
        {
            // Not primary any more, or no secondary caught up in time: the fault simply did not happen.
        }
    }

    private static async Task<EmulatorMember?> PrimaryOrNullAsync(MongoReplicaSetEmulator emulator)
    {
        try
        {
            return await emulator.WaitForPrimaryAsync(TimeSpan.FromMilliseconds(300));
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static async Task HealAsync(MongoReplicaSetEmulator emulator)
    {
        foreach (var member in emulator.Members)
        {
            member.ResumeReplication();
            member.Reconnect();
            await member.StartAsync();
        }

        await emulator.WaitForPrimaryAsync(HealTimeout);
        await emulator.WaitForReplicationAsync(HealTimeout);
    }

    private static List<int> Ops(IEnumerable<BsonDocument> documents) =>
        [.. documents.Where(d => d.Contains("op")).Select(d => d["op"].AsInt32)];
}
