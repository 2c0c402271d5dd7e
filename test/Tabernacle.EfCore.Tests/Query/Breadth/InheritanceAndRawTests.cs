using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query.Breadth;

public abstract class Animal
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public int Age { get; set; }
}

public class Dog : Animal
{
    public string Breed { get; set; } = "";
}

public class Cat : Animal
{
    public bool Indoor { get; set; }
}

public class Kitten : Cat
{
    public int Weeks { get; set; }
}

public class ZooContext(DbContextOptions<ZooContext> options) : DbContext(options)
{
    public DbSet<Animal> Animals => Set<Animal>();

    public DbSet<Dog> Dogs => Set<Dog>();

    public DbSet<Cat> Cats => Set<Cat>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Kitten>();
}

public sealed class InheritanceAndRawTests : ProviderTestBase<ZooContext>
{
    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Animals.AddRange(
            new Dog { Id = 1, Name = "Rex", Age = 5, Breed = "collie" },
            new Dog { Id = 2, Name = "Fido", Age = 2, Breed = "pug" },
            new Cat { Id = 3, Name = "Tom", Age = 7, Indoor = true },
            new Kitten { Id = 4, Name = "Mini", Age = 0, Indoor = true, Weeks = 9 });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task One_collection_holds_the_hierarchy_and_each_set_reads_its_types()
    {
        await using var db = CreateContext();
        var all = await db.Animals.OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([typeof(Dog), typeof(Dog), typeof(Cat), typeof(Kitten)], all.Select(a => a.GetType()));
        Assert.Equal(["Tom", "Mini"], await db.Cats.OrderBy(c => c.Id).Select(c => c.Name).ToListAsync());
        Assert.Equal(2, await db.Dogs.CountAsync());
        Assert.Single(await db.Set<Kitten>().ToListAsync());
        Assert.Equal(4L, await RawCollection("animals").CountDocumentsAsync(new BsonDocument()));
    }

    [Fact]
    public async Task OfType_and_type_tests_in_predicates()
    {
        await using var db = CreateContext();
        Assert.Equal(["Tom", "Mini"], await db.Animals.OfType<Cat>().OrderBy(c => c.Id).Select(c => c.Name).ToListAsync());
        Assert.Equal(["Rex", "Fido"], await db.Animals.Where(a => a is Dog).OrderBy(a => a.Id).Select(a => a.Name).ToListAsync());
        Assert.Equal(["Mini"], await db.Animals.Where(a => a is Kitten || (a is Dog && a.Age > 10)).Select(a => a.Name).ToListAsync());
        Assert.Equal(["collie"], await db.Animals.OfType<Dog>().Where(d => d.Breed.StartsWith("c")).Select(d => d.Breed).ToListAsync());
        Assert.Equal(["Rex"], await db.Animals.Where(a => a is Dog && ((Dog)a).Breed == "collie").Select(a => a.Name).ToListAsync());
    }

    [Fact]
    public async Task FromMql_composes_with_LINQ_and_binds_its_filter_as_a_value()
    {
        await using var db = CreateContext();
        var old =
            await db.Animals.FromMql(new BsonDocument("Age", new BsonDocument("$gte", 5))).OrderBy(a => a.Name).Select(a =>
                a.Name).ToListAsync();
        Assert.Equal(["Rex", "Tom"], old);
        var hostile = await db.Animals.FromMql(new BsonDocument("Name", "Rex\"}, {\"$where\": \"1\"")).ToListAsync();
        Assert.Empty(hostile);
        var countOfCats = await db.Cats.FromMql(new BsonDocument("Indoor", true)).CountAsync(c => c.Age < 5);
        Assert.Equal(1, countOfCats);
    }

    [Fact]
    public async Task FromPipeline_runs_the_stages_then_the_LINQ_operators()
    {
        await using var db = CreateContext();
        var result = await db.Animals.FromPipeline(
                new BsonDocument("$match", new BsonDocument("Age", new BsonDocument("$lt", 6))),
                new BsonDocument("$sort", new BsonDocument("Age", -1)))
            .Take(2)
            .Select(a => a.Name)
            .ToListAsync();
        Assert.Equal(["Rex", "Fido"], result);
        Assert.Throws<ArgumentException>(() => db.Animals.FromPipeline(new BsonDocument("Age", 1)));
    }

    [Fact]
    public async Task Concat_and_Union_use_unionWith()
    {
        await using var db = CreateContext();
        var concat = await db.Animals.Where(a => a.Age > 4).Concat(db.Animals.Where(a => a.Age > 6)).Select(a => a.Name).ToListAsync();
        Assert.Equal(["Rex", "Tom", "Tom"], concat.Order(StringComparer.Ordinal));
        var union = await db.Animals.Where(a => a.Age > 4).Union(db.Animals.Where(a => a.Age > 6)).Select(a => a.Name).ToListAsync();
        Assert.Equal(["Rex", "Tom"], union.Order(StringComparer.Ordinal));
        var names = await db.Animals.Select(a => a.Name).Union(db.Animals.Select(a => a.Name)).ToListAsync();
        Assert.Equal(4, names.Count);
        // Sides of different shapes are each projected into the same numbered fields first (issue 22).
        var all = await db.Animals.Select(a => a.Name).ToListAsync();
        var mixed = await db.Animals.Select(a => a.Name).Concat(db.Animals.Select(a => a.Name + "!")).ToListAsync();
        Assert.Equal(all.Concat(all.Select(n => n + "!")).Order(StringComparer.Ordinal), mixed.Order(StringComparer.Ordinal));
    }
}
