namespace Tabernacle.MongoEmulator;

/// <summary>A member's current role in the set.</summary>
public enum EmulatorMemberRole
{
    /// <summary>Accepts writes and primary reads.</summary>
    Primary,

    /// <summary>Replicates from the primary and serves secondary reads.</summary>
    Secondary,

    /// <summary>Stopped: not listening and not replicating.</summary>
    Down,
}

/// <summary>A snapshot of a member's <c>serverStatus.opcounters</c>.</summary>
/// <param name="Insert">Documents inserted.</param>
/// <param name="Query">find commands.</param>
/// <param name="Update">Update statements.</param>
/// <param name="Delete">Delete statements.</param>
/// <param name="GetMore">getMore commands.</param>
/// <param name="Command">Other commands (aggregate, count, hello, ...).</param>
public sealed record EmulatorOpCounters(long Insert, long Query, long Update, long Delete, long GetMore, long Command)
{
    /// <summary>Reads served: find, getMore and other commands are counted as MongoDB counts them; this sums find and getMore.</summary>
    public long Reads => Query + GetMore;
}

/// <summary>A snapshot of a member's simulated read load (see <see cref="EmulatorMember.ReadLoad"/>).</summary>
/// <param name="InService">Read commands holding a slot now.</param>
/// <param name="Waiting">Read commands queued for a slot now.</param>
/// <param name="PeakInService">The most read commands that held a slot at once since the start or the last reset.</param>
/// <param name="PeakWaiting">The most read commands that waited at once since the start or the last reset.</param>
/// <param name="Served">Read commands that completed their service since the start or the last reset.</param>
public sealed record EmulatorReadLoad(int InService, int Waiting, int PeakInService, int PeakWaiting, long Served);

/// <summary>Starting the emulator failed because a port it needs is taken.</summary>
public sealed class EmulatorPortInUseException(int port, Exception inner)
    : IOException($"port {port} is already in use; choose another base port or stop the process using it", inner)
{
    /// <summary>The port that could not be bound.</summary>
    public int Port { get; } = port;
}
