using Microsoft.Extensions.Logging;

namespace Tabernacle.EfCore.Diagnostics;

/// <summary>Event ids of the messages Tabernacle logs, in EF Core's provider range (30000+ like Cosmos, here 35000+).</summary>
public static class TabernacleEventId
{
    private const int Base = 35000;

    /// <summary>A command ran: collection, operation, MQL, effective read preference/concern, server, elapsed ms.</summary>
    public static readonly EventId CommandExecuted = new(Base + 100, "Tabernacle.Database.Command.CommandExecuted");

    /// <summary>A command failed.</summary>
    public static readonly EventId CommandFailed = new(Base + 101, "Tabernacle.Database.Command.CommandFailed");

    /// <summary>A bulk write of SaveChanges ran.</summary>
    public static readonly EventId BulkWriteExecuted = new(Base + 102, "Tabernacle.Update.BulkWriteExecuted");

    /// <summary>A transaction started, committed or aborted.</summary>
    public static readonly EventId TransactionEvent = new(Base + 200, "Tabernacle.Database.Transaction");
}
