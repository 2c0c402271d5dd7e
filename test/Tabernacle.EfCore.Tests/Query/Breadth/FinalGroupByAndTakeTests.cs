using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Query.Breadth;

/// <summary>
/// Issue 22: a GroupBy whose groups are the results (its elements collected by <c>$push</c> and shaped as they were
/// before grouping), and a Take whose count is a parameter that is 0 when the query runs (mongod refuses
/// <c>$limit: 0</c>, and find's limit 0 means no limit).
/// </summary>
public sealed class FinalGroupByAndTakeTests : ProviderTestBase<ShopContext>
{
    private List<Product> _expected = [];

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Products.AddRange(ShopData.Create());
        await db.SaveChangesAsync();
        _expected = await db.Products.AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task A_final_GroupBy_returns_each_group_with_its_entities()
    {
        await using var db = CreateContext();
        var groups = await db.Products.GroupBy(p => p.Category).ToListAsync();

        var expected = _expected.GroupBy(p => p.Category).OrderBy(g => g.Key).ToList();
        Assert.Equal(expected.Select(g => g.Key), groups.Select(g => g.Key).Order());
        foreach (var group in groups)
        {
            var names = expected.Single(g => g.Key == group.Key).Select(p => p.Name).Order();
            Assert.Equal(names, group.Select(p => p.Name).Order());
            Assert.All(group, p => Assert.Equal(group.Key, p.Category));

            // Owned navigations come with the elements, as with any entity query.
            Assert.All(group, p => Assert.Equal(_expected.Single(e => e.Id == p.Id).Reviews.Count, p.Reviews.Count));
        }

        // The elements are the tracked entities of the context, as for any query returning entities.
        Assert.Equal(_expected.Count, db.ChangeTracker.Entries<Product>().Count());
    }

    [Fact]
    public async Task A_final_GroupBy_with_a_composite_key_and_an_element_selector()
    {
        await using var db = CreateContext();
        var groups = await db.Products.Where(p => p.Rating != null)
            .GroupBy(p => new { p.Category, p.Rating }, p => p.Stock)
            .ToListAsync();

        var expected = _expected.Where(p => p.Rating != null).GroupBy(p => new { p.Category, p.Rating }, p => p.Stock).ToList();
        Assert.True(expected.Count > 2);
        Assert.Equal(expected.Count, groups.Count);
        foreach (var group in expected)
        {
            var actual = groups.Single(g => g.Key.Category == group.Key.Category && g.Key.Rating == group.Key.Rating);
            Assert.Equal(group.Order(), actual.Order());
        }
    }

    [Fact]
    public async Task A_final_GroupBy_after_a_filter_with_an_anonymous_element_selector()
    {
        await using var db = CreateContext();
        var groups = await db.Products.Where(p => p.Stock > 0).GroupBy(p => p.Rating, p => new { p.Name, p.Price }).ToListAsync();

        var expected = _expected.Where(p => p.Stock > 0).GroupBy(p => p.Rating, p => new { p.Name, p.Price }).ToList();
        Assert.Equal(expected.Select(g => g.Key).Order(), groups.Select(g => g.Key).Order());
        foreach (var group in expected)
        {
            Assert.Equal(group.OrderBy(e => e.Name), groups.Single(g => g.Key == group.Key).OrderBy(e => e.Name));
        }

        // Values, not entities: nothing is tracked.
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public async Task A_projection_uses_a_group_whole_next_to_its_key_and_aggregates()
    {
        await using var db = CreateContext();
        var actual = await db.Products.GroupBy(p => p.Category)
            .Select(g => new { g.Key, Count = g.Count(), Names = g.OrderBy(p => p.Name).Select(p => p.Name).ToList(), Items = g.ToList() })
            .OrderBy(x => x.Key)
            .ToListAsync();

        var expected = _expected.GroupBy(p => p.Category).OrderBy(g => g.Key).ToList();
        Assert.Equal(expected.Select(g => g.Key), actual.Select(x => x.Key));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Count(), actual[i].Count);
            Assert.Equal(expected[i].Select(p => p.Name).Order(StringComparer.Ordinal), actual[i].Names);
            Assert.Equal(expected[i].Select(p => p.Id).Order(), actual[i].Items.Select(p => p.Id).Order());
        }
    }

    [Fact]
    public async Task The_first_entity_of_each_ordered_group_comes_with_its_owned_collection()
    {
        await using var db = CreateContext();
        var firsts = await db.Products.GroupBy(p => p.Category).Select(g => g.OrderBy(p => p.Name).First()).ToListAsync();

        var expected = _expected.GroupBy(p => p.Category).Select(g => g.OrderBy(p => p.Name, StringComparer.Ordinal).First()).ToList();
        Assert.Equal(expected.Select(p => p.Id).Order(), firsts.Select(p => p.Id).Order());
        Assert.Equal(expected.Sum(p => p.Reviews.Count), firsts.Sum(p => p.Reviews.Count));
        Assert.Contains(firsts, p => p.Reviews.Count > 0);
    }

    [Fact]
    public void A_final_GroupBy_pushes_the_element_documents()
    {
        using var db = CreateContext();
        Assert.Equal(
            """db.products.aggregate([{ "$group" : { "_id" : "$Category", "a0" : { "$push" : "$$ROOT" } } }])""",
            db.Products.GroupBy(p => p.Category).ToQueryString());
    }

    [Fact]
    public async Task Take_of_a_parameter_that_is_zero_returns_nothing_through_find_and_aggregate()
    {
        await using var db = CreateContext();
        foreach (var count in new[] { 0, 3, 0 })
        {
            var found = await db.Products.OrderBy(p => p.Name).Take(count).Select(p => p.Name).ToListAsync();
            Assert.Equal(_expected.OrderBy(p => p.Name, StringComparer.Ordinal).Take(count).Select(p => p.Name), found);

            var grouped = await db.Products.GroupBy(p => p.Category).Select(g => g.Key).OrderBy(k => k).Take(count).ToListAsync();
            Assert.Equal(_expected.Select(p => p.Category).Distinct().Order().Take(count), grouped);

            var counted = await db.Products.OrderBy(p => p.Name).Skip(0).Take(count).CountAsync();
            Assert.Equal(Math.Min(count, _expected.Count), counted);
        }
    }

    [Fact]
    public void A_zero_Take_parameter_sends_a_stage_that_passes_nothing_instead_of_limit_zero()
    {
        using var db = CreateContext();
        var count = 0;
        Assert.Equal(
            """db.products.aggregate([{ "$group" : { "_id" : "$Category" } }, { "$match" : { "$expr" : false } }])""",
            db.Products.GroupBy(p => p.Category).Select(g => g.Key).Take(count).ToQueryString());
    }
}
