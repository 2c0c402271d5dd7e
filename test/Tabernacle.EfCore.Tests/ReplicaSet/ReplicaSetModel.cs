using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

public class Item
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";

    public int Quantity { get; set; }
}

[WriteConcern("majority", WTimeoutMs = 400)]
public class AuditEntry
{
    public ObjectId Id { get; set; }

    public string Message { get; set; } = "";
}

public class Versioned
{
    public ObjectId Id { get; set; }

    [System.ComponentModel.DataAnnotations.ConcurrencyCheck]
    public int Revision { get; set; }
}

public class ReplicaSetContext(DbContextOptions<ReplicaSetContext> options) : DbContext(options)
{
    public DbSet<Item> Items => Set<Item>();

    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    public DbSet<Versioned> Versioned => Set<Versioned>();
}
