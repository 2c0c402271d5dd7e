using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore.Tests.Query.Functions;

/// <summary>
/// EF.Functions.Like (LINQ to Objects cannot run it, so the expected items are listed), the ordinal reading of
/// culture-less string.Compare, and what stays untranslated.
/// </summary>
public sealed class PatternAndUntranslatableTests : FunctionsTestBase
{
    private async Task<List<int>> IdsAsync(Expression<Func<Item, bool>> predicate)
    {
        await using var db = CreateContext();
        return (await db.Items.Where(predicate).Select(i => i.Id).ToListAsync()).Order().ToList();
    }

    [Fact]
    public async Task Like_wildcards_escapes_and_parameters()
    {
        Assert.Equal([1, 2], await IdsAsync(i => EF.Functions.Like(i.Code, "%-0%")));
        Assert.Equal([1, 2, 3], await IdsAsync(i => EF.Functions.Like(i.Name, "_a%")));
        Assert.Equal([4, 8], await IdsAsync(i => EF.Functions.Like(i.Code, "%!%%", "!")));
        Assert.Equal([3, 6, 9, 11], await IdsAsync(i => EF.Functions.Like(i.Code, "%\\_%", "\\")));

        // Regex metacharacters in the pattern are literal; LIKE is case-sensitive here, as MongoDB compares.
        Assert.Equal([5], await IdsAsync(i => EF.Functions.Like(i.Code, "wr.%")));
        Assert.Empty(await IdsAsync(i => EF.Functions.Like(i.Code, "w..%")));
        Assert.Equal([7], await IdsAsync(i => EF.Functions.Like(i.Name, "TA%")));

        var pattern = "%e_";
        Assert.Equal([1, 6, 9, 11], await IdsAsync(i => EF.Functions.Like(i.Name, pattern)));
        pattern = "G%";
        Assert.Empty(await IdsAsync(i => EF.Functions.Like(i.Name, pattern)));
        pattern = "g%";
        Assert.Equal([8], await IdsAsync(i => EF.Functions.Like(i.Name, pattern)));

        // A computed input goes to $regexMatch.
        Assert.Equal([4], await IdsAsync(i => EF.Functions.Like(i.Name.Trim(), "D%l")));
    }

    [Fact]
    public async Task Culture_less_Compare_and_CompareTo_order_like_MongoDB_by_code_point()
    {
        var all = await AllAsync();
        var expected = all.Where(i => string.CompareOrdinal(i.Name, "M") > 0).Select(i => i.Id).Order().ToList();
        Assert.Contains(8, expected); // "glue" > "M" by code point, though not in most cultures
        Assert.Equal(expected, await IdsAsync(i => string.Compare(i.Name, "M") > 0));
        Assert.Equal(expected, await IdsAsync(i => i.Name.CompareTo("M") > 0));
    }

    public static TheoryData<string> UntranslatableNames => [.. Untranslatable.Keys];

    private static readonly Dictionary<string, (Expression<Func<Item, bool>> Predicate, string Named)> Untranslatable = new()
    {
        ["Normalize"] = (i => i.Name.Normalize() == "x", "Normalize"),
        ["culture-aware Equals"] = (i => string.Equals(i.Name, "x", StringComparison.CurrentCultureIgnoreCase), "Equals"),
        ["culture-aware StartsWith"] = (i => i.Name.StartsWith("x", StringComparison.InvariantCultureIgnoreCase), "StartsWith"),
        ["double.ToString"] = (i => i.Weight.ToString() == "1.5", "ToString"),
        ["DateTime.ToString"] = (i => i.CreatedAt.ToString() == "x", "ToString"),
        ["flags enum ToString"] = (i => i.Perks.ToString() == "Express", "ToString"),
        ["DateTimeOffset arithmetic"] = (i => i.ListedAt.AddDays(1).Day == 2, "AddDays"),
        ["Regex with RightToLeft"] =
            (i => System.Text.RegularExpressions.Regex.IsMatch(i.Name, "a", System.Text.RegularExpressions.RegexOptions.RightToLeft),
                "IsMatch"),
        ["string.Format with a format item"] = (i => string.Format("{0:F2}!", i.Weight) == "1.50!", "has an alignment or a format"),
        ["HasFlag on a string-stored enum"] = (i => i.NamedTier.HasFlag(Tier.Gold), "HasFlag"),
        ["Contains of null"] = (i => i.Name.Contains((string)null!), "ArgumentNullException"),
    };

    [Theory]
    [MemberData(nameof(UntranslatableNames))]
    public async Task Untranslatable_functions_throw_naming_the_method(string name)
    {
        var (predicate, named) = Untranslatable[name];
        await using var db = CreateContext();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Items.Where(predicate).ToListAsync());
        Assert.Contains("could not be translated", error.Message);
        Assert.Contains(named, error.Message);
    }
}
