using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>A position in the oplog: the entry's timestamp and the election term it was written in.</summary>
internal readonly record struct OpTime(BsonTimestamp Timestamp, long Term) : IComparable<OpTime>
{
    public static OpTime Null { get; } = new(new BsonTimestamp(0, 0), -1);

    public bool IsNull => Timestamp.Value == 0;

    public int CompareTo(OpTime other)
    {
        var cmp = ((ulong)Timestamp.Value).CompareTo((ulong)other.Timestamp.Value);
        return cmp != 0 ? cmp : Term.CompareTo(other.Term);
    }

    public static bool operator <(OpTime left, OpTime right) => left.CompareTo(right) < 0;

    public static bool operator >(OpTime left, OpTime right) => left.CompareTo(right) > 0;

    public static bool operator <=(OpTime left, OpTime right) => left.CompareTo(right) <= 0;

    public static bool operator >=(OpTime left, OpTime right) => left.CompareTo(right) >= 0;

    public BsonDocument ToBsonDocument() => new() { { "ts", Timestamp }, { "t", Term } };
}
