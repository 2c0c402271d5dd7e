using Microsoft.EntityFrameworkCore;
using MongoDB.Bson.Serialization;

namespace Tabernacle.Benchmarks;

/// <summary>A customer: the entity most benchmarks read and write. The same class is the raw driver's document type.</summary>
public sealed class Customer
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public string City { get; set; } = "";

    public int Age { get; set; }

    public double Balance { get; set; }

    public bool Active { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>An order with a reference to its customer (for Include).</summary>
public sealed class Order
{
    public int Id { get; set; }

    public int CustomerId { get; set; }

    public Customer? Customer { get; set; }

    public double Total { get; set; }

    public string Status { get; set; } = "";
}

/// <summary>A wide document: the key and 34 scalar fields of seven types (the 35-field entity of issue 17).</summary>
[Tabernacle.EfCore.Collection("wide_records")]
public sealed class WideRecord
{
    public int Id { get; set; }

    public int Int00 { get; set; }

    public string Text01 { get; set; } = "";

    public double Amount02 { get; set; }

    public bool Flag03 { get; set; }

    public DateTime When04 { get; set; }

    public long Count05 { get; set; }

    public decimal Price06 { get; set; }

    public int Int07 { get; set; }

    public string Text08 { get; set; } = "";

    public double Amount09 { get; set; }

    public bool Flag10 { get; set; }

    public DateTime When11 { get; set; }

    public long Count12 { get; set; }

    public decimal Price13 { get; set; }

    public int Int14 { get; set; }

    public string Text15 { get; set; } = "";

    public double Amount16 { get; set; }

    public bool Flag17 { get; set; }

    public DateTime When18 { get; set; }

    public long Count19 { get; set; }

    public decimal Price20 { get; set; }

    public int Int21 { get; set; }

    public string Text22 { get; set; } = "";

    public double Amount23 { get; set; }

    public bool Flag24 { get; set; }

    public DateTime When25 { get; set; }

    public long Count26 { get; set; }

    public decimal Price27 { get; set; }

    public int Int28 { get; set; }

    public string Text29 { get; set; } = "";

    public double Amount30 { get; set; }

    public bool Flag31 { get; set; }

    public DateTime When32 { get; set; }

    public long Count33 { get; set; }

    /// <summary>The <paramref name="i"/>th wide record, every field derived from <paramref name="i"/>.</summary>
    public static WideRecord Create(int i) => new()
    {
        Id = i,
        Int00 = i * 3 % 1000,
        Text01 = $"text01 {i:D5}",
        Amount02 = Math.Round(i * 3.5 % 997, 2),
        Flag03 = (i + 3) % 2 == 0,
        When04 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 5),
        Count05 = i * 6_000_000L,
        Price06 = i * 7.25m,
        Int07 = i * 10 % 1000,
        Text08 = $"text08 {i:D5}",
        Amount09 = Math.Round(i * 10.5 % 997, 2),
        Flag10 = (i + 10) % 2 == 0,
        When11 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 12),
        Count12 = i * 13_000_000L,
        Price13 = i * 14.25m,
        Int14 = i * 17 % 1000,
        Text15 = $"text15 {i:D5}",
        Amount16 = Math.Round(i * 17.5 % 997, 2),
        Flag17 = (i + 17) % 2 == 0,
        When18 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 19),
        Count19 = i * 20_000_000L,
        Price20 = i * 21.25m,
        Int21 = i * 24 % 1000,
        Text22 = $"text22 {i:D5}",
        Amount23 = Math.Round(i * 24.5 % 997, 2),
        Flag24 = (i + 24) % 2 == 0,
        When25 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 26),
        Count26 = i * 27_000_000L,
        Price27 = i * 28.25m,
        Int28 = i * 31 % 1000,
        Text29 = $"text29 {i:D5}",
        Amount30 = Math.Round(i * 31.5 % 997, 2),
        Flag31 = (i + 31) % 2 == 0,
        When32 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 33),
        Count33 = i * 34_000_000L,
    };
}

/// <summary>The projection of Select to a DTO.</summary>
public sealed class CustomerDto
{
    public string Name { get; set; } = "";

    public string City { get; set; } = "";
}

/// <summary>A GroupBy row: a city and the sum of its balances.</summary>
public sealed class CityTotal
{
    public string City { get; set; } = "";

    public double Total { get; set; }
}

/// <summary>The EF Core model: the provider's defaults (collections <c>customers</c> and <c>orders</c>, elements named as the
/// properties).</summary>
public sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<WideRecord> WideRecords => Set<WideRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>().Property(c => c.Id).ValueGeneratedNever();
        modelBuilder.Entity<Order>().Property(o => o.Id).ValueGeneratedNever();
        modelBuilder.Entity<WideRecord>().Property(w => w.Id).ValueGeneratedNever();
        modelBuilder.Entity<Order>().HasOne(o => o.Customer).WithMany().HasForeignKey(o => o.CustomerId);
    }
}

/// <summary>Class maps of the raw driver: the same classes, the same element names as the provider writes.</summary>
internal static class RawClassMaps
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        BsonClassMap.RegisterClassMap<Customer>(cm =>
        {
            cm.AutoMap();
            cm.MapIdMember(c => c.Id);
            cm.SetIgnoreExtraElements(true);
        });
        BsonClassMap.RegisterClassMap<Order>(cm =>
        {
            cm.AutoMap();
            cm.MapIdMember(o => o.Id);
            cm.GetMemberMap(o => o.Customer).SetIgnoreIfNull(true);
            cm.SetIgnoreExtraElements(true);
        });
        BsonClassMap.RegisterClassMap<WideRecord>(cm =>
        {
            cm.AutoMap();
            cm.MapIdMember(w => w.Id);
            cm.SetIgnoreExtraElements(true);
        });
        BsonClassMap.RegisterClassMap<CustomerDto>(cm =>
        {
            cm.AutoMap();
            cm.SetIgnoreExtraElements(true);
        });
        BsonClassMap.RegisterClassMap<CityTotal>(cm =>
        {
            cm.AutoMap();
            cm.MapMember(c => c.City).SetElementName("_id");
        });
    }
}
