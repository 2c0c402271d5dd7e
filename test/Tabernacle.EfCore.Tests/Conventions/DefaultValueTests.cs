using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Conventions;

public enum Tier
{
    Free,
    Pro,
    Enterprise,
}

public class Gadget
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";

    [Default(0)]
    public int Stock { get; set; }

    [Default(5)]
    public int Rating { get; set; }

    [Default(1.5)]
    public double Weight { get; set; }

    [Default("9.99")]
    public decimal Price { get; set; }

    [Default("unknown")]
    public string? Origin { get; set; }

    [Default(true)]
    public bool Active { get; set; }

    [Default(nameof(Tier.Pro))]
    public Tier Tier { get; set; }

    public int? Optional { get; set; }

    public string Fluent { get; set; } = null!;
}

public class Strict
{
    public ObjectId Id { get; set; }

    public int Quantity { get; set; }

    public string Label { get; set; } = "";

    public string? Note { get; set; }
}

public class DefaultsContext(DbContextOptions<DefaultsContext> options) : DbContext(options)
{
    public DbSet<Gadget> Gadgets => Set<Gadget>();

    public DbSet<Strict> Stricts => Set<Strict>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Gadget>().Property(g => g.Optional).HasDefault(3);
        modelBuilder.Entity<Gadget>().Property(g => g.Fluent).HasDefault("fluent default");
        modelBuilder.Entity<Gadget>().Property(g => g.Rating).HasDefault(7);
    }
}

public sealed class DefaultValueTests : ProviderTestBase<DefaultsContext>
{
    [Fact]
    public void Model_holds_converted_defaults_and_fluent_wins_over_the_attribute()
    {
        using var db = CreateContext();
        var gadget = db.Model.FindEntityType(typeof(Gadget))!;
        Assert.Equal(9.99m, gadget.FindProperty(nameof(Gadget.Price))!.GetDefault());
        Assert.Equal(1.5, gadget.FindProperty(nameof(Gadget.Weight))!.GetDefault());
        Assert.Equal(Tier.Pro, gadget.FindProperty(nameof(Gadget.Tier))!.GetDefault());
        Assert.Equal(7, gadget.FindProperty(nameof(Gadget.Rating))!.GetDefault());
        Assert.Null(gadget.FindProperty(nameof(Gadget.Name))!.GetDefault());
    }

    [Fact]
    public async Task Insert_writes_defaults_into_properties_that_hold_their_CLR_default()
    {
        var gadget = new Gadget { Name = "g", Fluent = null! };
        await using (var db = CreateContext())
        {
            db.Gadgets.Add(gadget);
            await db.SaveChangesAsync();
        }

        Assert.Equal((0, 7, 1.5, 9.99m, "unknown", true, Tier.Pro, (int?)3, "fluent default"),
            (gadget.Stock, gadget.Rating, gadget.Weight, gadget.Price, gadget.Origin, gadget.Active, gadget.Tier, gadget.Optional,
                gadget.Fluent));
        var raw = await RawCollection("gadgets").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Equal(7, raw["Rating"].AsInt32);
        Assert.Equal("unknown", raw["Origin"].AsString);
        Assert.Equal(9.99m, raw["Price"].ToDecimal());
        Assert.Equal(3, raw["Optional"].AsInt32);
    }

    [Fact]
    public async Task Explicit_values_are_kept()
    {
        var gadget =
            new Gadget { Name = "g", Rating = 2, Weight = 4, Price = 1m, Origin = "FR", Tier = Tier.Enterprise, Optional = 8,
                Fluent = "mine" };
        await using (var db = CreateContext())
        {
            db.Gadgets.Add(gadget);
            db.SaveChanges();
        }

        await using var reader = CreateContext();
        var read = await reader.Gadgets.SingleAsync();
        Assert.Equal((2, 4.0, 1m, "FR", Tier.Enterprise, (int?)8, "mine"),
            (read.Rating, read.Weight, read.Price, read.Origin, read.Tier, read.Optional, read.Fluent));
    }

    [Fact]
    public async Task Old_documents_without_the_elements_materialise_with_the_defaults()
    {
        var id = ObjectId.GenerateNewId();
        await RawCollection("gadgets").InsertManyAsync(
        [
            new BsonDocument { ["_id"] = id, ["Name"] = "old" },
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["Name"] = "nulls", ["Optional"] = BsonNull.Value,
                ["Origin"] = BsonNull.Value, ["Rating"] = BsonNull.Value },
        ]);

        await using var db = CreateContext();
        var old = await db.Gadgets.SingleAsync(g => g.Id == id);
        Assert.Equal((0, 7, 1.5, 9.99m, "unknown", true, Tier.Pro, (int?)3, "fluent default"),
            (old.Stock, old.Rating, old.Weight, old.Price, old.Origin, old.Active, old.Tier, old.Optional, old.Fluent));

        // An explicit null is a value for a property that can hold it; a non-nullable value type falls back to its default.
        var nulls = await db.Gadgets.SingleAsync(g => g.Name == "nulls");
        Assert.Null(nulls.Optional);
        Assert.Null(nulls.Origin);
        Assert.Equal(7, nulls.Rating);
    }

    [Theory]
    [InlineData("Quantity")]
    [InlineData("Label")]
    public async Task A_missing_element_without_default_names_the_collection_the_id_and_the_field(string missing)
    {
        var id = ObjectId.GenerateNewId();
        var document = new BsonDocument { ["_id"] = id, ["Quantity"] = 1, ["Label"] = "l", ["Note"] = "n" };
        document.Remove(missing);
        await RawCollection("stricts").InsertOneAsync(document);

        await using var db = CreateContext();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Stricts.ToListAsync());
        Assert.Contains("'stricts'", error.Message);
        Assert.Contains(id.ToString(), error.Message);
        Assert.Contains($"'{missing}'", error.Message);
    }

    [Fact]
    public async Task A_missing_nullable_element_reads_as_null()
    {
        await RawCollection("stricts").InsertOneAsync(
            new BsonDocument { ["_id"] = ObjectId.GenerateNewId(), ["Quantity"] = 1, ["Label"] = "l" });
        await using var db = CreateContext();
        Assert.Null((await db.Stricts.SingleAsync()).Note);
    }
}

public class BadDefault
{
    public ObjectId Id { get; set; }

    [Default("not a number")]
    public int Count { get; set; }
}

public class BadDefaultContext(DbContextOptions<BadDefaultContext> options) : DbContext(options)
{
    public DbSet<BadDefault> Items => Set<BadDefault>();
}

public sealed class BadDefaultTests
{
    [Fact]
    public void A_default_that_cannot_be_converted_fails_the_model_naming_the_property()
    {
        var options = new DbContextOptionsBuilder<BadDefaultContext>().UseTabernacle("mongodb://127.0.0.1:1", "unused").Options;
        using var db = new BadDefaultContext(options);
        var error = Assert.Throws<InvalidOperationException>(() => db.Model);
        Assert.Contains("BadDefault.Count", error.Message);
    }
}
