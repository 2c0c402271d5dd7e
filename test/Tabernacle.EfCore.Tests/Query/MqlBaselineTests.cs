using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Query;

/// <summary>
/// Pins the MQL of representative queries (ToQueryString gives the shell syntax sent, with this execution's values).
/// A change here is a change of what MongoDB receives: review it as such.
/// </summary>
public sealed class MqlBaselineTests : ProviderTestBase<ShopContext>
{
    private static readonly DateTime Day = new(2026, 1, 10, 0, 0, 0, DateTimeKind.Utc);

    private void AssertMql(string expected, IQueryable query) => Assert.Equal(expected, query.ToQueryString());

    [Fact]
    public void Filter_sort_skip_limit_is_a_find()
    {
        using var db = CreateContext();
        AssertMql(
            """db.products.find({ "Price" : { "$lt" : NumberDecimal("20") } }).sort({ "Name" : 1 }).skip(1).limit(2)""",
            db.Products.Where(p => p.Price < 20).OrderBy(p => p.Name).Skip(1).Take(2));
    }

    [Fact]
    public void A_projection_to_a_DTO_fetches_only_its_fields()
    {
        using var db = CreateContext();
        AssertMql(
            """db.products.find({ "Stock" : { "$gt" : 0 } }, { "Name" : 1, "Price" : 1, "_id" : 0 })""",
            db.Products.Where(p => p.Stock > 0).Select(p => new { p.Name, p.Price }));
        AssertMql(
            """db.products.find({ }, { "Size.Height" : 1, "Size.Width" : 1, "_id" : 1 })""",
            db.Products.Select(p => new { p.Id, W = p.Size!.Width, p.Size.Height }));
    }

    [Fact]
    public void Conjunctions_enums_and_dates_use_the_query_language()
    {
        using var db = CreateContext();
        AssertMql(
            """db.products.find({ "$and" : [{ "Category" : { "$eq" : 1 } }, { "AddedAt" : { "$gte" : ISODate("2026-01-10T00:00:00Z") } }, { "Stock" : { "$ne" : 0 } }] })""",
            db.Products.Where(p => p.Category == Category.Books && p.AddedAt >= Day && p.Stock != 0));
    }

    [Fact]
    public void Null_checks_match_null_and_missing()
    {
        using var db = CreateContext();
        AssertMql("""db.products.find({ "Rating" : null })""", db.Products.Where(p => p.Rating == null));
        AssertMql("""db.products.find({ "Rating" : { "$ne" : null } })""", db.Products.Where(p => p.Rating.HasValue));
        AssertMql("""db.products.find({ "Size" : null })""", db.Products.Where(p => p.Size == null));
    }

    [Fact]
    public void Parameters_are_bound_per_execution()
    {
        using var db = CreateContext();
        var names = new[] { "Saw", "Novel" };
        var prefix = "Sh";
        AssertMql("""db.products.find({ "Name" : { "$in" : ["Saw", "Novel"] } })""", db.Products.Where(p => names.Contains(p.Name)));
        AssertMql("""db.products.find({ "Name" : { "$regex" : "^Sh", "$options" : "" } })""", db.Products.Where(p => p.Name.StartsWith(prefix)));
        prefix = "a.b";
        AssertMql("""db.products.find({ "Name" : { "$regex" : "^a\\.b", "$options" : "" } })""", db.Products.Where(p => p.Name.StartsWith(prefix)));
    }

    [Fact]
    public void Computed_comparisons_use_expr_with_CSharp_null_semantics()
    {
        using var db = CreateContext();
        AssertMql(
            """db.products.find({ "$expr" : { "$gt" : [{ "$add" : [{ "$multiply" : ["$Stock", 2] }, 1] }, 10] } })""",
            db.Products.Where(p => p.Stock * 2 + 1 > 10));
        AssertMql("""db.products.find({ "Size.Width" : { "$gt" : 10.0 } })""", db.Products.Where(p => p.Size!.Width > 10));
    }

    [Fact]
    public void Negation_and_disjunction()
    {
        using var db = CreateContext();
        AssertMql(
            """db.products.find({ "$or" : [{ "Stock" : { "$lt" : 1 } }, { "$nor" : [{ "Category" : { "$eq" : 0 } }] }] })""",
            db.Products.Where(p => p.Stock < 1 || !(p.Category == Category.Hardware)));
    }
}
