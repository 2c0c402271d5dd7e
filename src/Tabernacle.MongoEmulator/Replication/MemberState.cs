namespace Tabernacle.MongoEmulator.Replication;

/// <summary>A member's replica-set state, as <c>replSetGetStatus</c> reports it.</summary>
internal enum MemberState
{
    Primary = 1,
    Secondary = 2,
    Down = 8,
}
