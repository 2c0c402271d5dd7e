using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>Items 1 and 4: TPH (OfType, Cast, type tests, the derived DbSet); item 5: FromMql/FromPipeline composed with
    /// LINQ.</summary>
    private static void AddInheritanceAndRaw(Dictionary<string, BreadthCase> c)
    {
        c["tph_base_set_types"] = new(s => s.Customers.OrderBy(x => x.Id).ToList());
        c["tph_derived_set"] =
            new(s => s.Business.Where(b => b.Employees > 100).Select(b => new { b.Id, b.VatNumber, b.Employees }).AsBag());
        c["tph_derived_set_count"] = new(s => s.Business.Count());
        c["tph_of_type"] = new(s => s.Customers.OfType<BusinessCustomer>().Select(b => new { b.Id, b.VatNumber }).AsBag());
        c["tph_of_type_where"] =
            new(s => s.Customers.Where(x => x.Tier != Tier.Bronze).OfType<BusinessCustomer>().Where(b => b.Employees < 250).Select(b =>
                b.Id).AsBag());
        c["tph_of_type_base"] = new(s => s.Customers.OfType<Customer>().Count());
        c["tph_is"] = new(s => s.Customers.Where(x => x is BusinessCustomer).Select(x => x.Id).AsBag());
        c["tph_is_not"] = new(s => s.Customers.Where(x => !(x is BusinessCustomer) && x.Tier == Tier.Gold).Select(x => x.Id).AsBag());
        c["tph_is_and_cast"] =
            new(s => s.Customers.Where(x => x is BusinessCustomer && ((BusinessCustomer)x).Employees > 300).Select(x => x.Id).AsBag());
        c["tph_cast_after_filter"] =
            new(s => s.Customers.Where(x => x is BusinessCustomer).Cast<BusinessCustomer>().Select(b => b.Employees).AsBag());
        c["tph_cast_base"] = new(s => s.Business.Cast<Customer>().Where(x => x.Age > 40).Select(x => x.Id).AsBag());
        c["tph_projection_type_test"] =
            new(s => s.Customers.OrderBy(x => x.Id).Select(x =>
                new { x.Id, Vat = x is BusinessCustomer ? ((BusinessCustomer)x).VatNumber : "private" }).ToList());
        c["tph_group_by_type"] =
            new(s => s.Customers.GroupBy(x => x is BusinessCustomer).Select(g =>
                new { g.Key, N = g.Count(), Credit = g.Sum(x => x.CreditLimit) }).AsBag());

        // FromMql / FromPipeline: the same query as LINQ on the in-memory side.
        c["raw_from_mql_where_order"] =
            new(s => s.CustomersFromMql(new BsonDocument("Tier", (int)Tier.Gold), q => q.Where(x => x.Tier == Tier.Gold))
            .Where(x => x.Age > 40).OrderBy(x => x.Name).ThenBy(x => x.Id).Select(x => x.Id).ToList());
        c["raw_from_mql_operators_count"] =
            new(s => s.CustomersFromMql(new BsonDocument("CreditLimit", new BsonDocument("$gt", new BsonDecimal128(5000m))), q =>
                q.Where(x => x.CreditLimit > 5000m))
            .Count(x => x.Scores.Any()));
        c["raw_from_mql_include"] =
            new(s => s.CustomersFromMql(new BsonDocument("Age", new BsonDocument("$lt", 25)), q => q.Where(x => x.Age < 25))
            .Include(x => x.Orders).OrderBy(x => x.Id).ToList().Select(x => (x.Id, x.Orders.Count)).ToList());
        c["raw_from_mql_group"] =
            new(s => s.CustomersFromMql(new BsonDocument("Address", new BsonDocument("$ne", BsonNull.Value)), q =>
                q.Where(x => x.Address != null))
            .GroupBy(x => x.Tier).Select(g => new { g.Key, N = g.Count() }).AsBag());
        c["raw_from_pipeline_take"] = new(s => s.OrdersFromPipeline(
                q => q.Where(o => o.Status == OrderStatus.Cancelled).OrderByDescending(o => o.Total).ThenBy(o => o.Id),
                new BsonDocument("$match", new BsonDocument("Status", (int)OrderStatus.Cancelled)),
                new BsonDocument("$sort", new BsonDocument { { "Total", -1 }, { "_id", 1 } }))
            .Take(7).Select(o => o.Id).ToList());
        c["raw_from_pipeline_where_select"] = new(s => s.OrdersFromPipeline(
                q => q.Where(o => o.Weight > 10),
                new BsonDocument("$match", new BsonDocument("Weight", new BsonDocument("$gt", 10.0))))
            .Where(o => o.Lines.Any(l => l.Sku == "SKU-2")).Select(o => new { o.Id, o.Weight }).AsBag());
        c["raw_from_pipeline_group"] = new(s => s.OrdersFromPipeline(
                q => q.Where(o => o.CustomerId != null),
                new BsonDocument("$match", new BsonDocument("CustomerId", new BsonDocument("$ne", BsonNull.Value))))
            .GroupBy(o => o.Status).Select(g => new { g.Key, Total = g.Sum(o => o.Total) }).AsBag());
    }
}
