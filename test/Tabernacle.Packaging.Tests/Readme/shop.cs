// The e-commerce model the README's provider snippets talk about: a ShopContext with products, orders and events,
// the context (db), an order, a cut-off date and a connection string (conn), with the provider snippet's usings.
global using Microsoft.EntityFrameworkCore;
global using MongoDB.Bson;
global using MongoDB.Driver;
global using Tabernacle.EfCore;
global using static ReadmeContext;

public class Product
{
    public ObjectId Id { get; set; }
    public string Name { get; set; } = "";
    public double Price { get; set; }
    public int Stock { get; set; }
}

public class Order
{
    public ObjectId Id { get; set; }
    public decimal Total { get; set; }
}

public class Event
{
    public ObjectId Id { get; set; }
    public string EventType { get; set; } = "";
    public string UserId { get; set; } = "";
    public DateTime Timestamp { get; set; }
}

public class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<Event> Events => Set<Event>();
}

internal static class ReadmeContext
{
    public static ShopContext db = null!;
    public static Order order = null!;
    public static DateTime cutoff;
    public static string conn = "";
    public static CancellationToken cancellationToken;
}
