using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Query;

public sealed class BasicQueryTests : ProviderTestBase<ShopContext>
{
    private static readonly DateTime Day = new(2026, 1, 10, 8, 30, 0, DateTimeKind.Utc);

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Products.AddRange(
            new Product { Name = "Hammer", Price = 12.5m, Stock = 10, Rating = 4, Category = Category.Hardware, AddedAt = Day,
                Tags = ["tools", "steel"], Size = new Dimensions { Width = 3, Height = 30 },
                    Reviews = [new Review { Author = "ann", Stars = 5 }, new Review { Author = "bob", Stars = 3 }] },
            new Product { Name = "Saw", Price = 25m, Stock = 0, Rating = null, Category = Category.Hardware, AddedAt = Day.AddDays(1),
                Tags = ["tools"] },
            new Product { Name = "Novel", Price = 9.99m, Stock = 100, Rating = 5, Category = Category.Books, AddedAt = Day.AddDays(2),
                Tags = [] },
            new Product { Name = "Shovel", Price = 30m, Stock = 3, Rating = 2, Category = Category.Garden, AddedAt = Day.AddDays(3),
                Tags = ["garden", "steel"], Size = new Dimensions { Width = 20, Height = 120 } });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task ToList_returns_every_entity_with_its_owned_documents()
    {
        await using var db = CreateContext();
        var products = await db.Products.OrderBy(p => p.Name).ToListAsync();
        Assert.Equal(["Hammer", "Novel", "Saw", "Shovel"], products.Select(p => p.Name));
        var hammer = products[0];
        Assert.Equal(12.5m, hammer.Price);
        Assert.Equal(Day, hammer.AddedAt);
        Assert.Equal(DateTimeKind.Utc, hammer.AddedAt.Kind);
        Assert.Equal(["tools", "steel"], hammer.Tags);
        Assert.Equal(30, hammer.Size!.Height);
        Assert.Equal(["ann", "bob"], hammer.Reviews.Select(r => r.Author));
        Assert.Null(products[2].Size);
        Assert.Empty(products[2].Reviews);
    }

    [Fact]
    public async Task Where_with_comparisons_nulls_enums_and_strings()
    {
        await using var db = CreateContext();
        Assert.Equal(["Hammer", "Novel"],
            await db.Products.Where(p => p.Price < 20).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Saw"], await db.Products.Where(p => p.Rating == null).Select(p => p.Name).ToListAsync());
        Assert.Equal(3, await db.Products.CountAsync(p => p.Rating != null));
        Assert.Equal(2, await db.Products.CountAsync(p => p.Category == Category.Hardware));
        Assert.Equal(["Shovel", "Saw"],
            await db.Products.Where(p => p.Name.StartsWith("S")).OrderByDescending(p => p.Price).Select(p => p.Name).ToListAsync());
        var fragment = "ov";
        Assert.Equal(["Novel", "Shovel"],
            await db.Products.Where(p => p.Name.Contains(fragment)).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());
        Assert.Equal(1, await db.Products.CountAsync(p => p.Stock > 5 && p.Category == Category.Books));
        Assert.Equal(2, await db.Products.CountAsync(p => !(p.Stock > 5)));
    }

    [Fact]
    public async Task Contains_on_a_parameter_list_becomes_in()
    {
        await using var db = CreateContext();
        var names = new[] { "Saw", "Novel", "Missing" };
        var found = await db.Products.Where(p => names.Contains(p.Name)).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync();
        Assert.Equal(["Novel", "Saw"], found);
    }

    [Fact]
    public async Task Skip_Take_First_Single_and_aggregates()
    {
        await using var db = CreateContext();
        Assert.Equal(["Novel", "Saw"], await db.Products.OrderBy(p => p.Name).Skip(1).Take(2).Select(p => p.Name).ToListAsync());
        Assert.Equal("Shovel", (await db.Products.OrderByDescending(p => p.Price).FirstAsync()).Name);
        Assert.Null(await db.Products.FirstOrDefaultAsync(p => p.Price > 1000));
        Assert.Equal("Novel", (await db.Products.SingleAsync(p => p.Category == Category.Books)).Name);
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Products.SingleAsync(p => p.Category == Category.Hardware));
        Assert.Equal(4, await db.Products.CountAsync());
        Assert.Equal(4L, await db.Products.LongCountAsync());
        Assert.True(await db.Products.AnyAsync(p => p.Stock == 0));
        Assert.False(await db.Products.AnyAsync(p => p.Stock < 0));
        Assert.True(await db.Products.AllAsync(p => p.Price > 1));
        Assert.Equal(113, await db.Products.SumAsync(p => p.Stock));
        Assert.Equal(77.49m, await db.Products.SumAsync(p => p.Price));
        Assert.Equal(9.99m, await db.Products.MinAsync(p => p.Price));
        Assert.Equal(30m, await db.Products.MaxAsync(p => p.Price));
        Assert.Equal(28.25, await db.Products.AverageAsync(p => p.Stock));
        Assert.Equal(0, await db.Products.Where(p => p.Price > 1000).SumAsync(p => p.Stock));
        Assert.Null(await db.Products.Where(p => p.Price > 1000).MaxAsync(p => p.Rating));
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Products.Where(p => p.Price > 1000).MaxAsync(p => p.Stock));
    }

    [Fact]
    public async Task Select_to_anonymous_types_and_owned_members()
    {
        await using var db = CreateContext();
        var rows =
            await db.Products.Where(p => p.Size != null).OrderBy(p => p.Name).Select(p =>
                new { p.Name, Area = p.Size!.Width * p.Size.Height, Upper = p.Name.ToUpperInvariant() }).ToListAsync();
        Assert.Equal(2, rows.Count);
        Assert.Equal(90, rows[0].Area);
        Assert.Equal("SHOVEL", rows[1].Upper);
        Assert.Equal(["Shovel"], await db.Products.Where(p => p.Size!.Width > 10).Select(p => p.Name).ToListAsync());
    }

    [Fact]
    public async Task A_filter_that_cannot_be_translated_is_never_evaluated_on_the_client()
    {
        await using var db = CreateContext();
        var error =
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.Products.Where(p => p.Name.GetHashCode() == 1).ToListAsync());
        Assert.Contains("could not be translated", error.Message);
    }

    [Fact]
    public async Task Find_returns_the_tracked_entity_then_reads_by_id()
    {
        await using var db = CreateContext();
        var novel = await db.Products.AsNoTracking().SingleAsync(p => p.Name == "Novel");
        var found = await db.Products.FindAsync(novel.Id);
        Assert.Equal("Novel", found!.Name);
        Assert.Same(found, await db.Products.FindAsync(novel.Id));
        Assert.Null(await db.Products.FindAsync(ObjectId.GenerateNewId()));
    }

    [Fact]
    public async Task AsAsyncEnumerable_streams_and_tracking_is_honoured()
    {
        await using var db = CreateContext();
        var names = new List<string>();
        await foreach (var product in db.Products.AsNoTracking().OrderBy(p => p.Name).AsAsyncEnumerable())
        {
            names.Add(product.Name);
        }

        Assert.Equal(4, names.Count);
        Assert.Empty(db.ChangeTracker.Entries());
        _ = await db.Products.ToListAsync();
        Assert.Equal(4, db.ChangeTracker.Entries<Product>().Count());
    }
}
