namespace Tabernacle.MongoEmulator.Tests.Properties;

/// <summary>How a scheduled write ended, as its client saw it.</summary>
public enum WriteOutcome
{
    /// <summary>No primary to send it to, or the member's port was closed.</summary>
    NotSent,

    /// <summary>ok, without write errors or a write concern error: the write concern was satisfied.</summary>
    Acknowledged,

    /// <summary>Applied on the member but the write concern was not satisfied (timeout, step-down).</summary>
    WriteConcernError,

    /// <summary>Refused (not primary, for example).</summary>
    Failed,

    /// <summary>The connection dropped or the reply did not come: it may or may not have happened.</summary>
    Unknown,
}

/// <summary>One scheduled write: its number (the document's <c>op</c>), concern, outcome, and who held it when acknowledged.</summary>
internal sealed record WriteRecord(
    int Op, WriteKind Kind, int SentTo, WriteOutcome Outcome, IReadOnlyList<int> HoldersAtAck, IReadOnlyList<string> DcsAtAck);

/// <summary>A member's state after the schedule healed: the <c>op</c>s it holds (with repeats) and those its rollbacks kept.</summary>
internal sealed record MemberFinalState(int Id, bool IsPrimary, IReadOnlyList<int> Ops, IReadOnlyList<int> RolledBackOps);

/// <summary>What a schedule run produced, for the properties to check.</summary>
internal sealed record ScheduleHistory(
    IReadOnlyList<WriteRecord> Writes, IReadOnlyList<MemberFinalState> Members, IReadOnlyList<string> InvariantViolations)
{
    public override string ToString() =>
        $"writes: [{string.Join(", ", Writes.Select(Describe))}]; members: [{string.Join("; ", Members.Select(Describe))}]";

    private static string Describe(WriteRecord w) =>
        $"#{w.Op} {w.Kind}@m{w.SentTo} {w.Outcome} held by [{string.Join(",", w.HoldersAtAck)}]";

    private static string Describe(MemberFinalState m) =>
        $"m{m.Id}{(m.IsPrimary ? "*" : "")} ops {string.Join(",", m.Ops.Order())} rolled back {string.Join(",", m.RolledBackOps.Order())}";
}
