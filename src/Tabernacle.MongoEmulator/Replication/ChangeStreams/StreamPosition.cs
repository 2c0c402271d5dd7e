using System.Globalization;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication.ChangeStreams;

/// <summary>
/// A point in the change history: the oplog entry's timestamp and the event's index within it (a transaction's
/// operations, or a drop and its invalidate). A high-water mark (<see cref="IsHighWaterMark"/>) stands after every event
/// of its timestamp. Everything is derived from the oplog entry, which every member holds identically, so a resume
/// token means the same on every member, as mongod's do.
/// </summary>
internal readonly record struct StreamPosition(BsonTimestamp Time, int Index, bool FromInvalidate = false)
{
    private const int HighWaterIndex = int.MaxValue;
    private const string Version = "01";

    /// <summary>Before every event at <paramref name="time"/> (startAtOperationTime).</summary>
    public static StreamPosition Before(BsonTimestamp time) => new(time, -1);

    /// <summary>After every event at or before <paramref name="time"/>.</summary>
    public static StreamPosition HighWaterMark(BsonTimestamp time) => new(time, HighWaterIndex);

    public bool IsHighWaterMark => Index == HighWaterIndex;

    /// <summary>Whether an event at <paramref name="other"/> comes after this position.</summary>
    public bool Precedes(StreamPosition other)
    {
        var byTime = ((ulong)Time.Value).CompareTo((ulong)other.Time.Value);
        return byTime < 0 || (byTime == 0 && Index < other.Index);
    }

    public static StreamPosition Later(StreamPosition a, StreamPosition b) => a.Precedes(b) ? b : a;

    /// <summary>
    /// The resume token: <c>{ _data: hex }</c> like mongod's, opaque to drivers. The hex sorts in stream order:
    /// timestamp, token type (high-water mark or event), index, and whether it is an invalidate's.
    /// </summary>
    public BsonDocument ToToken()
    {
        var data = string.Create(CultureInfo.InvariantCulture,
            $"82{(ulong)Time.Value:X16}{Version}{(IsHighWaterMark ? "00" : "80")}{(uint)(Index + 1):X8}{(FromInvalidate ? "01" : "00")}");
        return new BsonDocument("_data", data);
    }

    /// <summary>Reads a token this emulator issued; anything else is error 40649 as mongod answers a malformed token.</summary>
    public static StreamPosition FromToken(BsonValue token, string option)
    {
        if (token is not BsonDocument document || !document.TryGetValue("_data", out var value) || !value.IsString)
        {
            throw Malformed(option, "it must be an object with a string '_data' field");
        }

        var data = value.AsString;
        if (data.Length != 2 + 16 + 2 + 2 + 8 + 2 || !data.StartsWith("82", StringComparison.Ordinal) || data.Substring(18, 2) != Version
            || !ulong.TryParse(data.AsSpan(2, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var time)
            || !uint.TryParse(data.AsSpan(22, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var index))
        {
            throw Malformed(option, "its '_data' is not a resume token this server issued");
        }

        var timestamp = new BsonTimestamp((long)time);
        return data.Substring(20, 2) == "00"
            ? HighWaterMark(timestamp)
            : new StreamPosition(timestamp, (int)(index - 1), data.EndsWith("01", StringComparison.Ordinal));
    }

    private static MongoErrorException Malformed(string option, string why) =>
        new(40649, $"The '{option}' resume token is malformed: {why}");
}
