using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>Compositions across the items: operators after joins and unions, subqueries over the other collection.</summary>
    private static void AddCompositions(Dictionary<string, BreadthCase> c)
    {
        c["compose_contains_subquery"] =
            new(s => s.Orders.Where(o =>
                s.Customers.Where(x => x.Tier == Tier.Gold).Select(x => (int?)x.Id).Contains(o.CustomerId)).Select(o => o.Id).AsBag());
        c["compose_subquery_any"] =
            new(s => s.Orders.Where(o => s.Customers.Where(x => x.Age > 60).Any(x => x.Id == o.CustomerId)).Select(o => o.Id).AsBag());
        c["compose_nav_coll_max"] =
            new(s => s.Customers.Where(x => x.Orders.Any() && x.Orders.Max(o => o.Weight) > 39).Select(x => x.Id).AsBag());
        c["compose_nav_coll_projection_first"] =
            new(s => s.Customers.Where(x => x.Orders.Any()).OrderBy(x => x.Id).Select(x =>
                x.Orders.OrderBy(o => o.Id).First().Id).ToList());
        c["compose_join_group_by"] =
            new(s => s.Orders.Join(s.Customers, o => o.CustomerId, x => (int?)x.Id, (o, x) => new { o.Total, x.Tier }).GroupBy(r =>
                r.Tier).Select(g => new { g.Key, T = g.Sum(r => r.Total) }).AsBag());
        c["compose_group_join_default_if_empty"] =
            new(s => (from x in s.Customers join o in s.Orders on (int?)x.Id equals o.CustomerId into os from o in os.DefaultIfEmpty()
                select new { x.Id, O = o == null ? 0 : o.Id }).AsBag());
        c["compose_outer_apply_take"] =
            new(s => (from x in s.Customers from o in s.Orders.Where(o => o.CustomerId == x.Id).OrderBy(o => o.Id).Take(2).DefaultIfEmpty()
                select new { x.Id, O = o == null ? 0 : o.Id }).AsBag());
        c["compose_outer_value_in_subquery"] =
            new(s => (from x in s.Customers from t in s.Orders.Where(o => o.CustomerId == x.Id).Select(o => x.Tier)
                select new { x.Id, t }).AsBag());
        c["compose_default_if_empty_root"] = new(s => s.Orders.Where(o => o.Weight > 1000).Select(o => o.Id).DefaultIfEmpty().ToList());
        c["compose_right_join"] =
            new(s => s.Customers.RightJoin(s.Orders, x => (int?)x.Id, o => o.CustomerId, (x, o) =>
                new { o.Id, C = x == null ? 0 : x.Id }).AsBag());
        c["compose_last_after_skip_take"] = new(s => s.Orders.OrderBy(o => o.Id).Skip(5).Take(10).Last().Id);
        c["compose_union_order_take"] =
            new(s => s.Orders.Where(o => o.Total > 900).Union(s.Orders.Where(o => o.Weight > 39)).OrderBy(o => o.Id).Take(5).Select(o =>
                o.Id).ToList());
        c["compose_concat_where"] =
            new(s => s.Orders.Where(o => o.Total > 900).Concat(s.Orders.Where(o => o.Weight > 39)).Where(o =>
                o.Status == OrderStatus.Paid).Select(o => o.Id).AsBag());
        c["compose_last_of_groups"] =
            new(s => s.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, N = g.Count() }).OrderBy(x => x.Key).Last().Key);
        c["compose_element_at_after_skip"] = new(s => s.Orders.OrderBy(o => o.Id).Skip(10).ElementAt(3).Id);
        c["compose_where_after_take"] = new(s => s.Orders.OrderBy(o => o.Id).Take(20).Where(o => o.Weight > 20).Select(o => o.Id).ToList());
        c["compose_count_after_take"] = new(s => s.Orders.OrderBy(o => o.Id).Take(20).Count(o => o.Weight > 20));
        c["compose_nav_projection_filtered_server"] =
            new(s => s.Orders.Select(o => new { o.Id, T = o.Customer == null ? (Tier?)null : o.Customer.Tier }).Where(x =>
                x.T == Tier.Gold).Select(x => x.Id).AsBag());
        c["compose_coalesce_through_nav"] =
            new(s => s.Orders.Where(o => (o.Customer == null ? "none" : o.Customer.Email ?? "no-mail") == "no-mail").Select(o =>
                o.Id).AsBag());
        c["compose_average_over_nav"] = new(s => s.Orders.Where(o => o.Customer != null).Average(o => o.Customer!.CreditLimit));
        c["compose_of_type_include"] =
            new(s => s.Customers.OfType<BusinessCustomer>().Include(b => b.Orders).ToList().Select(b => (b.Id, b.Orders.Count)).AsBag());
        c["compose_derived_set_include"] =
            new(s => s.Business.Include(b => b.Orders).Where(b => b.Employees > 50).ToList().Select(b =>
                (b.Id, b.Orders.Select(o => o.Id).Order().ToList())).AsBag());
        c["compose_from_mql_last"] =
            new(s => s.CustomersFromMql(new BsonDocument("Tier", (int)Tier.Silver), q => q.Where(x => x.Tier == Tier.Silver)).OrderBy(x =>
                x.Id).Last().Id);
        var label = "vip";
        c["compose_prim_contains_parameter"] = new(s => s.Customers.Where(x => x.Labels.Contains(label)).Select(x => x.Id).AsBag());
        c["compose_prim_last"] = new(s => s.Customers.Where(x => x.Scores.Any() && x.Scores.Last() > 50).Select(x => x.Id).AsBag());
        c["compose_time_of_day"] = new(s => s.Orders.Where(o => o.PlacedAt.TimeOfDay < TimeSpan.FromHours(1)).Select(o => o.Id).AsBag());
        c["compose_enum_to_string"] = new(s => s.Orders.Where(o => o.Status.ToString().StartsWith("P")).Select(o => o.Id).AsBag());
        c["compose_math_sign"] =
            new(s => s.Customers.Where(x => x.Address != null && Math.Sign(x.Address.Floor) < 0).Select(x => x.Id).AsBag());
        c["compose_string_compare_ordinal"] =
            new(s => s.Customers.Where(x => string.Compare(x.Name, "m", StringComparison.Ordinal) > 0).Select(x => x.Id).AsBag());
        c["compose_group_average_nullable_decimal"] =
            new(s => s.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, A = g.Average(o => o.Discount) }).AsBag());
        c["compose_first_or_default_projection"] =
            new(s => s.Customers.Where(x => x.Id == 5).Select(x =>
                new { x.Name, City = x.Address == null ? null : x.Address.City }).FirstOrDefault());
    }
}
