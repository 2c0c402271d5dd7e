using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// A position in the oplog: the entry's timestamp and the election term it was written in. OpTimes compare by term
/// first, as mongod's do: after a partition an old primary may write later timestamps in an older term, and those
/// entries are behind (and lose to) the new primary's.
/// </summary>
internal readonly record struct OpTime(BsonTimestamp Timestamp, long Term) : IComparable<OpTime>
{
    public static OpTime Null { get; } = new(new BsonTimestamp(0, 0), -1);

    public bool IsNull => Timestamp.Value == 0;

    public int CompareTo(OpTime other)
    {
        var cmp = Term.CompareTo(other.Term);
        return cmp != 0 ? cmp : ((ulong)Timestamp.Value).CompareTo((ulong)other.Timestamp.Value);
    }

    public static bool operator <(OpTime left, OpTime right) => left.CompareTo(right) < 0;

    public static bool operator >(OpTime left, OpTime right) => left.CompareTo(right) > 0;

    public static bool operator <=(OpTime left, OpTime right) => left.CompareTo(right) <= 0;

    public static bool operator >=(OpTime left, OpTime right) => left.CompareTo(right) >= 0;

    public BsonDocument ToBsonDocument() => new() { { "ts", Timestamp }, { "t", Term } };
}
