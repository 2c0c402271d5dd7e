using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore.Tests.Query.Functions;

public sealed class ConditionalAndFlagTests : FunctionsTestBase
{
    private static readonly Perks GiftWrap = Perks.GiftWrap;
    private static readonly Perks ShippingAndWrap = Perks.FreeShipping | Perks.GiftWrap;

    private static readonly Dictionary<string, Expression<Func<Item, bool>>> Cases = new()
    {
        ["?? on a nullable int"] = i => (i.Rating ?? 0) > 3,
        ["?? on a string"] = i => (i.Nick ?? i.Name).Length > 5,
        ["?? chained"] = i => (i.Nick ?? i.Prefix ?? "none") == "x",
        ["?: on numbers"] = i => (i.Quantity > 5 ? i.Price : -i.Price) > 10,
        ["?: on strings"] = i => (i.Nick == null ? "none" : i.Nick) == "none",
        ["?: as the predicate"] = i => i.Tier == Tier.Gold ? i.Quantity > 5 : i.Quantity < 3,
        ["?: nested"] = i => (i.Quantity < 0 ? "negative" : i.Quantity == 0 ? "zero" : "positive") != "positive",
        ["HasFlag"] = i => i.Perks.HasFlag(Perks.Express),
        ["HasFlag of a combination"] = i => i.Perks.HasFlag(Perks.FreeShipping | Perks.GiftWrap),
        ["not HasFlag"] = i => !i.Perks.HasFlag(Perks.Insured),
        ["HasFlag of None is always true"] = i => i.Perks.HasFlag(Perks.None) && i.Quantity > 5,
        ["HasFlag of a parameter"] = i => i.Perks.HasFlag(GiftWrap),
        ["HasFlag of a combination parameter"] = i => i.Perks.HasFlag(ShippingAndWrap),
        ["HasFlag of another item's flags"] = i => Perks.Insured.HasFlag(i.Perks) == false && i.Perks != Perks.None,
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public Task Matches_linq_to_objects(string name) => AssertSameAsync(Cases[name]);

    [Fact]
    public async Task Translated_functions_in_aggregate_selectors()
    {
        var all = await AllAsync();
        await using var db = CreateContext();
        Assert.Equal(all.Sum(i => Math.Abs(i.Quantity)), await db.Items.SumAsync(i => Math.Abs(i.Quantity)));
        Assert.Equal(all.Max(i => i.Name.Trim().Length), await db.Items.MaxAsync(i => i.Name.Trim().Length));
        Assert.Equal(all.Sum(i => Math.Round(i.Price, MidpointRounding.AwayFromZero)),
            await db.Items.SumAsync(i => Math.Round(i.Price, MidpointRounding.AwayFromZero)));
        Assert.Equal(all.Min(i => i.CreatedAt.Year), await db.Items.MinAsync(i => i.CreatedAt.Year));
        Assert.Equal(all.Sum(i => i.Rating ?? 0), await db.Items.SumAsync(i => i.Rating ?? 0));
        Assert.Equal(all.Count(i => i.Perks.HasFlag(Perks.GiftWrap)), await db.Items.CountAsync(i => i.Perks.HasFlag(Perks.GiftWrap)));
    }

    [Fact]
    public async Task Filters_on_projected_function_results_run_on_the_server()
    {
        var all = await AllAsync();
        await using var db = CreateContext();
        var expected = all.Select(i => new { i.Id, Upper = i.Name.ToUpper(), Year = i.CreatedAt.Year })
            .Where(x => x.Upper.StartsWith("S") || x.Year == 2099).Select(x => x.Id).Order().ToList();
        var actual = await db.Items.Select(i => new { i.Id, Upper = i.Name.ToUpper(), Year = i.CreatedAt.Year })
            .Where(x => x.Upper.StartsWith("S") || x.Year == 2099).Select(x => x.Id).ToListAsync();
        Assert.Equal([2, 6, 12], expected);
        Assert.Equal(expected, actual.Order().ToList());
    }
}
