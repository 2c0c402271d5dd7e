using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The replica set's cluster time: strictly increasing timestamps (Unix seconds, increment) handed to each write.
/// One clock serves the whole in-process set, which is what gossiping <c>$clusterTime</c> achieves between real members.
/// </summary>
/// <remarks>
/// A time gossiped by a client only moves the clock when it passes mongod's rate limiter: no further ahead of the wall
/// clock than <see cref="MaxAcceptableDrift"/> (<c>maxAcceptableLogicalClockDriftSecs</c>, one year by default). Without
/// that check one forged <c>Timestamp(0xFFFFFFFF, 0xFFFFFFFF)</c> would push every later optime to 2106 and wrap the
/// increment, so that new optimes sort before old ones.
/// </remarks>
internal sealed class LogicalClock(TimeSpan maxAcceptableDrift, TimeProvider timeProvider)
{
    /// <summary>mongod's default <c>maxAcceptableLogicalClockDriftSecs</c>: 365 days.</summary>
    public static readonly TimeSpan DefaultMaxAcceptableDrift = TimeSpan.FromDays(365);

    private readonly object _gate = new();
    private uint _seconds;
    private uint _increment;

    public LogicalClock()
        : this(DefaultMaxAcceptableDrift, TimeProvider.System)
    {
    }

    /// <summary>How far ahead of the wall clock a gossiped time may be.</summary>
    public TimeSpan MaxAcceptableDrift { get; } = maxAcceptableDrift > TimeSpan.Zero
        ? maxAcceptableDrift
        : throw new ArgumentOutOfRangeException(nameof(maxAcceptableDrift), "maxAcceptableLogicalClockDriftSecs must be positive");

    /// <summary>The latest timestamp handed out (or advanced to).</summary>
    public BsonTimestamp Current
    {
        get
        {
            lock (_gate)
            {
                return new BsonTimestamp((int)_seconds, (int)_increment);
            }
        }
    }

    private uint WallClockSeconds => (uint)timeProvider.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>A new timestamp greater than every one before it.</summary>
    public BsonTimestamp Next()
    {
        lock (_gate)
        {
            var now = WallClockSeconds;
            if (now > _seconds)
            {
                _seconds = now;
                _increment = 1;
            }
            else if (_increment == uint.MaxValue)
            {
                // The increment is spent for this second: borrow the next second rather than wrap (which would go back).
                _seconds++;
                _increment = 1;
            }
            else
            {
                _increment++;
            }

            return new BsonTimestamp((int)_seconds, (int)_increment);
        }
    }

    /// <summary>
    /// Moves the clock forward to a time gossiped by a client (never backwards), after mongod's rate limiter: a time more
    /// than <see cref="MaxAcceptableDrift"/> ahead of the wall clock is refused with ClusterTimeFailsRateLimiter (205)
    /// and the clock does not move.
    /// </summary>
    public void AdvanceFromGossip(BsonTimestamp timestamp)
    {
        EnsurePassesRateLimiter(timestamp, "clusterTime");
        lock (_gate)
        {
            var seconds = (uint)timestamp.Timestamp;
            var increment = (uint)timestamp.Increment;
            if (seconds > _seconds || (seconds == _seconds && increment > _increment))
            {
                _seconds = seconds;
                _increment = increment;
            }
        }
    }

    /// <summary>Throws mongod's ClusterTimeFailsRateLimiter when <paramref name="timestamp"/> is too far ahead of the wall clock.</summary>
    private void EnsurePassesRateLimiter(BsonTimestamp timestamp, string name)
    {
        var wall = WallClockSeconds;
        var seconds = (uint)timestamp.Timestamp;

        // Both are unsigned: compare first so the subtraction cannot wrap.
        if (seconds > wall && seconds - wall > (ulong)MaxAcceptableDrift.TotalSeconds)
        {
            throw new MongoErrorException(
                ErrorCodes.ClusterTimeFailsRateLimiter,
                $"New {name}, {seconds}, is too far from this node's wall clock time, {wall}.");
        }
    }
}
