namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>
    /// Item 2: primitive arrays (<see cref="Customer.Scores"/>, <see cref="Customer.Labels"/>, <see cref="Order.Tags"/>)
    /// and an owned collection (<see cref="Order.Lines"/>). Min/Max/Average/First of an empty array throw in .NET and
    /// are null in MongoDB, so those cases guard with Any() as C# code must.
    /// </summary>
    private static void AddArrays(Dictionary<string, BreadthCase> c)
    {
        // Primitive arrays.
        c["prim_any"] = new(s => s.Customers.Where(x => x.Scores.Any()).Select(x => x.Id).AsBag());
        c["prim_any_predicate"] = new(s => s.Customers.Where(x => x.Scores.Any(v => v > 90)).Select(x => x.Id).AsBag());
        c["prim_all"] = new(s => s.Customers.Where(x => x.Scores.All(v => v >= 40)).Select(x => x.Id).AsBag());
        c["prim_count_property"] = new(s => s.Customers.Where(x => x.Scores.Count >= 3).Select(x => x.Id).AsBag());
        c["prim_count_predicate"] = new(s => s.Customers.Where(x => x.Scores.Count(v => v % 2 == 0) == 2).Select(x => x.Id).AsBag());
        c["prim_contains_constant"] = new(s => s.Customers.Where(x => x.Labels.Contains("vip")).Select(x => x.Id).AsBag());
        c["prim_contains_case_sensitive"] =
            new(s => s.Orders.Where(o => o.Tags.Contains("Gift") && !o.Tags.Contains("gift")).Select(o => o.Id).AsBag());
        c["prim_sum"] = new(s => s.Customers.Where(x => x.Scores.Sum() > 200).Select(x => x.Id).AsBag());
        c["prim_min_max"] =
            new(s => s.Customers.Where(x => x.Scores.Any() && x.Scores.Max() - x.Scores.Min() > 60).Select(x => x.Id).AsBag());
        c["prim_average"] = new(s => s.Customers.Where(x => x.Scores.Any() && x.Scores.Average() > 70).Select(x => x.Id).AsBag());
        c["prim_index"] = new(s => s.Customers.Where(x => x.Scores.Count > 0 && x.Scores[0] > 80).Select(x => x.Id).AsBag());
        c["prim_first"] = new(s => s.Customers.Where(x => x.Labels.Any() && x.Labels.First() == "new").Select(x => x.Id).AsBag());
        c["prim_element_at"] = new(s => s.Customers.Where(x => x.Scores.Count > 1 && x.Scores.ElementAt(1) < 10).Select(x => x.Id).AsBag());
        c["prim_where_count"] =
            new(s => s.Orders.Where(o => o.Tags.Where(t => t.StartsWith("g") || t.StartsWith("G")).Count() >= 2).Select(o => o.Id).AsBag());
        c["prim_string_function_inside"] =
            new(s => s.Customers.Where(x => x.Labels.Any(l => l.ToLower() == "newsletter")).Select(x => x.Id).AsBag());
        c["prim_projection"] =
            new(s => s.Customers.OrderBy(x => x.Id).Select(x =>
                new { x.Id, N = x.Scores.Count, Top = x.Scores.Where(v => v > 50).ToList(),
                    Labels = string.Join("|", x.Labels) }).ToList());
        c["prim_projection_filtered_server"] =
            new(s => s.Customers.Select(x => new { x.Id, High = x.Scores.Count(v => v > 50) }).Where(x => x.High >= 2).Select(x =>
                x.Id).AsBag());

        // Owned collection.
        c["owned_any"] = new(s => s.Orders.Where(o => o.Lines.Any(l => l.Sku == "KIT-9")).Select(o => o.Id).AsBag());
        c["owned_not_any"] = new(s => s.Orders.Where(o => !o.Lines.Any()).Select(o => o.Id).AsBag());
        c["owned_all"] = new(s => s.Orders.Where(o => o.Lines.Any() && o.Lines.All(l => l.Quantity > 3)).Select(o => o.Id).AsBag());
        c["owned_count"] = new(s => s.Orders.Where(o => o.Lines.Count == 3).Select(o => o.Id).AsBag());
        c["owned_count_predicate"] = new(s => s.Orders.Where(o => o.Lines.Count(l => l.UnitPrice > 100) >= 2).Select(o => o.Id).AsBag());
        c["owned_sum"] = new(s => s.Orders.Where(o => o.Lines.Sum(l => l.Quantity) > 15).Select(o => o.Id).AsBag());
        c["owned_sum_product"] =
            new(s => s.Orders.Where(o => o.Lines.Sum(l => l.Quantity * l.UnitPrice) != o.Total).Select(o => o.Id).AsBag(),
                MayBeEmpty: true);
        c["owned_max_min"] =
            new(s => s.Orders.Where(o =>
                o.Lines.Any() && o.Lines.Max(l => l.UnitPrice) > 190 || o.Lines.Any() && o.Lines.Min(l => l.Quantity) == 9).Select(o =>
                    o.Id).AsBag());
        c["owned_average"] =
            new(s => s.Orders.Where(o => o.Lines.Any() && o.Lines.Average(l => l.Quantity) >= 7).Select(o => o.Id).AsBag());
        c["owned_index_member"] = new(s => s.Orders.Where(o => o.Lines.Count > 0 && o.Lines[0].Sku == "SKU-1").Select(o => o.Id).AsBag());
        c["owned_first_member"] = new(s => s.Orders.Where(o => o.Lines.Any() && o.Lines.First().Quantity == 1).Select(o => o.Id).AsBag());
        c["owned_where_select_contains"] =
            new(s => s.Orders.Where(o => o.Lines.Where(l => l.Quantity >= 5).Select(l => l.Sku).Contains("PEN-4")).Select(o =>
                o.Id).AsBag());
        c["owned_select_any"] = new(s => s.Orders.Where(o => o.Lines.Select(l => l.UnitPrice).Any(p => p < 5)).Select(o => o.Id).AsBag());
        c["owned_projection_where_select"] =
            new(s => s.Orders.OrderBy(o => o.Id).Select(o =>
                new { o.Id, Skus = o.Lines.Where(l => l.Quantity > 4).Select(l => l.Sku).ToList(),
                    Value = o.Lines.Sum(l => l.Quantity * l.UnitPrice) }).ToList());
        c["owned_projection_filtered_server"] =
            new(s => s.Orders.Select(o => new { o.Id, Units = o.Lines.Sum(l => l.Quantity) }).Where(x => x.Units > 20).Select(x =>
                x.Id).AsBag());
        c["owned_in_group_aggregate"] =
            new(s => s.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, Lines = g.Sum(o => o.Lines.Count) }).AsBag());
    }
}
