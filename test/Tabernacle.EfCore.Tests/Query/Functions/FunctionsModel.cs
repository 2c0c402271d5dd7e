using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.Query.Functions;

[Flags]
public enum Perks
{
    None = 0,
    FreeShipping = 1,
    GiftWrap = 2,
    Express = 4,
    Insured = 8,
}

public enum Tier
{
    Bronze,
    Silver,
    Gold,
}

/// <summary>An entity with a property of every kind the function translators work on.</summary>
public class Item
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public string? Nick { get; set; }

    public string Code { get; set; } = "";

    public string Prefix { get; set; } = "";

    public string Pattern { get; set; } = "";

    public decimal Price { get; set; }

    public double Weight { get; set; }

    public int Quantity { get; set; }

    public int? Rating { get; set; }

    public long Big { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ShippedAt { get; set; }

    public DateTimeOffset ListedAt { get; set; }

    public DateOnly ReleaseDate { get; set; }

    public TimeOnly OpensAt { get; set; }

    public TimeSpan Warranty { get; set; }

    public Perks Perks { get; set; }

    public Tier Tier { get; set; }

    public Tier NamedTier { get; set; }

    public ObjectId ExternalId { get; set; }
}

public class FunctionsContext(DbContextOptions<FunctionsContext> options) : DbContext(options)
{
    public DbSet<Item> Items => Set<Item>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Item>().Property(i => i.NamedTier).HasConversion<string>();
}
