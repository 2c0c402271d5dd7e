using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The replica set's cluster time: strictly increasing timestamps (Unix seconds, increment) handed to each write.
/// One clock serves the whole in-process set, which is what gossiping <c>$clusterTime</c> achieves between real members.
/// </summary>
internal sealed class LogicalClock
{
    private readonly object _gate = new();
    private uint _seconds;
    private uint _increment;

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

    /// <summary>A new timestamp greater than every one before it.</summary>
    public BsonTimestamp Next()
    {
        lock (_gate)
        {
            var now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (now > _seconds)
            {
                _seconds = now;
                _increment = 1;
            }
            else
            {
                _increment++;
            }

            return new BsonTimestamp((int)_seconds, (int)_increment);
        }
    }

    /// <summary>Moves the clock forward to a time gossiped by a client (never backwards).</summary>
    public void Advance(BsonTimestamp timestamp)
    {
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
}
