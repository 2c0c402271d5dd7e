namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>
    /// The gaps users hit most, closed: ordering by computed values. Ties are broken by the key in every case, since
    /// MongoDB's sort is not stable across equal keys and LINQ's is.
    /// </summary>
    private static void AddComputedOrderings(Dictionary<string, BreadthCase> c)
    {
        c["order_computed_arithmetic"] = new(s => s.Orders.OrderBy(o => o.Weight * 2).ThenBy(o => o.Id).Select(o => o.Id).ToList());
        c["order_computed_nav_count"] = new(s => s.Customers.OrderBy(x => x.Orders.Count).ThenBy(x => x.Id).Select(x => x.Id).ToList());
        c["order_computed_prim_count_desc"] = new(s => s.Customers.OrderByDescending(x => x.Scores.Count).ThenBy(x => x.Id).Select(x => x.Id).ToList());
        c["order_computed_to_lower"] = new(s => s.Customers.OrderBy(x => x.Name.ToLower()).ThenBy(x => x.Id).Select(x => x.Id).ToList());
        c["order_then_by_computed"] = new(s => s.Orders.OrderBy(o => o.Status).ThenByDescending(o => o.Total - (o.Discount ?? 0)).ThenBy(o => o.Id).Select(o => o.Id).ToList());
        c["order_computed_owned_sum_take"] = new(s => s.Orders.OrderByDescending(o => o.Lines.Sum(l => l.Quantity)).ThenBy(o => o.Id).Take(7).Select(o => new { o.Id, o.Weight }).ToList());

        // A null computed key (Age is null for some customers) sorts first on both sides.
        c["order_computed_nullable"] = new(s => s.Customers.OrderBy(x => x.Age + 1).ThenBy(x => x.Id).Select(x => new { x.Id, x.Age }).ToList());
        c["order_computed_after_projection"] = new(s => s.Customers.Select(x => new { x.Id, Len = x.Name.Length }).OrderBy(x => x.Len).ThenByDescending(x => x.Id).ToList());
        c["order_computed_conditional"] = new(s => s.Orders.OrderBy(o => o.ShippedAt == null ? 0 : 1).ThenBy(o => o.Id).Select(o => o.Id).ToList());
        c["order_computed_last"] = new(s => s.Orders.OrderBy(o => o.Weight * 2).ThenBy(o => o.Id).Last().Id);
        c["order_computed_skip_take_entities"] = new(s => s.Orders.OrderBy(o => o.PlacedAt.Month).ThenBy(o => o.Id).Skip(5).Take(10).ToList());
        c["order_computed_nav_reference_member"] = new(s => s.Orders.Where(o => o.Customer != null).OrderBy(o => o.Customer!.Name.Length).ThenBy(o => o.Id).Select(o => o.Id).ToList());
    }
}
