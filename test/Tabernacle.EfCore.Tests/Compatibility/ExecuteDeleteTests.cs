using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Compatibility;

public class Shipment
{
    public ObjectId Id { get; set; }

    public string Code { get; set; } = "";

    public int Weight { get; set; }

    public Address Destination { get; set; } = new();

    public Parcel Parcel { get; set; } = new();

    public List<Stop> Stops { get; set; } = [];

    public List<string> Labels { get; set; } = [];
}

public class Address
{
    public string City { get; set; } = "";
}

public class Parcel
{
    public double Width { get; set; }
}

public class Stop
{
    public string Place { get; set; } = "";
}

public class ShipmentContext(DbContextOptions<ShipmentContext> options) : DbContext(options)
{
    public DbSet<Shipment> Shipments => Set<Shipment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var shipment = modelBuilder.Entity<Shipment>();
        shipment.OwnsOne(s => s.Destination);
        shipment.ComplexProperty(s => s.Parcel);
        shipment.OwnsMany(s => s.Stops);
    }
}

/// <summary>ExecuteDelete and ExecuteUpdate on documents with an owned document, a complex type and a list of documents.</summary>
public sealed class ExecuteDeleteTests : ProviderTestBase<ShipmentContext>
{
    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Shipments.AddRange(
            new Shipment { Code = "a", Weight = 1, Destination = new Address { City = "Oslo" }, Stops = [new Stop { Place = "x" }],
                Labels = ["l"] },
            new Shipment { Code = "b", Weight = 5, Destination = new Address { City = "Rome" } },
            new Shipment { Code = "c", Weight = 9, Destination = new Address { City = "Oslo" } });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task ExecuteDelete_deletes_the_matching_documents_with_what_they_embed()
    {
        await using var db = CreateContext();
        Assert.Equal(0, await db.Shipments.Where(s => s.Code == "none").ExecuteDeleteAsync());
        Assert.Equal(2, await db.Shipments.Where(s => s.Destination.City == "Oslo").ExecuteDeleteAsync());
        Assert.Equal(["b"], await db.Shipments.Select(s => s.Code).ToListAsync());
        Assert.Equal(1, db.Shipments.Where(s => s.Weight > 0).ExecuteDelete());
    }

    [Fact]
    public async Task ExecuteUpdate_sets_fields_of_the_same_documents()
    {
        await using var db = CreateContext();
        Assert.Equal(2,
            await db.Shipments.Where(s => s.Weight > 2).ExecuteUpdateAsync(u => u.SetProperty(s => s.Weight, s => s.Weight + 1)));
        Assert.Equal([1, 6, 10], await db.Shipments.OrderBy(s => s.Weight).Select(s => s.Weight).ToListAsync());
    }
}
