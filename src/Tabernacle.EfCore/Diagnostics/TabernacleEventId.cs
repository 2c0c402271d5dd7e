using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Tabernacle.EfCore.Diagnostics;

/// <summary>
/// Event ids of the messages Tabernacle logs, in EF Core's provider range (30000+ like Cosmos, here 35000+). Their names
/// start with the EF logger category they belong to, as EF's own do, because that is what <c>LogTo</c>'s category filter
/// matches.
/// </summary>
public static class TabernacleEventId
{
    private const int Base = 35000;

    /// <summary>A command ran: collection, operation, MQL, effective read preference/concern, server, elapsed ms.</summary>
    public static readonly EventId CommandExecuted = new(Base + 100, DbLoggerCategory.Database.Command.Name + ".MongoCommandExecuted");

    /// <summary>A command failed.</summary>
    public static readonly EventId CommandFailed = new(Base + 101, DbLoggerCategory.Database.Command.Name + ".MongoCommandFailed");

    /// <summary>A bulk write of SaveChanges ran.</summary>
    public static readonly EventId BulkWriteExecuted = new(Base + 102, DbLoggerCategory.Update.Name + ".MongoBulkWriteExecuted");

    /// <summary>A transaction started, committed or aborted.</summary>
    public static readonly EventId TransactionEvent = new(Base + 200, DbLoggerCategory.Database.Transaction.Name + ".MongoTransaction");

    /// <summary>
    /// Model building: an entity type with a key property of its own (Id or TypeId) became owned by convention (embedded
    /// in its owner's documents) because no <c>DbSet</c> or <c>ToCollection</c> maps it to a collection.
    /// </summary>
    public static readonly EventId OwnedByConventionWarning =
        new(Base + 300, DbLoggerCategory.Model.Validation.Name + ".OwnedByConventionWarning");
}
