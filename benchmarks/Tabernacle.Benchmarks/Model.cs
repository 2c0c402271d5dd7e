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

/// <summary>The EF Core model: the provider's defaults (collections <c>customers</c> and <c>orders</c>, elements named as the properties).</summary>
public sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>().Property(c => c.Id).ValueGeneratedNever();
        modelBuilder.Entity<Order>().Property(o => o.Id).ValueGeneratedNever();
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
