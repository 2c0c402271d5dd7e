using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.Model;

public enum Category
{
    Hardware,
    Books,
    Garden,
}

public class Product
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";

    public decimal Price { get; set; }

    public int Stock { get; set; }

    public int? Rating { get; set; }

    public Category Category { get; set; }

    public DateTime AddedAt { get; set; }

    public List<string> Tags { get; set; } = [];

    public Dimensions? Size { get; set; }

    public List<Review> Reviews { get; set; } = [];
}

public class Dimensions
{
    public double Width { get; set; }

    public double Height { get; set; }
}

public class Review
{
    public string Author { get; set; } = "";

    public int Stars { get; set; }
}

public class Customer
{
    [Key]
    public string Email { get; set; } = "";

    public string Name { get; set; } = "";

    [ConcurrencyCheck]
    public int Loyalty { get; set; }

    [Timestamp]
    public long Version { get; set; }
}

public class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Customer> Customers => Set<Customer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>().Property(c => c.Version).IsRowVersion();
    }
}
