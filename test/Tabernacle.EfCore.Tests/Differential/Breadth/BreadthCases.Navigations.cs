using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>
    /// Item 3: navigations between the collections, Include/ThenInclude (filtered too), Join, GroupJoin, LeftJoin.
    /// In memory the navigations are connected and Include does nothing, so included data is read back through the
    /// same navigations on both sides; a filtered Include has an explicit LINQ to Objects equivalent.
    /// </summary>
    private static void AddNavigations(Dictionary<string, BreadthCase> c)
    {
        // Reference navigation (order → customer, customer → referrer) in predicates, orderings and projections.
        c["nav_ref_predicate"] =
            new(s => s.Orders.Where(o => o.Customer != null && o.Customer.Tier == Tier.Gold).Select(o => o.Id).AsBag());
        c["nav_ref_null"] = new(s => s.Orders.Where(o => o.Customer == null).Select(o => o.Id).AsBag());
        c["nav_ref_owned_member"] =
            new(s => s.Orders.Where(o => o.Customer != null && o.Customer.Address != null && o.Customer.Address.City == "Oslo").Select(o =>
                o.Id).AsBag());
        c["nav_ref_function"] =
            new(s => s.Orders.Where(o => o.Customer != null && o.Customer.Name.StartsWith("a") && o.Customer.Since.Year >= 2023).Select(o =>
                o.Id).AsBag());
        c["nav_ref_projection"] =
            new(s => s.Orders.OrderBy(o => o.Id).Select(o =>
                new { o.Id, Name = o.Customer == null ? null : o.Customer.Name,
                    Tier = o.Customer == null ? (Tier?)null : o.Customer.Tier }).ToList());
        c["nav_ref_order_by"] =
            new(s => s.Orders.Where(o => o.Customer != null).OrderBy(o => o.Customer!.Name).ThenBy(o => o.Id).Select(o => o.Id).ToList());
        c["nav_ref_group_key"] =
            new(s => s.Orders.Where(o => o.Customer != null).GroupBy(o => o.Customer!.Tier).Select(g =>
                new { g.Key, N = g.Count(), Total = g.Sum(o => o.Total) }).AsBag());
        c["nav_ref_type_test"] = new(s => s.Orders.Where(o => o.Customer is BusinessCustomer).Select(o => o.Id).AsBag());
        c["nav_self_reference"] =
            new(s => s.Customers.Where(x => x.ReferredBy != null && x.ReferredBy.Tier >= Tier.Gold).Select(x => x.Id).AsBag());
        c["nav_two_hops"] =
            new(s => s.Orders.Where(o => o.Customer != null && o.Customer.ReferredBy != null && o.Customer.ReferredBy.Age > 50).Select(o =>
                o.Id).AsBag());

        // Collection navigation (customer → orders) in predicates and projections.
        c["nav_coll_any"] =
            new(s => s.Customers.Where(x => x.Orders.Any(o => o.Status == OrderStatus.Cancelled && o.Total > 200)).Select(x =>
                x.Id).AsBag());
        c["nav_coll_not_any"] = new(s => s.Customers.Where(x => !x.Orders.Any()).Select(x => x.Id).AsBag());
        c["nav_coll_count"] = new(s => s.Customers.Where(x => x.Orders.Count() > 4).Select(x => x.Id).AsBag());
        c["nav_coll_count_property"] = new(s => s.Customers.Where(x => x.Orders.Count == 1).Select(x => x.Id).AsBag());
        c["nav_coll_all"] = new(s => s.Customers.Where(x => x.Orders.Any() && x.Orders.All(o => o.Weight < 30)).Select(x => x.Id).AsBag());
        c["nav_coll_sum"] = new(s => s.Customers.Where(x => x.Orders.Sum(o => o.Total) > 2500).Select(x => x.Id).AsBag());
        c["nav_coll_where_count"] =
            new(s => s.Customers.Where(x => x.Orders.Where(o => o.ShippedAt == null).Count() >= 2).Select(x => x.Id).AsBag());
        c["nav_coll_projection_aggregates"] =
            new(s => s.Customers.OrderBy(x => x.Id).Select(x =>
                new { x.Id, N = x.Orders.Count, Total = x.Orders.Sum(o => o.Total), Heavy = x.Orders.Any(o => o.Weight > 35) }).ToList());
        c["nav_coll_projection_list"] =
            new(s => s.Customers.Where(x => x.Tier == Tier.Silver).OrderBy(x => x.Id).Select(x =>
                new { x.Id, Ids = x.Orders.Where(o => o.Total > 300).OrderBy(o => o.Id).Select(o => o.Id).ToList() }).ToList());
        c["nav_coll_projection_filtered_server"] =
            new(s => s.Customers.Select(x => new { x.Id, N = x.Orders.Count() }).Where(x => x.N >= 5).Select(x => x.Id).AsBag());
        c["nav_correlated_subquery"] =
            new(s => s.Customers.Where(x => s.Orders.Any(o => o.CustomerId == x.Id && o.Total > 900)).Select(x => x.Id).AsBag());

        // Include and ThenInclude.
        c["include_reference"] =
            new(s => s.Orders.Include(o => o.Customer).Where(o => o.Weight > 30).OrderBy(o => o.Id).ToList().Select(o =>
                (o.Id, o.Customer?.Name, o.Customer?.Address?.City)).ToList());
        c["include_collection"] =
            new(s => s.Customers.Include(x => x.Orders).Where(x => x.Tier == Tier.Platinum).OrderBy(x => x.Id).ToList().Select(x =>
                (x.Id, x.Orders.Select(o => o.Id).Order().ToList())).ToList());
        c["include_self_reference"] =
            new(s => s.Customers.Include(x => x.ReferredBy).Where(x => x.ReferredById != null).OrderBy(x => x.Id).ToList().Select(x =>
                (x.Id, x.ReferredBy!.Name)).ToList());
        c["include_then_include"] =
            new(s => s.Orders.Include(o => o.Customer).ThenInclude(x => x!.ReferredBy).OrderBy(o => o.Id).ToList().Select(o =>
                (o.Id, o.Customer?.Id, o.Customer?.ReferredBy?.Name)).ToList());
        c["include_filtered"] = new(
            s => s.Customers.Include(x => x.Orders.Where(o => o.Total > 400)).OrderBy(x => x.Id).ToList().Select(x =>
                (x.Id, x.Orders.Select(o => o.Id).Order().ToList())).ToList(),
            Expected: s =>
                s.Customers.OrderBy(x => x.Id).ToList().Select(x =>
                    (x.Id, x.Orders.Where(o => o.Total > 400).Select(o => o.Id).Order().ToList())).ToList());
        c["include_filtered_ordered_take"] = new(
            s => s.Customers.Include(x => x.Orders.OrderByDescending(o => o.PlacedAt).Take(2)).Where(x => x.Id <= 40).OrderBy(x =>
                x.Id).ToList().Select(x => (x.Id, x.Orders.Select(o => o.Id).ToList())).ToList(),
            Expected: s =>
                s.Customers.Where(x => x.Id <= 40).OrderBy(x => x.Id).ToList().Select(x =>
                    (x.Id, x.Orders.OrderByDescending(o => o.PlacedAt).Take(2).Select(o => o.Id).ToList())).ToList());
        c["include_with_first"] =
            new(s => s.Customers.Include(x => x.Orders).OrderBy(x => x.Id).First(x => x.Orders.Count > 6) is var x ? (x.Id, x.Orders.Count)
                : default);

        // Join, GroupJoin, LeftJoin.
        c["join"] =
            new(s => s.Orders.Join(s.Customers, o => o.CustomerId, x => (int?)x.Id, (o, x) => new { o.Id, x.Name, o.Total }).OrderBy(r =>
                r.Id).ToList());
        c["join_then_where"] =
            new(s => s.Orders.Join(s.Customers, o => o.CustomerId, x => (int?)x.Id, (o, x) => new { o.Id, x.Tier, o.Weight }).Where(r =>
                r.Tier == Tier.Silver && r.Weight > 20).Select(r => r.Id).AsBag());
        c["join_reversed"] =
            new(s => s.Customers.Where(x => x.Age > 70).Join(s.Orders, x => (int?)x.Id, o => o.CustomerId, (x, o) =>
                new { Customer = x.Id, Order = o.Id }).AsBag());
        c["join_self"] =
            new(s => s.Customers.Join(s.Customers, x => x.ReferredById, r => (int?)r.Id, (x, r) =>
                new { x.Id, Referrer = r.Name }).AsBag());
        c["group_join"] =
            new(s => s.Customers.GroupJoin(s.Orders, x => (int?)x.Id, o => o.CustomerId, (x, os) =>
                new { x.Id, N = os.Count(), Max = os.Select(o => (decimal?)o.Total).Max() }).ToList().OrderBy(r => r.Id).ToList());
        c["left_join"] =
            new(s => s.Orders.LeftJoin(s.Customers, o => o.CustomerId, x => (int?)x.Id, (o, x) =>
                new { o.Id, Name = x == null ? "-" : x.Name }).AsBag());
    }
}
