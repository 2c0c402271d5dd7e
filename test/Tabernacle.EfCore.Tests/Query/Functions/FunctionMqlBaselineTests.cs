using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore.Tests.Query.Functions;

/// <summary>Pins the MQL of representative function translations (<c>ToQueryString()</c>).</summary>
public sealed class FunctionMqlBaselineTests : FunctionsTestBase
{
    [Fact]
    public void String_function_in_expr()
    {
        Assert.Equal(
            """db.items.find({ "$expr" : { "$eq" : [{ "$toLower" : "$Name" }, "hammer"] } })""",
            Mql(i => i.Name.ToLower() == "hammer"));
    }

    [Fact]
    public void StartsWith_a_field_compares_code_points()
    {
        Assert.Equal(
            """db.items.find({ "$expr" : { "$eq" : [{ "$indexOfCP" : ["$Name", "$Prefix"] }, 0] } })""",
            Mql(i => i.Name.StartsWith(i.Prefix)));
    }

    [Fact]
    public void Equals_ignoring_case_with_a_value_stays_in_the_query_language()
    {
        Assert.Equal(
            """db.items.find({ "Name" : { "$regex" : "^GLUE$", "$options" : "i" } })""",
            Mql(i => string.Equals(i.Name, "GLUE", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Concatenation_treats_null_as_empty()
    {
        Assert.Equal(
            """db.items.find({ "$expr" : { "$eq" : [{ "$concat" : [{ "$ifNull" : ["$Nick", ""] }, "!"] }, "!"] } })""",
            Mql(i => i.Nick + "!" == "!"));
    }

    [Fact]
    public void Like_and_regex_become_regex_queries()
    {
        Assert.Equal("""db.items.find({ "Code" : { "$regex" : "^.*%.*\\z", "$options" : "s" } })""", Mql(i => EF.Functions.Like(i.Code, "%!%%", "!")));
        Assert.Equal("""db.items.find({ "Name" : { "$regex" : "^s", "$options" : "i" } })""", Mql(i => Regex.IsMatch(i.Name, "^s", RegexOptions.IgnoreCase)));
    }

    [Fact]
    public void Date_parts()
    {
        Assert.Equal("""db.items.find({ "$expr" : { "$eq" : [{ "$year" : "$CreatedAt" }, 2024] } })""", Mql(i => i.CreatedAt.Year == 2024));
        Assert.Equal(
            """db.items.find({ "$expr" : { "$eq" : [{ "$subtract" : [{ "$dayOfWeek" : "$CreatedAt" }, 1] }, 0] } })""",
            Mql(i => i.CreatedAt.DayOfWeek == DayOfWeek.Sunday));
        Assert.Equal(
            """db.items.find({ "$expr" : { "$eq" : [{ "$dayOfMonth" : { "$add" : ["$ListedAt.DateTime", { "$multiply" : ["$ListedAt.Offset", 60000] }] } }, 1] } })""",
            Mql(i => i.ListedAt.Day == 1));
    }

    [Fact]
    public void Date_arithmetic_and_the_server_clock()
    {
        Assert.Equal(
            """db.items.find({ "$expr" : { "$eq" : [{ "$dayOfMonth" : { "$dateAdd" : { "startDate" : "$CreatedAt", "unit" : "month", "amount" : 1 } } }, 29] } })""",
            Mql(i => i.CreatedAt.AddMonths(1).Day == 29));
        Assert.Equal("""db.items.find({ "$expr" : { "$lt" : ["$CreatedAt", "$$NOW"] } })""", Mql(i => i.CreatedAt < DateTime.UtcNow));
        Assert.Equal(
            """db.items.find({ "$and" : [{ "ShippedAt" : { "$ne" : null } }, { "$expr" : { "$gt" : [{ "$divide" : [{ "$multiply" : [{ "$subtract" : ["$ShippedAt", "$CreatedAt"] }, NumberLong(10000)] }, NumberLong("864000000000")] }, 3.0] } }] })""",
            Mql(i => i.ShippedAt != null && (i.ShippedAt.Value - i.CreatedAt).TotalDays > 3));
    }

    [Fact]
    public void Math_and_casts()
    {
        Assert.Equal("""db.items.find({ "$expr" : { "$eq" : [{ "$round" : ["$Price", 1] }, NumberDecimal("1.2")] } })""", Mql(i => Math.Round(i.Price, 1) == 1.2m));
        Assert.Equal("""db.items.find({ "$expr" : { "$eq" : [{ "$toInt" : { "$trunc" : ["$Weight"] } }, 0] } })""", Mql(i => (int)i.Weight == 0));
        Assert.Equal("""db.items.find({ "$expr" : { "$gt" : [{ "$ifNull" : ["$Rating", 0] }, 3] } })""", Mql(i => (i.Rating ?? 0) > 3));
    }

    [Fact]
    public void Widening_casts_keep_field_comparisons_in_the_query_language()
    {
        Assert.Equal("""db.items.find({ "Quantity" : { "$gt" : 2.5 } })""", Mql(i => i.Quantity > 2.5));
    }

    [Fact]
    public void HasFlag_tests_the_flag_bits_arithmetically()
    {
        Assert.Equal(
            """db.items.find({ "$and" : [{ "$expr" : { "$eq" : [{ "$abs" : { "$mod" : [{ "$floor" : { "$divide" : ["$Perks", 1.0] } }, 2] } }, 1] } }, { "$expr" : { "$eq" : [{ "$abs" : { "$mod" : [{ "$floor" : { "$divide" : ["$Perks", 2.0] } }, 2] } }, 1] } }] })""",
            Mql(i => i.Perks.HasFlag(Perks.FreeShipping | Perks.GiftWrap)));
    }
}
