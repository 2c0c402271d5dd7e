using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Conventions;

public class Category
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";
}

public class Person
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";
}

public class MetaNamed
{
    public static class Meta
    {
        public const string Collection = "meta_things";
    }

    public ObjectId Id { get; set; }
}

[Collection("attribute_things")]
public class AttributeNamed
{
    public static class Meta
    {
        public const string Collection = "loses_to_attribute";
    }

    public ObjectId Id { get; set; }
}

[Collection("loses_to_fluent")]
public class FluentNamed
{
    public static class Meta
    {
        public const string Collection = "loses_too";
    }

    public ObjectId Id { get; set; }
}

public class Animal
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";
}

[Collection("dogs_are_still_animals")]
public class Dog : Animal
{
    public bool GoodBoy { get; set; }
}

public class Cat : Animal
{
    public static class Meta
    {
        public const string Collection = "cats_too";
    }

    public int Lives { get; set; }
}

public class NamingContext(DbContextOptions<NamingContext> options) : DbContext(options)
{
    public DbSet<Category> Categories => Set<Category>();

    public DbSet<Person> Folks => Set<Person>();

    public DbSet<MetaNamed> MetaNamed => Set<MetaNamed>();

    public DbSet<AttributeNamed> AttributeNamed => Set<AttributeNamed>();

    public DbSet<FluentNamed> FluentNamed => Set<FluentNamed>();

    public DbSet<Animal> Animals => Set<Animal>();

    public DbSet<Dog> Dogs => Set<Dog>();

    public DbSet<Cat> Cats => Set<Cat>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<FluentNamed>().ToCollection("fluent_things");
}

public sealed class CollectionNamingTests : ProviderTestBase<NamingContext>
{
    private static string CollectionOf<T>(DbContext db) => db.Model.FindEntityType(typeof(T))!.GetCollectionName();

    [Fact]
    public void Default_rule_lower_cases_and_pluralises_the_type_name_with_irregular_plurals()
    {
        using var db = CreateContext();
        Assert.Equal("categories", CollectionOf<Category>(db));
        Assert.Equal("people", CollectionOf<Person>(db));
        Assert.Equal("animals", CollectionOf<Animal>(db));
    }

    [Fact]
    public void Fluent_beats_attribute_beats_Meta_class_beats_the_rule()
    {
        using var db = CreateContext();
        Assert.Equal("fluent_things", CollectionOf<FluentNamed>(db));
        Assert.Equal("attribute_things", CollectionOf<AttributeNamed>(db));
        Assert.Equal("meta_things", CollectionOf<MetaNamed>(db));
    }

    [Fact]
    public void Derived_types_share_the_root_collection_whatever_they_declare()
    {
        using var db = CreateContext();
        Assert.Equal("animals", CollectionOf<Dog>(db));
        Assert.Equal("animals", CollectionOf<Cat>(db));
    }

    [Fact]
    public void DbSet_name_rule_uses_the_property_name_and_keeps_more_specific_names()
    {
        using var db = CreateContext(o => o.CollectionNaming(CollectionNaming.DbSetName));
        Assert.Equal("Folks", CollectionOf<Person>(db));
        Assert.Equal("Categories", CollectionOf<Category>(db));
        Assert.Equal("meta_things", CollectionOf<MetaNamed>(db));
        Assert.Equal("attribute_things", CollectionOf<AttributeNamed>(db));
        Assert.Equal("fluent_things", CollectionOf<FluentNamed>(db));
    }

    [Fact]
    public void AsDeclared_rule_uses_the_type_name()
    {
        using var db = CreateContext(o => o.CollectionNaming(CollectionNaming.AsDeclared));
        Assert.Equal("Person", CollectionOf<Person>(db));
        Assert.Equal("Category", CollectionOf<Category>(db));
        Assert.Equal("meta_things", CollectionOf<MetaNamed>(db));
    }

    [Fact]
    public async Task Documents_land_in_the_named_collections()
    {
        await using (var db = CreateContext())
        {
            db.AddRange(new Person { Name = "Ada" }, new Category { Name = "Tools" }, new MetaNamed(), new AttributeNamed(),
                new FluentNamed(), new Dog { Name = "Rex" }, new Cat { Name = "Tom" });
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await RawCollection("people").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(1, await RawCollection("categories").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(1, await RawCollection("meta_things").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(1, await RawCollection("attribute_things").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(1, await RawCollection("fluent_things").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(2, await RawCollection("animals").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(0, await RawCollection("dogs_are_still_animals").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        await using var reader = CreateContext();
        Assert.Equal("Ada", (await reader.Folks.SingleAsync()).Name);
        Assert.Equal(["Rex"], await reader.Animals.OfType<Dog>().Select(d => d.Name).ToListAsync());
    }
}

/// <summary>A <c>Meta</c> class whose <c>Collection</c> is not a string is a model error, not a silently ignored name.</summary>
public class BadMeta
{
    public static class Meta
    {
        public const int Collection = 3;
    }

    public ObjectId Id { get; set; }
}

public class BadMetaContext(DbContextOptions<BadMetaContext> options) : DbContext(options)
{
    public DbSet<BadMeta> Items => Set<BadMeta>();
}

public sealed class BadMetaTests
{
    [Fact]
    public void A_Meta_Collection_that_is_not_a_string_fails_the_model()
    {
        var options = new DbContextOptionsBuilder<BadMetaContext>().UseTabernacle("mongodb://127.0.0.1:1", "unused").Options;
        using var db = new BadMetaContext(options);
        var error = Assert.Throws<InvalidOperationException>(() => db.Model);
        Assert.Contains("BadMeta.Meta.Collection", error.Message);
    }
}

