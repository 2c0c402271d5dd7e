using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore.Tests.Differential.Breadth;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query;

/// <summary>
/// Pins the MQL of issue 5's representative translations (shell syntax from ToQueryString). A change here is a change
/// of what MongoDB receives: review it as such. The differential suite (Differential/Breadth) checks their results.
/// </summary>
public sealed class BreadthMqlBaselineTests : ProviderTestBase<BreadthContext>
{
    private static void AssertMql(string expected, IQueryable query) => Assert.Equal(expected, query.ToQueryString());

    [Fact]
    public void GroupBy_with_aggregates_is_a_group_stage_and_having_a_match_after_it()
    {
        using var db = CreateContext();
        AssertMql(
            """db.orders.aggregate([{ "$group" : { "_id" : "$Status", "a0" : { "$sum" : 1 }, "a1" : { "$sum" : "$Total" }, "a2" : { "$max" : "$Weight" } } }])""",
            db.Orders.GroupBy(o => o.Status).Select(g =>
                new { g.Key, Count = g.Count(), Total = g.Sum(o => o.Total), Heaviest = g.Max(o => o.Weight) }));
        AssertMql(
            """db.orders.aggregate([{ "$group" : { "_id" : { "Status" : "$Status", "CustomerId" : "$CustomerId" }, "a0" : { "$sum" : 1 }, "a1" : { "$avg" : "$Weight" } } }, { "$match" : { "a0" : { "$gt" : 2 } } }])""",
            db.Orders.GroupBy(o => new { o.Status, o.CustomerId }).Where(g => g.Count() > 2).Select(g =>
                new { g.Key.Status, Average = g.Average(o => o.Weight) }));
    }

    [Fact]
    public void Distinct_and_union()
    {
        using var db = CreateContext();
        AssertMql("""db.customers.aggregate([{ "$group" : { "_id" : { "Tier" : "$Tier", "Perks" : "$Perks" } } }])""", db.Customers.Select(c => new { c.Tier, c.Perks }).Distinct());
        AssertMql("""db.orders.aggregate([{ "$match" : { "Total" : { "$gt" : NumberDecimal("900") } } }, { "$unionWith" : { "coll" : "orders", "pipeline" : [{ "$match" : { "Weight" : { "$gt" : 39.0 } } }] } }, { "$group" : { "_id" : "$_id", "d" : { "$first" : "$$ROOT" } } }, { "$replaceRoot" : { "newRoot" : "$d" } }])""", db.Orders.Where(o => o.Total > 900).Union(db.Orders.Where(o => o.Weight > 39)));
    }

    [Fact]
    public void Set_operations_over_different_shapes_project_both_sides_into_numbered_fields()
    {
        using var db = CreateContext();
        AssertMql(
            """db.customers.aggregate([{ "$match" : { "Age" : { "$gt" : 75 } } }, { "$project" : { "_id" : 0, "s0" : { "$ifNull" : ["$_id", null] }, "s1" : { "$ifNull" : ["$Name", null] } } }, { "$unionWith" : { "coll" : "orders", "pipeline" : [{ "$project" : { "_id" : 0, "s0" : { "$ifNull" : ["$_id", null] }, "s1" : { "$ifNull" : [{ "$ifNull" : ["$Note", ""] }, null] } } }] } }])""",
            db.Customers.Where(x => x.Age > 75).Select(x =>
                new { Key = x.Id, Text = x.Name }).Concat(db.Orders.Select(o => new { Key = o.Id, Text = o.Note ?? "" })));
        AssertMql(
            """db.orders.aggregate([{ "$match" : { "Total" : { "$gt" : NumberDecimal("500") } } }, { "$addFields" : { "__side" : 1 } }, { "$unionWith" : { "coll" : "orders", "pipeline" : [{ "$match" : { "Weight" : { "$gt" : 20.0 } } }, { "$addFields" : { "__side" : 2 } }] } }, { "$group" : { "_id" : "$_id", "d" : { "$first" : "$$ROOT" }, "sides" : { "$addToSet" : "$__side" } } }, { "$match" : { "sides" : { "$ne" : 2 } } }, { "$replaceRoot" : { "newRoot" : "$d" } }])""",
            db.Orders.Where(o => o.Total > 500).Except(db.Orders.Where(o => o.Weight > 20)));
        AssertMql(
            """db.customers.aggregate([{ "$project" : { "_id" : 0, "s0" : { "$ifNull" : ["$Name", null] } } }, { "$unionWith" : { "coll" : "customers", "pipeline" : [{ "$project" : { "_id" : 0, "s0" : { "$ifNull" : ["$Email", null] } } }] } }, { "$group" : { "_id" : "$s0", "d" : { "$first" : "$$ROOT" } } }, { "$replaceRoot" : { "newRoot" : "$d" } }])""",
            db.Customers.Select(x => x.Name).Union(db.Customers.Select(x => x.Email!)));
    }

    [Fact]
    public void Include_of_a_reference_and_of_a_filtered_collection_are_lookups()
    {
        using var db = CreateContext();
        AssertMql("""db.orders.aggregate([{ "$lookup" : { "from" : "customers", "localField" : "CustomerId", "foreignField" : "_id", "as" : "__j0" } }, { "$unwind" : { "path" : "$__j0", "preserveNullAndEmptyArrays" : true } }])""", db.Orders.Include(o => o.Customer));
        AssertMql("""db.customers.aggregate([{ "$lookup" : { "from" : "orders", "let" : { "l0_v0" : "$_id" }, "pipeline" : [{ "$match" : { "$and" : [{ "$expr" : { "$ne" : ["$$l0_v0", null] } }, { "$expr" : { "$eq" : ["$$l0_v0", { "$ifNull" : ["$CustomerId", null] }] } }] } }], "as" : "__l0" } }])""", db.Customers.Include(c => c.Orders));
        AssertMql("""db.customers.aggregate([{ "$lookup" : { "from" : "orders", "let" : { "l0_v0" : "$_id" }, "pipeline" : [{ "$match" : { "$and" : [{ "$expr" : { "$ne" : ["$$l0_v0", null] } }, { "$expr" : { "$eq" : ["$$l0_v0", { "$ifNull" : ["$CustomerId", null] }] } }, { "Total" : { "$gt" : NumberDecimal("400") } }] } }, { "$sort" : { "PlacedAt" : -1 } }, { "$limit" : 2 }], "as" : "__l0" } }])""", db.Customers.Include(c => c.Orders.Where(o => o.Total > 400).OrderByDescending(o => o.PlacedAt).Take(2)));
    }

    [Fact]
    public void Join_and_a_navigation_in_a_predicate()
    {
        using var db = CreateContext();
        AssertMql("""db.orders.aggregate([{ "$lookup" : { "from" : "customers", "localField" : "CustomerId", "foreignField" : "_id", "as" : "__j0" } }, { "$unwind" : { "path" : "$__j0", "preserveNullAndEmptyArrays" : false } }, { "$project" : { "__j0.Name" : 1, "_id" : 1 } }])""", db.Orders.Join(db.Customers, o => o.CustomerId, c => (int?)c.Id, (o, c) => new { o.Id, c.Name }));
        AssertMql("""db.customers.aggregate([{ "$lookup" : { "from" : "orders", "let" : { "l0_v0" : "$_id" }, "pipeline" : [{ "$match" : { "$and" : [{ "$expr" : { "$ne" : ["$$l0_v0", null] } }, { "$expr" : { "$eq" : ["$$l0_v0", { "$ifNull" : ["$CustomerId", null] }] } }] } }], "as" : "__l0" } }, { "$match" : { "$expr" : { "$gt" : [{ "$size" : { "$ifNull" : [{ "$filter" : { "input" : { "$ifNull" : ["$__l0", []] }, "as" : "e0", "cond" : { "$eq" : [{ "$ifNull" : ["$$e0.Status", null] }, 4] } } }, []] } }, 0] } } }])""", db.Customers.Where(c => c.Orders.Any(o => o.Status == OrderStatus.Cancelled)));
    }

    [Fact]
    public void String_functions_and_date_parts()
    {
        using var db = CreateContext();
        AssertMql("""db.customers.find({ "$expr" : { "$regexMatch" : { "input" : { "$toLower" : "$Name" }, "regex" : "^a", "options" : "" } } })""", db.Customers.Where(c => c.Name.ToLower().StartsWith("a")));
        AssertMql("""db.customers.find({ "$expr" : { "$gt" : [{ "$strLenCP" : "$Name" }, 8] } })""", db.Customers.Where(c => c.Name.Length > 8));
        AssertMql("""db.orders.find({ "$and" : [{ "$expr" : { "$eq" : [{ "$year" : "$PlacedAt" }, 2023] } }, { "$expr" : { "$eq" : [{ "$month" : "$PlacedAt" }, 2] } }] })""", db.Orders.Where(o => o.PlacedAt.Year == 2023 && o.PlacedAt.Month == 2));
        AssertMql("""db.orders.find({ "$expr" : { "$lt" : [{ "$dateAdd" : { "startDate" : "$PlacedAt", "unit" : "day", "amount" : 45.0 } }, ISODate("2023-03-01T00:00:00Z")] } })""", db.Orders.Where(o => o.PlacedAt.AddDays(45) < new DateTime(2023, 3, 1, 0, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void Operators_over_arrays_are_aggregation_expressions()
    {
        using var db = CreateContext();
        AssertMql("""db.customers.find({ "$expr" : { "$gt" : [{ "$size" : { "$ifNull" : [{ "$filter" : { "input" : { "$ifNull" : ["$Scores", []] }, "as" : "e0", "cond" : { "$gt" : ["$$e0", 90] } } }, []] } }, 0] } })""", db.Customers.Where(c => c.Scores.Any(s => s > 90)));
        AssertMql("""db.orders.find({ "$expr" : { "$gt" : [{ "$sum" : { "$map" : { "input" : { "$ifNull" : ["$Lines", []] }, "as" : "e0", "in" : "$$e0.Quantity" } } }, 15] } })""", db.Orders.Where(o => o.Lines.Sum(l => l.Quantity) > 15));
        AssertMql("""db.customers.find({ "Labels" : { "$eq" : "vip" } })""", db.Customers.Where(c => c.Labels.Contains("vip")));
        AssertMql("""db.customers.find({ "$and" : [{ "$expr" : { "$gt" : [{ "$size" : { "$ifNull" : ["$Scores", []] } }, 0] } }, { "$expr" : { "$gt" : [{ "$arrayElemAt" : ["$Scores", 0] }, 80] } }] })""", db.Customers.Where(c => c.Scores.Count > 0 && c.Scores[0] > 80));
    }

    [Fact]
    public void Conditionals_coalesce_and_flags()
    {
        using var db = CreateContext();
        AssertMql("""db.orders.find({ "$or" : [{ "$expr" : { "$gt" : [{ "$ifNull" : ["$Discount", NumberDecimal("0")] }, NumberDecimal("20")] } }, { "$expr" : { "$gt" : [{ "$cond" : [{ "$gt" : ["$Weight", 20.0] }, "$Total", NumberDecimal("0")] }, NumberDecimal("300")] } }] })""", db.Orders.Where(o => (o.Discount ?? 0) > 20 || (o.Weight > 20 ? o.Total : 0) > 300));
        AssertMql("""db.customers.find({ "$expr" : { "$eq" : [{ "$abs" : { "$mod" : [{ "$floor" : { "$divide" : ["$Perks", 4.0] } }, 2] } }, 1] } })""", db.Customers.Where(c => c.Perks.HasFlag(Perks.Express)));
    }

    [Fact]
    public void Inheritance_and_raw_MQL()
    {
        using var db = CreateContext();
        AssertMql("""db.customers.find({ "$and" : [{ "Discriminator" : { "$in" : ["BusinessCustomer"] } }, { "Employees" : { "$gt" : 100 } }] })""", db.Customers.OfType<BusinessCustomer>().Where(b => b.Employees > 100));
        AssertMql("""db.customers.find({ "Discriminator" : { "$in" : ["BusinessCustomer"] } })""", db.Customers.Where(c => c is BusinessCustomer));
        AssertMql("""db.customers.find({ "$and" : [{ "Tier" : 2 }, { "Age" : { "$gt" : 40 } }] }).sort({ "Name" : 1 })""", db.Customers.FromMql(new BsonDocument("Tier", 2)).Where(c => c.Age > 40).OrderBy(c => c.Name));
        AssertMql("""db.orders.aggregate([{ "$match" : { "Status" : 4 } }, { "$limit" : 3 }])""", db.Orders.FromPipeline(new BsonDocument("$match", new BsonDocument("Status", 4))).Take(3));
    }

    [Fact]
    public void Ordering_by_a_computed_value_sorts_on_a_temporary_field()
    {
        using var db = CreateContext();
        AssertMql("""db.orders.aggregate([{ "$addFields" : { "__s0" : { "$multiply" : ["$Weight", 2.0] } } }, { "$sort" : { "__s0" : 1, "_id" : 1 } }, { "$unset" : ["__s0"] }])""", db.Orders.OrderBy(o => o.Weight * 2).ThenBy(o => o.Id));
        AssertMql("""db.customers.aggregate([{ "$addFields" : { "__s0" : { "$size" : { "$ifNull" : ["$Scores", []] } }, "__s1" : { "$toLower" : "$Name" } } }, { "$sort" : { "__s0" : -1, "__s1" : 1 } }, { "$unset" : ["__s0", "__s1"] }])""", db.Customers.OrderByDescending(c => c.Scores.Count).ThenBy(c => c.Name.ToLower()));
    }

    [Fact]
    public void SelectMany_unwinds_a_joined_or_copied_array()
    {
        using var db = CreateContext();
        AssertMql("""db.customers.aggregate([{ "$lookup" : { "from" : "orders", "let" : { "l0_v0" : "$_id" }, "pipeline" : [{ "$match" : { "$and" : [{ "$expr" : { "$ne" : ["$$l0_v0", null] } }, { "$expr" : { "$eq" : ["$$l0_v0", { "$ifNull" : ["$CustomerId", null] }] } }] } }], "as" : "__l0" } }, { "$unwind" : { "path" : "$__l0", "preserveNullAndEmptyArrays" : false } }, { "$project" : { "__l0._id" : 1, "_id" : 0 } }])""", db.Customers.SelectMany(c => c.Orders).Select(o => o.Id));
        AssertMql("""db.orders.aggregate([{ "$addFields" : { "__u0" : "$Lines" } }, { "$unwind" : { "path" : "$__u0", "preserveNullAndEmptyArrays" : false } }, { "$project" : { "__u0.Sku" : 1, "_id" : 1 } }])""", db.Orders.SelectMany(o => o.Lines, (o, l) => new { o.Id, l.Sku }));
        AssertMql("""db.customers.aggregate([{ "$addFields" : { "__u0" : { "$filter" : { "input" : { "$ifNull" : ["$Scores", []] }, "as" : "e0", "cond" : { "$gt" : ["$$e0", 50] } } } } }, { "$unwind" : { "path" : "$__u0", "preserveNullAndEmptyArrays" : false } }, { "$project" : { "__u0" : 1, "_id" : 0 } }])""", db.Customers.SelectMany(c => c.Scores.Where(v => v > 50)));
    }

    [Fact]
    public void Distinct_and_OrderBy_inside_an_array_are_setUnion_and_sortArray()
    {
        using var db = CreateContext();
        AssertMql("""db.customers.find({ "$expr" : { "$gte" : [{ "$size" : { "$ifNull" : [{ "$setUnion" : [{ "$ifNull" : ["$Scores", []] }] }, []] } }, 3] } })""", db.Customers.Where(c => c.Scores.Distinct().Count() >= 3));
        AssertMql("""db.orders.find({ "$expr" : { "$eq" : [{ "$ifNull" : [{ "$first" : { "$map" : { "input" : { "$ifNull" : [{ "$sortArray" : { "input" : { "$ifNull" : ["$Lines", []] }, "sortBy" : { "UnitPrice" : 1, "Quantity" : -1 } } }, []] }, "as" : "e2", "in" : "$$e2.Sku" } } }, null] }, "SKU-1"] } })""", db.Orders.Where(o => o.Lines.OrderBy(l => l.UnitPrice).ThenByDescending(l => l.Quantity).First().Sku == "SKU-1"));
    }

    [Fact]
    public void Formatted_text_is_a_concat_of_toString_and_a_char_a_substring()
    {
        using var db = CreateContext();
        AssertMql("""db.customers.find({ "$expr" : { "$eq" : [{ "$concat" : [{ "$ifNull" : ["$Name", ""] }, "-", { "$ifNull" : [{ "$toString" : "$Age" }, ""] }] }, "Bob A.-42"] } })""", db.Customers.Where(c => $"{c.Name}-{c.Age}" == "Bob A.-42"));
        AssertMql("""db.customers.find({ "$expr" : { "$eq" : [{ "$substrCP" : [{ "$ifNull" : ["$Name", ""] }, 0, 1] }, "B"] } })""", db.Customers.Where(c => c.Name[0] == 'B'));
    }
}
