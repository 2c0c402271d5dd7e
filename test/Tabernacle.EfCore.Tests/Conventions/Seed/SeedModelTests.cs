using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Conventions.Seed;

// The seed's TabernacleORM models, as written in C# (API-SKETCH.md).
public class Product
{
    public static class Meta
    {
        public const string Collection = "products";
    }

    public ObjectId Id { get; set; }

    [Required]
    public string Name { get; set; } = "";

    [Required]
    public double Price { get; set; }

    [Default(0)]
    public int Stock { get; set; }
}

public class Event
{
    public ObjectId Id { get; set; }

    public string EventType { get; set; } = "";

    public string UserId { get; set; } = "";

    [AutoNowAdd]
    public DateTime Timestamp { get; set; }
}

public class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Event> Events => Set<Event>();
}

public sealed class SeedModelTests : ProviderTestBase<ShopContext>
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 1, 12, 0, 0, 500, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Noon);

    private ShopContext Context(Action<TabernacleDbContextOptionsBuilder>? configure = null) =>
        CreateContext(configure, b => b.UseApplicationServiceProvider(_clock.AsServices()));

    [Fact]
    public void Collections_are_products_from_Meta_and_events_by_pluralisation()
    {
        using var db = Context();
        Assert.Equal("products", db.Model.FindEntityType(typeof(Product))!.GetCollectionName());
        Assert.Equal("events", db.Model.FindEntityType(typeof(Event))!.GetCollectionName());
    }

    [Fact]
    public async Task Product_create_and_find_price_lt_100()
    {
        // Product.create(name="Laptop", price=999.99, stock=10) and friends
        await using (var db = Context())
        {
            db.Products.Add(new Product { Name = "Laptop", Price = 999.99, Stock = 10 });
            db.Products.Add(new Product { Name = "Mouse", Price = 25 });
            db.Products.Add(new Product { Name = "Cable", Price = 9.5, Stock = 40 });
            await db.SaveChangesAsync();
        }

        // Product.find({"price": {"$lt": 100}})
        await using var reader = Context();
        var cheap = await reader.Products.Where(p => p.Price < 100).OrderBy(p => p.Price).ToListAsync();
        Assert.Equal([("Cable", 9.5, 40), ("Mouse", 25.0, 0)], cheap.Select(p => (p.Name, p.Price, p.Stock)));

        var mouse = await RawCollection("products").Find(new BsonDocument("Name", "Mouse")).SingleAsync();
        Assert.Equal(0, mouse["Stock"].AsInt32);
    }

    [Fact]
    public async Task A_product_without_a_name_is_refused_and_not_written()
    {
        await using var db = Context();
        db.Products.Add(new Product { Name = "", Price = 5 });
        var error = await Assert.ThrowsAsync<TabernacleValidationException>(() => db.SaveChangesAsync());
        Assert.Equal(["Name"], Assert.Single(error.Failures).MemberNames);
        Assert.Equal(0, await RawCollection("products").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task Old_products_without_stock_read_as_zero()
    {
        await RawCollection("products").InsertOneAsync(
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["Name"] = "Legacy", ["Price"] = 3.0 });
        await using var db = Context();
        Assert.Equal(0, (await db.Products.SingleAsync(p => p.Name == "Legacy")).Stock);
    }

    [Fact]
    public async Task Event_timestamp_is_set_on_insert_and_TabernacleORM_documents_are_read_in_snake_case()
    {
        await using (var db = Context(o => o.ElementNaming(ElementNaming.SnakeCase)))
        {
            db.Events.Add(new Event { EventType = "page_view", UserId = "u1" });
            await db.SaveChangesAsync();
        }

        var orm = new DateTime(2025, 12, 24, 18, 0, 0, DateTimeKind.Utc);
        await RawCollection("events").InsertOneAsync(
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["event_type"] = "purchase", ["user_id"] = "u2", ["timestamp"] = orm });

        var stored = await RawCollection("events").Find(new BsonDocument("event_type", "page_view")).SingleAsync();
        Assert.Equal(Noon.UtcDateTime, stored["timestamp"].ToUniversalTime());

        await using var reader = Context(o => o.ElementNaming(ElementNaming.SnakeCase));
        var events = await reader.Events.OrderBy(e => e.Timestamp).ToListAsync();
        Assert.Equal([("purchase", "u2", orm), ("page_view", "u1", Noon.UtcDateTime)],
            events.Select(e => (e.EventType, e.UserId, e.Timestamp)));
    }
}
