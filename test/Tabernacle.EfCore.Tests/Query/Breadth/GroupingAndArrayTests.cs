using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Query.Breadth;

public sealed class GroupingAndArrayTests : ProviderTestBase<ShopContext>
{
    private List<Product> _expected = [];

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Products.AddRange(ShopData.Create());
        await db.SaveChangesAsync();
        _expected = await db.Products.AsNoTracking().ToListAsync();
        Assert.Equal(60, _expected.Count);
    }

    [Fact]
    public async Task GroupBy_a_scalar_with_every_aggregate()
    {
        await using var db = CreateContext();
        var actual = await db.Products.GroupBy(p => p.Category)
            .Select(g =>
                new { g.Key, Count = g.Count(), Long = g.LongCount(), Stock = g.Sum(p => p.Stock), Price = g.Sum(p => p.Price),
                    Min = g.Min(p => p.Price), Max = g.Max(p => p.Stock), Avg = g.Average(p => p.Stock) })
            .OrderBy(x => x.Key).ToListAsync();
        var expected = _expected.GroupBy(p => p.Category)
            .Select(g =>
                new { g.Key, Count = g.Count(), Long = g.LongCount(), Stock = g.Sum(p => p.Stock), Price = g.Sum(p => p.Price),
                    Min = g.Min(p => p.Price), Max = g.Max(p => p.Stock), Avg = g.Average(p => p.Stock) })
            .OrderBy(x => x.Key).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Key, actual[i].Key);
            Assert.Equal(expected[i].Count, actual[i].Count);
            Assert.Equal(expected[i].Long, actual[i].Long);
            Assert.Equal(expected[i].Stock, actual[i].Stock);
            Assert.Equal(expected[i].Price, actual[i].Price);
            Assert.Equal(expected[i].Min, actual[i].Min);
            Assert.Equal(expected[i].Max, actual[i].Max);
            Assert.Equal(expected[i].Avg, actual[i].Avg, 10);
        }
    }

    [Fact]
    public async Task GroupBy_an_anonymous_key_with_having_and_conditional_aggregates()
    {
        await using var db = CreateContext();
        var actual = await db.Products.GroupBy(p => new { p.Category, InStock = p.Stock > 0 })
            .Where(g => g.Count() > 3)
            .Select(g =>
                new { g.Key.Category, g.Key.InStock, Rated = g.Count(p => p.Rating != null), Cheap = g.Where(p => p.Price < 50).Count(),
                    TopRating = g.Max(p => p.Rating) })
            .ToListAsync();
        var expected = _expected.GroupBy(p => new { p.Category, InStock = p.Stock > 0 })
            .Where(g => g.Count() > 3)
            .Select(g =>
                new { g.Key.Category, g.Key.InStock, Rated = g.Count(p => p.Rating != null), Cheap = g.Where(p => p.Price < 50).Count(),
                    TopRating = g.Max(p => p.Rating) })
            .ToList();
        Assert.Equal(expected.OrderBy(e => e.Category).ThenBy(e => e.InStock), actual.OrderBy(e => e.Category).ThenBy(e => e.InStock));
    }

    [Fact]
    public async Task GroupBy_then_OrderBy_an_aggregate_Take_and_Count_of_groups()
    {
        await using var db = CreateContext();
        var top =
            await db.Products.GroupBy(p => p.Rating).Select(g => new { Rating = g.Key, Total = g.Sum(p => p.Stock) }).OrderByDescending(x =>
                x.Total).ThenBy(x => x.Rating).Take(2).ToListAsync();
        var expectedTop =
            _expected.GroupBy(p => p.Rating).Select(g => new { Rating = g.Key, Total = g.Sum(p => p.Stock) }).OrderByDescending(x =>
                x.Total).ThenBy(x => x.Rating).Take(2).ToList();
        Assert.Equal(expectedTop, top);
        Assert.Equal(_expected.Select(p => p.Rating).Distinct().Count(), await db.Products.GroupBy(p => p.Rating).CountAsync());
        var byWidth =
            await db.Products.Where(p => p.Size != null).GroupBy(p => p.Size!.Width > 25).Select(g =>
                new { Wide = g.Key, N = g.Count() }).ToListAsync();
        Assert.Equal(
            _expected.Where(p => p.Size != null).GroupBy(p => p.Size!.Width > 25).Select(g =>
                new { Wide = g.Key, N = g.Count() }).OrderBy(x => x.Wide), byWidth.OrderBy(x => x.Wide));
    }

    [Fact]
    public async Task Distinct_of_scalars_and_of_anonymous_values()
    {
        await using var db = CreateContext();
        Assert.Equal(_expected.Select(p => p.Category).Distinct().Order(),
            (await db.Products.Select(p => p.Category).Distinct().ToListAsync()).Order());
        var pairs = await db.Products.Select(p => new { p.Category, p.Rating }).Distinct().ToListAsync();
        Assert.Equal(_expected.Select(p => new { p.Category, p.Rating }).Distinct().Count(), pairs.Count);
        Assert.Equal(_expected.Select(p => p.Rating).Distinct().Count(), await db.Products.Select(p => p.Rating).Distinct().CountAsync());
    }

    [Fact]
    public async Task Operators_over_primitive_arrays()
    {
        await using var db = CreateContext();
        Assert.Equal(Names(_expected.Where(p => p.Tags.Contains("sale"))),
            Names(await db.Products.Where(p => p.Tags.Contains("sale")).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Tags.Count >= 2)), Names(await db.Products.Where(p => p.Tags.Count >= 2).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Tags.Any())), Names(await db.Products.Where(p => p.Tags.Any()).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Tags.Any(t => t.StartsWith("g")))),
            Names(await db.Products.Where(p => p.Tags.Any(t => t.StartsWith("g"))).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Tags.All(t => t != "new"))),
            Names(await db.Products.Where(p => p.Tags.All(t => t != "new")).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Tags.Count > 0 && p.Tags[0] == "tools")),
            Names(await db.Products.Where(p => p.Tags.Count > 0 && p.Tags[0] == "tools").ToListAsync()));
        var wanted = "gift";
        Assert.Equal(Names(_expected.Where(p => p.Tags.Contains(wanted))),
            Names(await db.Products.Where(p => p.Tags.Contains(wanted)).ToListAsync()));
    }

    [Fact]
    public async Task Operators_over_owned_collections()
    {
        await using var db = CreateContext();
        Assert.Equal(Names(_expected.Where(p => p.Reviews.Any(r => r.Stars == 5))),
            Names(await db.Products.Where(p => p.Reviews.Any(r => r.Stars == 5)).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Reviews.Count(r => r.Stars >= 3) >= 2)),
            Names(await db.Products.Where(p => p.Reviews.Count(r => r.Stars >= 3) >= 2).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Reviews.Any() && p.Reviews.All(r => r.Stars > 2))),
            Names(await db.Products.Where(p => p.Reviews.Any() && p.Reviews.All(r => r.Stars > 2)).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Reviews.Sum(r => r.Stars) > 8)),
            Names(await db.Products.Where(p => p.Reviews.Sum(r => r.Stars) > 8).ToListAsync()));
        Assert.Equal(Names(_expected.Where(p => p.Reviews.Where(r => r.Author == "user1").Select(r => r.Stars).Any(s => s > 3))),
            Names(await db.Products.Where(p =>
                p.Reviews.Where(r => r.Author == "user1").Select(r => r.Stars).Any(s => s > 3)).ToListAsync()));
        var projected =
            await db.Products.OrderBy(p => p.Name).Select(p =>
                new { p.Name, Good = p.Reviews.Where(r => r.Stars >= 4).Select(r => r.Author).ToList() }).ToListAsync();
        var expectedProjection =
            _expected.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p =>
                new { p.Name, Good = p.Reviews.Where(r => r.Stars >= 4).Select(r => r.Author).ToList() }).ToList();
        Assert.Equal(expectedProjection.Select(p => string.Join(",", p.Good)), projected.Select(p => string.Join(",", p.Good)));
    }

    private static List<string> Names(IEnumerable<Product> products) => products.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
}
