using CsCheck;

namespace Tabernacle.MongoEmulator.Tests.Properties;

/// <summary>The write concern a scheduled write asks for.</summary>
public enum WriteKind
{
    W1,
    W2,
    W3,
    Majority,

    /// <summary>The custom mode <c>twoDCs</c>: members in two data centres (which, with these tags, is a majority).</summary>
    TwoDCs,
}

/// <summary>A fault a schedule injects into one member.</summary>
public enum FaultKind
{
    PauseReplication,
    ResumeReplication,
    StepDown,
    ForceStepDown,
    Stop,
    Start,
    Disconnect,
    Reconnect,
}

/// <summary>One step of a schedule run against a fresh 3-member emulator.</summary>
public abstract record ScheduleStep;

/// <summary>
/// Inserts one document with <see cref="Kind"/>'s write concern. <see cref="Target"/> names a member to send it to when
/// that member thinks it is primary; -2 sends it to an old primary cut off from the set if there is one (the writes
/// that get rolled back); otherwise, and for -1, it goes to the set's primary.
/// </summary>
public sealed record WriteStep(WriteKind Kind, int Target) : ScheduleStep
{
    public const int StalePrimary = -2;

    public override string ToString() =>
        $"Write({Kind}→{Target switch { StalePrimary => "stale primary", < 0 => "primary", _ => $"m{Target}" }})";
}

/// <summary>
/// Injects <see cref="Kind"/> into member <see cref="Member"/>, or into the set's primary for -1 (step-downs always
/// target a primary: the named member if it is one, else the set's).
/// </summary>
public sealed record FaultStep(FaultKind Kind, int Member) : ScheduleStep
{
    public const int Primary = -1;

    public override string ToString() => $"{Kind}({(Member == Primary ? "primary" : $"m{Member}")})";
}

/// <summary>
/// Schedules built only from CsCheck's combinators, so that a failing schedule shrinks (fewer steps, earlier enum
/// values, lower member numbers) to a minimal one.
/// </summary>
internal static class ScheduleGen
{
    public const int Members = 3;

    // Writes to a cut-off old primary and partitions of the primary are what lead to rollbacks, and they only matter
    // in the short window before the old primary notices, so they are weighted up.
    private static readonly Gen<int> WriteTarget = Gen.Frequency((3, Gen.Const(WriteStep.StalePrimary)), (4, Gen.Int[-1, Members - 1]));

    private static readonly Gen<FaultKind> FaultKinds = Gen.Frequency((3, Gen.Const(FaultKind.Disconnect)), (5, Gen.Enum<FaultKind>()));

    private static readonly Gen<ScheduleStep> Write =
        Gen.Select(Gen.Enum<WriteKind>(), WriteTarget, (kind, target) => (ScheduleStep)new WriteStep(kind, target));

    private static readonly Gen<ScheduleStep> Fault =
        Gen.Select(FaultKinds, Gen.Int[FaultStep.Primary, Members - 1], (kind, member) => (ScheduleStep)new FaultStep(kind, member));

    /// <summary>Mostly writes, with faults between them.</summary>
    public static Gen<ScheduleStep[]> Schedule { get; } = Gen.Frequency((3, Write), (2, Fault)).Array[1, 14];

    public static string Print(ScheduleStep[] steps) => string.Join(", ", steps.Select(s => s.ToString()));
}
