using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Mapping;

public class Basket
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>A complex collection (ComplexCollection), stored as an array of documents.</summary>
    public List<BasketItem> Items { get; set; } = [];

    /// <summary>An optional complex collection: null is stored as null.</summary>
    public List<BasketItem>? Extras { get; set; }
}

public class BasketItem
{
    public string Sku { get; set; } = "";

    public int Qty { get; set; }

    /// <summary>A complex property inside each element: an embedded document inside the element's document.</summary>
    public Dimensions Size { get; set; } = new();
}

public class Dimensions
{
    public int Width { get; set; }

    public int Height { get; set; }
}

public class Shelf
{
    public int Id { get; set; }

    /// <summary>A complex property holding a complex collection: an array inside the embedded document.</summary>
    public Location Location { get; set; } = new();

    /// <summary>Elements that hold complex collections of their own: arrays inside the array's documents.</summary>
    public List<Box> Boxes { get; set; } = [];
}

public class Location
{
    public string Room { get; set; } = "";

    public List<Label> Labels { get; set; } = [];
}

public class Box
{
    public string Code { get; set; } = "";

    public List<Label> Labels { get; set; } = [];
}

public class Label
{
    public string Text { get; set; } = "";
}

public class Pet
{
    public int Id { get; set; }

    public string Name { get; set; } = "";
}

public class Dog : Pet
{
    /// <summary>A complex collection declared on a derived type: only its documents have the array.</summary>
    public List<Label> Tricks { get; set; } = [];
}

public class Cat : Pet
{
    public int Lives { get; set; }
}

public sealed class ComplexCollectionContext(DbContextOptions<ComplexCollectionContext> options) : DbContext(options)
{
    public DbSet<Basket> Baskets => Set<Basket>();

    public DbSet<Shelf> Shelves => Set<Shelf>();

    public DbSet<Pet> Pets => Set<Pet>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Basket>(basket =>
        {
            basket.Property(b => b.Id).ValueGeneratedNever();
            basket.ComplexCollection(b => b.Items, items =>
            {
                items.Property(i => i.Sku).HasElementName("sku");
                items.ComplexProperty(i => i.Size);
            });
            basket.ComplexCollection(b => b.Extras, extras =>
            {
                extras.HasElementName("extra_items");
                extras.ComplexProperty(i => i.Size);
            });
        });
        modelBuilder.Entity<Pet>().Property(p => p.Id).ValueGeneratedNever();
        modelBuilder.Entity<Cat>();
        modelBuilder.Entity<Dog>().ComplexCollection(d => d.Tricks);
        modelBuilder.Entity<Shelf>(shelf =>
        {
            shelf.Property(s => s.Id).ValueGeneratedNever();
            shelf.ComplexProperty(s => s.Location, location => location.ComplexCollection(l => l.Labels));
            shelf.ComplexCollection(s => s.Boxes, boxes =>
                boxes.ComplexCollection(b => b.Labels, labels => labels.Property(l => l.Text).HasElementName("t")));
        });
    }
}

public sealed class ComplexCollectionTests : ProviderTestBase<ComplexCollectionContext>
{
    private static BasketItem Item(string sku, int qty, int width = 1, int height = 2) =>
        new() { Sku = sku, Qty = qty, Size = new Dimensions { Width = width, Height = height } };

    private async Task<BsonDocument> StoredAsync(int id) =>
        await RawCollection("baskets").Find(new BsonDocument("_id", id)).SingleAsync();

    private async Task AddAsync(params Basket[] baskets)
    {
        await using var db = CreateContext();
        db.AddRange(baskets);
        await db.SaveChangesAsync();
    }

    // Only Items renames Sku: each complex collection has a complex type (and configuration) of its own.
    private static BsonDocument ItemDocument(string sku, int qty, int width = 1, int height = 2, string skuElement = "sku") => new()
    {
        { skuElement, sku },
        { "Qty", qty },
        { "Size", new BsonDocument { { "Width", width }, { "Height", height } } },
    };

    private static void AssertItems(BsonValue actual, params BsonDocument[] expected)
    {
        var array = Assert.IsType<BsonArray>(actual);
        Assert.Equal(expected.Length, array.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Documents.AssertElements(expected[i], array[i]);
        }
    }

    [Fact]
    public async Task A_complex_collection_is_stored_as_an_array_of_documents()
    {
        await AddAsync(new Basket { Id = 1, Name = "a", Items = [Item("x", 1, 3, 4), Item("y", 2)], Extras = [Item("z", 5)] });

        var stored = await StoredAsync(1);
        AssertItems(stored["Items"], ItemDocument("x", 1, 3, 4), ItemDocument("y", 2));
        AssertItems(stored["extra_items"], ItemDocument("z", 5, skuElement: "Sku"));
        Assert.False(stored.Contains("Extras"));
    }

    [Fact]
    public async Task Null_and_empty_collections_are_stored_and_read_back()
    {
        await AddAsync(new Basket { Id = 1, Name = "empty", Items = [], Extras = null });

        var stored = await StoredAsync(1);
        Assert.Equal(new BsonArray(), stored["Items"]);
        Assert.Equal(BsonNull.Value, stored["extra_items"]);

        await using var read = CreateContext();
        var basket = await read.Baskets.SingleAsync();
        Assert.Empty(basket.Items);
        Assert.Null(basket.Extras);
    }

    [Fact]
    public async Task A_missing_array_reads_as_empty_when_required_and_null_when_optional()
    {
        await RawCollection("baskets").InsertOneAsync(new BsonDocument { { "_id", 1 }, { "Name", "raw" } });

        await using var read = CreateContext();
        var basket = await read.Baskets.AsNoTracking().SingleAsync();
        Assert.Empty(basket.Items);
        Assert.Null(basket.Extras);
    }

    [Fact]
    public async Task Elements_round_trip_with_their_nested_complex_properties_tracked_and_not()
    {
        await AddAsync(new Basket { Id = 1, Name = "a", Items = [Item("x", 1, 3, 4), Item("y", 2)], Extras = [Item("z", 5, 6, 7)] });

        await using var read = CreateContext();
        foreach (var basket in new[] { await read.Baskets.SingleAsync(), await read.Baskets.AsNoTracking().SingleAsync() })
        {
            Assert.Equal(["x", "y"], basket.Items.Select(i => i.Sku));
            Assert.Equal([1, 2], basket.Items.Select(i => i.Qty));
            Assert.Equal(3, basket.Items[0].Size.Width);
            Assert.Equal(4, basket.Items[0].Size.Height);
            Assert.Equal(7, Assert.Single(basket.Extras!).Size.Height);
        }
    }

    [Fact]
    public async Task Modifying_an_element_rewrites_the_array()
    {
        await AddAsync(new Basket { Id = 1, Name = "a", Items = [Item("x", 1), Item("y", 2)] });

        await using (var db = CreateContext())
        {
            var basket = await db.Baskets.SingleAsync();
            basket.Items[1].Qty = 20;
            basket.Items[0].Size.Width = 9;
            db.ChangeTracker.DetectChanges();
            Assert.Equal(EntityState.Modified, db.Entry(basket).State);
            await db.SaveChangesAsync();
            Assert.Equal(EntityState.Unchanged, db.Entry(basket).State);
        }

        AssertItems((await StoredAsync(1))["Items"], ItemDocument("x", 1, 9, 2), ItemDocument("y", 20));
    }

    [Fact]
    public async Task Adding_and_removing_elements_is_persisted()
    {
        await AddAsync(new Basket { Id = 1, Name = "a", Items = [Item("x", 1), Item("y", 2), Item("z", 3)] });

        await using (var db = CreateContext())
        {
            var basket = await db.Baskets.SingleAsync();
            basket.Items.RemoveAt(0);
            basket.Items.Add(Item("w", 4));
            await db.SaveChangesAsync();
        }

        AssertItems((await StoredAsync(1))["Items"], ItemDocument("y", 2), ItemDocument("z", 3), ItemDocument("w", 4));

        await using (var db = CreateContext())
        {
            var basket = await db.Baskets.SingleAsync();
            basket.Items.Clear();
            basket.Extras = [Item("e", 1)];
            await db.SaveChangesAsync();
        }

        var stored = await StoredAsync(1);
        Assert.Equal(new BsonArray(), stored["Items"]);
        AssertItems(stored["extra_items"], ItemDocument("e", 1, skuElement: "Sku"));

        await using (var db = CreateContext())
        {
            var basket = await db.Baskets.SingleAsync();
            Assert.Equal("e", Assert.Single(basket.Extras!).Sku);
            basket.Extras = null;
            await db.SaveChangesAsync();
        }

        Assert.Equal(BsonNull.Value, (await StoredAsync(1))["extra_items"]);
    }

    [Fact]
    public async Task Changing_another_property_does_not_rewrite_the_array()
    {
        await AddAsync(new Basket { Id = 1, Name = "a", Items = [Item("x", 1)] });

        await using (var db = CreateContext())
        {
            var basket = await db.Baskets.SingleAsync();
            basket.Name = "b";
            Logs.Clear();
            await db.SaveChangesAsync();
        }

        var update = Assert.Single(Logs.Entries, e => e.Message.Contains("$set", StringComparison.Ordinal)).Message;
        Assert.DoesNotContain("Items", update, StringComparison.Ordinal);
        Assert.Equal("b", (await StoredAsync(1))["Name"]);
    }

    private Task SeedThreeAsync() => AddAsync(
        new Basket { Id = 1, Name = "small", Items = [Item("x", 1), Item("y", 2)] },
        new Basket { Id = 2, Name = "big", Items = [Item("x", 3, width: 10), Item("z", 5)], Extras = [Item("e", 1)] },
        new Basket { Id = 3, Name = "empty", Items = [] });

    [Fact]
    public async Task Filters_over_the_collection_run_on_the_server()
    {
        await SeedThreeAsync();

        await using var read = CreateContext();
        var anyBig = read.Baskets.Where(b => b.Items.Any(i => i.Qty > 2));
        Assert.Contains("\"$Items\"", anyBig.ToQueryString());
        Assert.Equal(["big"], await anyBig.Select(b => b.Name).ToListAsync());
        Assert.Equal(["small", "big"], await read.Baskets.Where(b => b.Items.Any()).OrderBy(b => b.Id).Select(b => b.Name).ToListAsync());
        Assert.Equal(["small", "big"],
            await read.Baskets.Where(b => b.Items.Count() == 2).OrderBy(b => b.Id).Select(b => b.Name).ToListAsync());
        Assert.Equal(["small", "big"],
            await read.Baskets.Where(b => b.Items.Count == 2).OrderBy(b => b.Id).Select(b => b.Name).ToListAsync());
        Assert.Equal(["big"], await read.Baskets.Where(b => b.Items.Any(i => i.Size.Width == 10)).Select(b => b.Name).ToListAsync());
        Assert.Equal(["small", "empty"],
            await read.Baskets.Where(b => b.Items.All(i => i.Qty < 3)).OrderBy(b => b.Id).Select(b => b.Name).ToListAsync());
        Assert.Equal(["big"], await read.Baskets.Where(b => b.Items.Sum(i => i.Qty) > 5).Select(b => b.Name).ToListAsync());
        Assert.Equal(["big"], await read.Baskets.Where(b => b.Extras!.Any(i => i.Sku == "e")).Select(b => b.Name).ToListAsync());

        var tracked = await read.Baskets.Where(b => b.Items.Any(i => i.Sku == "z")).SingleAsync();
        Assert.Equal(["x", "z"], tracked.Items.Select(i => i.Sku));
    }

    [Fact]
    public async Task The_collection_can_be_projected()
    {
        await SeedThreeAsync();

        await using var read = CreateContext();
        var items = await read.Baskets.OrderBy(b => b.Id).Select(b => b.Items).ToListAsync();
        Assert.Equal([["x", "y"], ["x", "z"], []], items.Select(list => list.Select(i => i.Sku)));
        Assert.Equal(10, items[1][0].Size.Width);

        var shaped =
            await read.Baskets.OrderBy(b => b.Id).Select(b =>
                new { b.Name, b.Extras, Skus = b.Items.Select(i => i.Sku).ToList() }).ToListAsync();
        Assert.Null(shaped[0].Extras);
        Assert.Equal("e", Assert.Single(shaped[1].Extras!).Sku);
        Assert.Equal(["x", "z"], shaped[1].Skus);
        Assert.Equal([2, 2, 0], await read.Baskets.OrderBy(b => b.Id).Select(b => b.Items.Count).ToListAsync());
    }

    [Fact]
    public async Task A_filter_over_the_collection_that_cannot_be_translated_fails_instead_of_running_on_the_client()
    {
        await SeedThreeAsync();

        await using var read = CreateContext();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            read.Baskets.Where(b => b.Items.Any(i => i.Sku.GetHashCode() == 7)).ToListAsync());
        Assert.Contains("could not be translated", error.Message, StringComparison.Ordinal);
    }

    private static Shelf NewShelf(int id) => new()
    {
        Id = id,
        Location = new Location { Room = "r" + id, Labels = [new Label { Text = "fragile" }] },
        Boxes =
        [
            new Box { Code = "a", Labels = [new Label { Text = "one" }, new Label { Text = "two" }] },
            new Box { Code = "b", Labels = [] },
        ],
    };

    [Fact]
    public async Task Collections_inside_complex_properties_and_inside_elements_round_trip()
    {
        await using (var db = CreateContext())
        {
            db.Add(NewShelf(1));
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("shelves").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Equal(new BsonArray { new BsonDocument("Text", "fragile") }, stored["Location"]["Labels"]);
        Assert.Equal(
            new BsonArray
            {
                new BsonDocument { { "Code", "a" },
                    { "Labels", new BsonArray { new BsonDocument("t", "one"), new BsonDocument("t", "two") } } },
                new BsonDocument { { "Code", "b" }, { "Labels", new BsonArray() } },
            },
            stored["Boxes"]);

        await using (var db = CreateContext())
        {
            var shelf = await db.Shelves.SingleAsync();
            Assert.Equal("fragile", Assert.Single(shelf.Location.Labels).Text);
            Assert.Equal(["one", "two"], shelf.Boxes[0].Labels.Select(l => l.Text));
            Assert.Empty(shelf.Boxes[1].Labels);

            shelf.Boxes[1].Labels.Add(new Label { Text = "three" });
            shelf.Location.Labels[0].Text = "heavy";
            await db.SaveChangesAsync();
        }

        await using var read = CreateContext();
        var reread = await read.Shelves.AsNoTracking().SingleAsync();
        Assert.Equal("heavy", Assert.Single(reread.Location.Labels).Text);
        Assert.Equal("three", Assert.Single(reread.Boxes[1].Labels).Text);
        Assert.Equal(1, await read.Shelves.CountAsync(s => s.Boxes.Any(b => b.Labels.Any(l => l.Text == "two"))));
        Assert.Equal(1, await read.Shelves.CountAsync(s => s.Location.Labels.Any(l => l.Text == "heavy")));
        Assert.Equal(["heavy"], (await read.Shelves.Select(s => s.Location.Labels).SingleAsync()).Select(l => l.Text));
    }

    [Fact]
    public async Task A_collection_on_a_derived_type_is_read_for_its_documents_only()
    {
        await using (var db = CreateContext())
        {
            db.AddRange(new Dog { Id = 1, Name = "rex", Tricks = [new Label { Text = "sit" }] },
                new Cat { Id = 2, Name = "tom", Lives = 9 });
            await db.SaveChangesAsync();
        }

        await using var read = CreateContext();
        var pets = await read.Pets.OrderBy(p => p.Id).ToListAsync();
        Assert.Equal("sit", Assert.Single(Assert.IsType<Dog>(pets[0]).Tricks).Text);
        Assert.Equal(9, Assert.IsType<Cat>(pets[1]).Lives);
        Assert.Equal(["rex"],
            await read.Pets.OfType<Dog>().Where(d => d.Tricks.Any(t => t.Text == "sit")).Select(d => d.Name).ToListAsync());
    }

    [Fact]
    public async Task Copying_tracked_values_to_a_new_object_does_not_fail()
    {
        await AddAsync(new Basket { Id = 1, Name = "a", Items = [Item("x", 1)] });

        await using var db = CreateContext();
        var basket = await db.Baskets.SingleAsync();
        var copy = (Basket)db.Entry(basket).CurrentValues.ToObject();
        Assert.Equal("a", copy.Name);
    }
}
