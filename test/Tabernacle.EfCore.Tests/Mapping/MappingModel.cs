using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Tabernacle.EfCore.Tests.Mapping;

public enum Level
{
    Low = 1,
    Mid = 2,
    High = 3,
}

public class ObjectIdKeyed
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";
}

public class Widget
{
    public int WidgetId { get; set; }

    public string Name { get; set; } = "";
}

public class StringKeyed
{
    [Key]
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";
}

public class ObjectIdStringKeyed
{
    [BsonRepresentation(BsonType.ObjectId)]
    public string Id { get; set; } = null!;

    public string Name { get; set; } = "";
}

public class GuidKeyed
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";
}

public class LongKeyed
{
    public long Id { get; set; }

    public string Name { get; set; } = "";
}

public class CompositeKeyed
{
    public string Tenant { get; set; } = "";

    public int Number { get; set; }

    public string Name { get; set; } = "";
}

public class Named
{
    public int Id { get; set; }

    [BsonElement("bson_name")]
    public string ByBsonElement { get; set; } = "";

    [Column("column_name")]
    public string ByColumn { get; set; } = "";

    public string ByFluent { get; set; } = "";

    public string Plain { get; set; } = "";
}

public class Address
{
    public string Street { get; set; } = "";

    public string City { get; set; } = "";
}

public class PostalAddress
{
    public string Street { get; set; } = "";

    public string City { get; set; } = "";

    public int? Zip { get; set; }
}

public class Line
{
    public string Sku { get; set; } = "";

    public int Quantity { get; set; }
}

public class GeoPoint
{
    public double Lat { get; set; }

    public double Lng { get; set; }
}

public class Order
{
    public int Id { get; set; }

    public Address Shipping { get; set; } = new();

    public List<Line> Lines { get; set; } = [];

    /// <summary>Not configured anywhere: a nested class is embedded by convention.</summary>
    public GeoPoint? Location { get; set; }
}

public class Place
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>A complex type (ComplexProperty).</summary>
    public PostalAddress Address { get; set; } = new();

    public Contact Contact { get; set; } = new();
}

public class Contact
{
    public string Email { get; set; } = "";

    public int Priority { get; set; }

    public PostalAddress Postal { get; set; } = new();
}

public readonly record struct Money(decimal Amount, string Currency)
{
    public override string ToString() => $"{Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Currency}";

    public static Money Parse(string text)
    {
        var parts = text.Split(' ');
        return new Money(decimal.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1]);
    }
}

public class AllTypes
{
    public int Id { get; set; }

    public Level NumberEnum { get; set; }

    public Level StringEnumByConversion { get; set; }

    [BsonRepresentation(BsonType.String)]
    public Level StringEnumByAttribute { get; set; }

    public Level? NullableEnum { get; set; }

    public DateTime When { get; set; }

    public DateTime? MaybeWhen { get; set; }

    public DateTimeOffset Offset { get; set; }

    public DateOnly Day { get; set; }

    public TimeOnly Time { get; set; }

    public decimal Amount { get; set; }

    public decimal? MaybeAmount { get; set; }

    public Guid Token { get; set; }

    public byte[] Blob { get; set; } = [];

    public int? MaybeInt { get; set; }

    public bool Flag { get; set; }

    public double Ratio { get; set; }

    public long Big { get; set; }

    public Money Price { get; set; }

    public List<string> Tags { get; set; } = [];

    public int[] Scores { get; set; } = [];

    public List<Level> Levels { get; set; } = [];
}

public class Buyer
{
    public int Id { get; set; }

    public string Name { get; set; } = "";
}

public class Purchase
{
    public int Id { get; set; }

    public int BuyerId { get; set; }

    public Buyer Buyer { get; set; } = null!;

    public decimal Total { get; set; }
}

public class MappingContext(DbContextOptions<MappingContext> options) : DbContext(options)
{
    public DbSet<ObjectIdKeyed> ObjectIdKeyed => Set<ObjectIdKeyed>();

    public DbSet<Widget> Widgets => Set<Widget>();

    public DbSet<StringKeyed> StringKeyed => Set<StringKeyed>();

    public DbSet<ObjectIdStringKeyed> ObjectIdStringKeyed => Set<ObjectIdStringKeyed>();

    public DbSet<GuidKeyed> GuidKeyed => Set<GuidKeyed>();

    public DbSet<LongKeyed> LongKeyed => Set<LongKeyed>();

    public DbSet<CompositeKeyed> CompositeKeyed => Set<CompositeKeyed>();

    public DbSet<Named> Named => Set<Named>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<Place> Places => Set<Place>();

    public DbSet<AllTypes> AllTypes => Set<AllTypes>();

    public DbSet<Buyer> Buyers => Set<Buyer>();

    public DbSet<Purchase> Purchases => Set<Purchase>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Widget>().Property(w => w.WidgetId).ValueGeneratedNever();
        modelBuilder.Entity<LongKeyed>().Property(w => w.Id).ValueGeneratedNever();
        modelBuilder.Entity<CompositeKeyed>().HasKey(c => new { c.Tenant, c.Number });
        modelBuilder.Entity<Named>().Property(n => n.ByFluent).HasElementName("fluent_name");
        modelBuilder.Entity<Named>().Property(n => n.Id).ValueGeneratedNever();
        modelBuilder.Entity<Order>(order =>
        {
            order.Property(o => o.Id).ValueGeneratedNever();
            order.OwnsOne(o => o.Shipping).HasElementName("ship_to");
            order.OwnsMany(o => o.Lines);
        });
        modelBuilder.Entity<Place>(place =>
        {
            place.Property(p => p.Id).ValueGeneratedNever();
            place.ComplexProperty(p => p.Address);
            place.ComplexProperty(p => p.Contact, c =>
            {
                c.Property(x => x.Email).HasElementName("mail");
                c.ComplexProperty(x => x.Postal);
            });
        });
        modelBuilder.Entity<AllTypes>(all =>
        {
            all.Property(a => a.Id).ValueGeneratedNever();
            all.Property(a => a.StringEnumByConversion).HasConversion<string>();
            all.Property(a => a.Price).HasConversion(m => m.ToString(), s => Money.Parse(s));
            all.Property<string>("Note");
        });
        modelBuilder.Entity<Buyer>().Property(b => b.Id).ValueGeneratedNever();
        modelBuilder.Entity<Purchase>().Property(b => b.Id).ValueGeneratedNever();
    }
}
