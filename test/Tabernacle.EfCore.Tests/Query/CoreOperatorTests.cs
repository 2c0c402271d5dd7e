using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore.Diagnostics;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Query;

public sealed record ProductSummary(string Name, decimal Price);

public sealed class ProductDto
{
    public string Name { get; set; } = "";

    public int Stock { get; set; }

    public double? Width { get; set; }
}

public sealed class CoreOperatorTests : ProviderTestBase<ShopContext>
{
    private static readonly DateTime Day = new(2026, 1, 10, 8, 30, 0, DateTimeKind.Utc);

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Products.AddRange(
            new Product { Name = "Hammer", Price = 12.5m, Stock = 10, Rating = 4, Category = Category.Hardware, AddedAt = Day,
                Tags = ["tools", "steel"], Size = new Dimensions { Width = 3, Height = 30 },
                    Reviews = [new Review { Author = "ann", Stars = 5 }] },
            new Product { Name = "Saw", Price = 25m, Stock = 0, Rating = null, Category = Category.Hardware, AddedAt = Day.AddDays(1),
                Tags = ["tools"] },
            new Product { Name = "Novel", Price = 9.99m, Stock = 100, Rating = 5, Category = Category.Books, AddedAt = Day.AddDays(2) },
            new Product { Name = "Shovel", Price = 30m, Stock = 3, Rating = 2, Category = Category.Garden, AddedAt = Day.AddDays(3),
                Size = new Dimensions { Width = 20, Height = 120 } },
            new Product { Name = "a.b", Price = 1m, Stock = 1, Rating = 1, Category = Category.Books, AddedAt = Day.AddDays(4) },
            new Product { Name = "axb", Price = 2m, Stock = 2, Rating = 3, Category = Category.Garden, AddedAt = Day.AddDays(5) });
        await db.SaveChangesAsync();

        // A document written by another tool, without the Rating element at all.
        await RawCollection("products").InsertOneAsync(new BsonDocument
        {
            { "_id", ObjectId.GenerateNewId() }, { "Name", "Rake" }, { "Price", new BsonDecimal128(15m) }, { "Stock", 4 },
            { "Category", 2 }, { "AddedAt", Day.AddDays(6) }, { "Tags", new BsonArray() }, { "Size", BsonNull.Value },
                { "Reviews", new BsonArray() },
        });
    }

    [Fact]
    public async Task Null_comparison_matches_null_and_missing_elements()
    {
        await using var db = CreateContext();
        Assert.Equal(["Rake", "Saw"],
            await db.Products.Where(p => p.Rating == null).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());
        Assert.Equal(5, await db.Products.CountAsync(p => p.Rating != null));
        Assert.Equal(5, await db.Products.CountAsync(p => p.Rating.HasValue));
        Assert.Equal(["Hammer", "Novel"],
            await db.Products.Where(p => p.Rating.HasValue && p.Rating.Value >= 4).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());

        // C#'s lifted comparisons: null is neither below nor above anything.
        Assert.Equal(["a.b", "Shovel"], await db.Products.Where(p => p.Rating < 3).OrderBy(p => p.Price).Select(p => p.Name).ToListAsync());
        Assert.Equal(2, await db.Products.CountAsync(p => !(p.Rating >= 3)) - 2);
        int? none = null;
        Assert.Equal(2, await db.Products.CountAsync(p => p.Rating == none));
    }

    [Fact]
    public async Task Arithmetic_enum_and_boolean_logic_in_predicates()
    {
        await using var db = CreateContext();
        Assert.Equal(["Hammer", "Novel"],
            await db.Products.Where(p => p.Stock * 2 + 1 > 10).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());
        Assert.Equal(["a.b", "axb", "Novel"],
            await db.Products.Where(p => p.Price - 1 < 10).OrderBy(p => p.Price).Select(p => p.Name).ToListAsync());
        Assert.Equal(4, await db.Products.CountAsync(p => p.Stock % 2 == 0 && p.Stock > 0));
        Assert.Equal(3, await db.Products.CountAsync(p => p.Category == Category.Garden));
        Assert.Equal(5, await db.Products.CountAsync(p => p.Category != Category.Hardware));
        Assert.Equal(3, await db.Products.CountAsync(p => p.Category > Category.Books));
        var category = Category.Books;
        Assert.Equal(2, await db.Products.CountAsync(p => p.Category == category));
        Assert.Equal(4,
            await db.Products.CountAsync(p => p.Category == Category.Hardware || (p.Stock < 3 && p.Category != Category.Hardware)));
        Assert.Equal(5, await db.Products.CountAsync(p => !(p.Category == Category.Hardware)));
        Assert.Equal(2, await db.Products.CountAsync(p => p.AddedAt >= Day.AddDays(5)));
    }

    [Fact]
    public async Task Owned_members_and_string_matching()
    {
        await using var db = CreateContext();
        Assert.Equal(["Shovel"], await db.Products.Where(p => p.Size!.Width > 10).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Hammer", "Shovel"],
            await db.Products.Where(p => p.Size != null).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Saw", "Shovel"],
            await db.Products.Where(p => p.Name.StartsWith("S")).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Hammer"], await db.Products.Where(p => p.Name.EndsWith("mer")).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Novel", "Shovel"],
            await db.Products.Where(p => p.Name.Contains("ove")).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());
        var prefix = "Sh";
        var suffix = "el";
        var middle = ".";
        Assert.Equal(["Shovel"], await db.Products.Where(p => p.Name.StartsWith(prefix)).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Novel", "Shovel"],
            await db.Products.Where(p => p.Name.EndsWith(suffix)).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync());

        // Regular-expression characters are matched literally.
        Assert.Equal(["a.b"], await db.Products.Where(p => p.Name.Contains(middle)).Select(p => p.Name).ToListAsync());
        Assert.Equal(["a.b"], await db.Products.Where(p => p.Name.StartsWith("a.")).Select(p => p.Name).ToListAsync());
        Assert.Empty(await db.Products.Where(p => p.Name.StartsWith("s")).ToListAsync());
    }

    [Fact]
    public async Task Projections_to_scalars_anonymous_types_records_and_DTOs()
    {
        await using var db = CreateContext();
        Assert.Equal([30m, 25m], await db.Products.OrderByDescending(p => p.Price).Take(2).Select(p => p.Price).ToListAsync());
        // Owned entities projected without their owner can't be tracked (EF Core's rule for every provider).
        var anonymous =
            await db.Products.AsNoTracking().Where(p => p.Name == "Hammer").Select(p =>
                new { p.Name, Double = p.Stock * 2, p.Size, p.Reviews }).SingleAsync();
        Assert.Equal(("Hammer", 20, 3.0, "ann"),
            (anonymous.Name, anonymous.Double, anonymous.Size!.Width, anonymous.Reviews.Single().Author));
        Assert.Equal(new ProductSummary("Novel", 9.99m),
            await db.Products.Where(p => p.Name == "Novel").Select(p => new ProductSummary(p.Name, p.Price)).SingleAsync());
        var dto =
            await db.Products.Where(p => p.Name == "Shovel").Select(p =>
                new ProductDto { Name = p.Name, Stock = p.Stock, Width = p.Size!.Width }).SingleAsync();
        Assert.Equal(("Shovel", 3, 20.0), (dto.Name, dto.Stock, dto.Width));
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public async Task Orderings_skip_take_first_single()
    {
        await using var db = CreateContext();
        Assert.Equal(["Hammer", "Saw", "Novel", "a.b", "Rake", "Shovel", "axb"],
            await db.Products.OrderBy(p => p.Category).ThenByDescending(p => p.Stock).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Hammer", "Rake"],
            await db.Products.OrderByDescending(p => p.Stock).Skip(1).Take(2).Select(p => p.Name).ToListAsync());
        Assert.Equal("a.b", (await db.Products.OrderBy(p => p.Price).FirstAsync()).Name);
        Assert.Equal("Saw", (await db.Products.FirstAsync(p => p.Stock == 0)).Name);
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Products.FirstAsync(p => p.Stock < 0));
        Assert.Null(await db.Products.SingleOrDefaultAsync(p => p.Stock < 0));
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Products.SingleOrDefaultAsync(p => p.Stock > 5));
        Assert.Equal("Novel", db.Products.Single(p => p.Stock == 100).Name);
    }

    [Fact]
    public async Task Aggregates_and_existence()
    {
        await using var db = CreateContext();
        Assert.Equal(7, await db.Products.CountAsync());
        Assert.Equal(2L, await db.Products.LongCountAsync(p => p.Category == Category.Hardware));
        Assert.Equal(120, await db.Products.SumAsync(p => p.Stock));
        Assert.Equal(15, await db.Products.SumAsync(p => p.Rating));
        Assert.Equal(1m, await db.Products.MinAsync(p => p.Price));
        Assert.Equal(Day.AddDays(6), await db.Products.MaxAsync(p => p.AddedAt));
        Assert.Equal(3.0, await db.Products.AverageAsync(p => p.Rating));
        Assert.Equal(120 / 7.0, await db.Products.AverageAsync(p => p.Stock), 10);
        Assert.True(await db.Products.AnyAsync());
        Assert.False(await db.Products.AllAsync(p => p.Stock > 0));
        Assert.True(await db.Products.AllAsync(p => p.Price > 0));
        Assert.Equal(2, db.Products.Where(p => p.Category == Category.Hardware).Count());
    }

    [Fact]
    public async Task Contains_on_a_parameter_list_is_in()
    {
        await using var db = CreateContext();
        var names = new List<string> { "Saw", "Rake", "nothing" };
        var query = db.Products.Where(p => names.Contains(p.Name)).OrderBy(p => p.Name).Select(p => p.Name);
        Assert.Equal(["Rake", "Saw"], await query.ToListAsync());
        Assert.Contains("\"Name\" : { \"$in\" : [\"Saw\", \"Rake\", \"nothing\"] }", query.ToQueryString());
        var categories = new[] { Category.Books, Category.Garden };
        Assert.Equal(5, await db.Products.CountAsync(p => categories.Contains(p.Category)));
        names.Clear();
        Assert.Empty(await query.ToListAsync());
    }

    [Fact]
    public async Task Tracking_behaviours()
    {
        await using var db = CreateContext(core: b => b.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking));
        _ = await db.Products.ToListAsync();
        Assert.Empty(db.ChangeTracker.Entries());
        var tracked = await db.Products.AsTracking().Where(p => p.Name == "Hammer").SingleAsync();
        Assert.Equal(EntityState.Unchanged, db.Entry(tracked).State);
        Assert.Same(tracked, await db.Products.AsTracking().SingleAsync(p => p.Name == "Hammer"));
        var resolved = await db.Products.AsNoTrackingWithIdentityResolution().Where(p => p.Stock > 0).ToListAsync();
        Assert.Equal(6, resolved.Count);
        Assert.Single(db.ChangeTracker.Entries<Product>());
        Assert.DoesNotContain(tracked, resolved);
    }

    [Fact]
    public async Task Find_uses_the_tracked_entity_before_querying()
    {
        await using var db = CreateContext();
        var hammer = await db.Products.SingleAsync(p => p.Name == "Hammer");
        Logs.Clear();
        Assert.Same(hammer, db.Products.Find(hammer.Id));
        Assert.Same(hammer, await db.Products.FindAsync(hammer.Id));
        Assert.DoesNotContain(Logs.Entries, e => e.EventId == TabernacleEventId.CommandExecuted);

        await using var fresh = CreateContext();
        Logs.Clear();
        Assert.Equal("Hammer", fresh.Products.Find(hammer.Id)!.Name);
        var command = Assert.Single(Logs.Entries, e => e.EventId == TabernacleEventId.CommandExecuted);
        Assert.Contains("\"_id\" : ", command.Message);
    }

    [Fact]
    public async Task Cancellation_tokens_are_honoured()
    {
        await using var db = CreateContext();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Products.ToListAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Products.CountAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Products.FirstAsync(cancelled.Token));
        db.Products.Add(new Product { Name = "never" });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveChangesAsync(cancelled.Token));
        Assert.Equal(EntityState.Added, db.ChangeTracker.Entries().Single().State);

        // Cancelled while streaming: the next MoveNextAsync throws.
        using var midway = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in db.Products.AsNoTracking().AsAsyncEnumerable().WithCancellation(midway.Token))
            {
                seen++;
                await midway.CancelAsync();
            }
        });
        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task AsAsyncEnumerable_reads_through_a_cursor_in_batches()
    {
        await using var bulk = CreateContext();
        for (var i = 0; i < 250; i++)
        {
            bulk.Products.Add(new Product { Name = $"bulk-{i:D3}", Stock = i, Category = Category.Books });
        }

        await bulk.SaveChangesAsync();
        await using var db = CreateContext();
        var names = new List<string>();
        await foreach (var product in db.Products.Where(p => p.Name.StartsWith("bulk-")).OrderBy(p =>
            p.Name).AsNoTracking().AsAsyncEnumerable())
        {
            names.Add(product.Name);
        }

        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"bulk-{i:D3}"), names);
    }

    [Fact]
    public async Task Untranslatable_filters_name_the_expression()
    {
        await using var db = CreateContext();
        var error =
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.Products.Where(p => p.Name.GetHashCode() == 1).ToListAsync());
        Assert.Contains("could not be translated", error.Message);
        Assert.Contains("p.Name.GetHashCode() == 1", error.Message);
        var local = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Products.Where(p => IsCheap(p)).ToListAsync());
        Assert.Contains("IsCheap", local.Message);
        Assert.Contains("could not be translated", local.Message);
    }

    private static bool IsCheap(Product product) => product.Price < 10;
}
