using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Conventions;

public class PageEvent
{
    public ObjectId Id { get; set; }

    public string EventType { get; set; } = "";

    public string UserId { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public int HTTPStatus { get; set; }

    [BsonElement("src")]
    public string Source { get; set; } = "";

    [Column("ver")]
    public int SchemaVersion { get; set; }

    public string FluentNamed { get; set; } = "";

    public GeoPoint? HomeLocation { get; set; }
}

public class GeoPoint
{
    public string CityName { get; set; } = "";

    public double Latitude { get; set; }
}

public class ElementNamingContext(DbContextOptions<ElementNamingContext> options) : DbContext(options)
{
    public DbSet<PageEvent> Events => Set<PageEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<PageEvent>().Property(e => e.FluentNamed).HasElementName("fluent");
}

public sealed class ElementNamingTests : ProviderTestBase<ElementNamingContext>
{
    private static readonly DateTime At = new(2026, 3, 1, 9, 15, 30, 250, DateTimeKind.Utc);

    private static PageEvent NewEvent() => new()
    {
        EventType = "page_view", UserId = "u1", CreatedAt = At, HTTPStatus = 200, Source = "web", SchemaVersion = 2, FluentNamed = "f",
        HomeLocation = new GeoPoint { CityName = "Lyon", Latitude = 45.76 },
    };

    private async Task<BsonDocument> SaveAndReadRawAsync(ElementNaming naming)
    {
        await using var db = CreateContext(o => o.ElementNaming(naming));
        db.Events.Add(NewEvent());
        await db.SaveChangesAsync();
        return await RawCollection("pageevents").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
    }

    [Fact]
    public async Task Snake_case_stores_TabernacleORM_names_and_per_property_names_win()
    {
        var document = await SaveAndReadRawAsync(ElementNaming.SnakeCase);
        Assert.Equal(["_id", "created_at", "event_type", "fluent", "home_location", "http_status", "src", "user_id", "ver"],
            document.Names.Order(StringComparer.Ordinal));
        Assert.Equal(["city_name", "latitude"], document["home_location"].AsBsonDocument.Names.Order(StringComparer.Ordinal));
        Assert.Equal("page_view", document["event_type"].AsString);
    }

    [Fact]
    public async Task Camel_case_stores_camel_names_and_per_property_names_win()
    {
        var document = await SaveAndReadRawAsync(ElementNaming.CamelCase);
        Assert.Equal(["_id", "createdAt", "eventType", "fluent", "hTTPStatus", "homeLocation", "src", "userId", "ver"],
            document.Names.Order(StringComparer.Ordinal));
        Assert.Equal(["cityName", "latitude"], document["homeLocation"].AsBsonDocument.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task As_declared_is_the_default()
    {
        await using (var db = CreateContext())
        {
            db.Events.Add(NewEvent());
            await db.SaveChangesAsync();
        }

        var document = await RawCollection("pageevents").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Contains("EventType", document.Names);
        Assert.Contains("HomeLocation", document.Names);
        Assert.Contains("src", document.Names);
    }

    [Fact]
    public async Task Documents_written_by_TabernacleORM_in_snake_case_are_read_queried_and_updated()
    {
        var id = ObjectId.GenerateNewId();
        await RawCollection("pageevents").InsertManyAsync(
        [
            new BsonDocument { ["_id"] = id, ["event_type"] = "signup", ["user_id"] = "u7", ["created_at"] = At, ["http_status"] = 201,
                ["src"] = "app", ["ver"] = 1, ["fluent"] = "x",
                    ["home_location"] = new BsonDocument { ["city_name"] = "Oslo", ["latitude"] = 59.9 } },
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["event_type"] = "page_view", ["user_id"] = "u8", ["created_at"] = At,
                ["http_status"] = 200, ["src"] = "web", ["ver"] = 1, ["fluent"] = "y", ["home_location"] = BsonNull.Value },
        ]);

        await using (var db = CreateContext(o => o.ElementNaming(ElementNaming.SnakeCase)))
        {
            var signup = await db.Events.SingleAsync(e => e.EventType == "signup" && e.HomeLocation!.CityName == "Oslo");
            Assert.Equal((id, "u7", At, 201, "app", 1, "x", 59.9),
                (signup.Id, signup.UserId, signup.CreatedAt, signup.HTTPStatus, signup.Source, signup.SchemaVersion, signup.FluentNamed,
                    signup.HomeLocation!.Latitude));
            Assert.Equal(["u8"], await db.Events.Where(e => e.HTTPStatus == 200).Select(e => e.UserId).ToListAsync());
            signup.UserId = "u9";
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("pageevents").Find(new BsonDocument("_id", id)).SingleAsync();
        Assert.Equal("u9", stored["user_id"].AsString);
        Assert.DoesNotContain("UserId", stored.Names);
    }
}
