using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public enum Tier
{
    Bronze,
    Silver,
    Gold,
    Platinum,
}

[Flags]
public enum Perks
{
    None = 0,
    FreeShipping = 1,
    GiftWrap = 2,
    Express = 4,
    Insured = 8,
}

public enum OrderStatus
{
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

/// <summary>An owned document of a customer.</summary>
public class Address
{
    public string City { get; set; } = "";

    public string? Zip { get; set; }

    public int Floor { get; set; }
}

/// <summary>An owned array element of an order.</summary>
public class OrderLine
{
    public string Sku { get; set; } = "";

    public int Quantity { get; set; }

    public decimal UnitPrice { get; set; }
}

/// <summary>The principal collection: customers, a TPH hierarchy (<see cref="BusinessCustomer"/>), with a self reference.</summary>
public class Customer
{
    public int Id { get; set; }

    /// <summary>Computed on the client (a getter only, so not mapped): queries that use it cannot be translated.</summary>
    public string DisplayLabel => Name + " (" + Tier + ")";

    public string Name { get; set; } = "";

    public string? Email { get; set; }

    public Tier Tier { get; set; }

    public Perks Perks { get; set; }

    public DateTime Since { get; set; }

    public DateOnly Birthday { get; set; }

    public int? Age { get; set; }

    public decimal CreditLimit { get; set; }

    public Address? Address { get; set; }

    public List<int> Scores { get; set; } = [];

    public List<string> Labels { get; set; } = [];

    public int? ReferredById { get; set; }

    public Customer? ReferredBy { get; set; }

    public List<Order> Orders { get; set; } = [];
}

public class BusinessCustomer : Customer
{
    public string VatNumber { get; set; } = "";

    public int Employees { get; set; }
}

/// <summary>The dependent collection: orders reference a customer (or none) by foreign key.</summary>
public class Order
{
    public int Id { get; set; }

    public int? CustomerId { get; set; }

    public Customer? Customer { get; set; }

    public OrderStatus Status { get; set; }

    public DateTime PlacedAt { get; set; }

    public DateTime? ShippedAt { get; set; }

    public decimal Total { get; set; }

    public decimal? Discount { get; set; }

    public double Weight { get; set; }

    public string? Note { get; set; }

    public List<string> Tags { get; set; } = [];

    public List<OrderLine> Lines { get; set; } = [];
}

public class BreadthContext(DbContextOptions<BreadthContext> options) : DbContext(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<BusinessCustomer> BusinessCustomers => Set<BusinessCustomer>();

    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>().Property(c => c.Id).ValueGeneratedNever();
        modelBuilder.Entity<Customer>().HasOne(c => c.ReferredBy).WithMany().HasForeignKey(c => c.ReferredById);
        modelBuilder.Entity<Order>().Property(o => o.Id).ValueGeneratedNever();
        modelBuilder.Entity<Order>().HasOne(o => o.Customer).WithMany(c => c.Orders).HasForeignKey(o => o.CustomerId);
    }
}
