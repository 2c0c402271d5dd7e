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
        c["order_computed_prim_count_desc"] =
            new(s => s.Customers.OrderByDescending(x => x.Scores.Count).ThenBy(x => x.Id).Select(x => x.Id).ToList());
        c["order_computed_to_lower"] = new(s => s.Customers.OrderBy(x => x.Name.ToLower()).ThenBy(x => x.Id).Select(x => x.Id).ToList());
        c["order_then_by_computed"] =
            new(s => s.Orders.OrderBy(o => o.Status).ThenByDescending(o => o.Total - (o.Discount ?? 0)).ThenBy(o => o.Id).Select(o =>
                o.Id).ToList());
        c["order_computed_owned_sum_take"] =
            new(s => s.Orders.OrderByDescending(o => o.Lines.Sum(l => l.Quantity)).ThenBy(o => o.Id).Take(7).Select(o =>
                new { o.Id, o.Weight }).ToList());

        // A null computed key (Age is null for some customers) sorts first on both sides.
        c["order_computed_nullable"] =
            new(s => s.Customers.OrderBy(x => x.Age + 1).ThenBy(x => x.Id).Select(x => new { x.Id, x.Age }).ToList());
        c["order_computed_after_projection"] =
            new(s => s.Customers.Select(x => new { x.Id, Len = x.Name.Length }).OrderBy(x => x.Len).ThenByDescending(x => x.Id).ToList());
        c["order_computed_conditional"] =
            new(s => s.Orders.OrderBy(o => o.ShippedAt == null ? 0 : 1).ThenBy(o => o.Id).Select(o => o.Id).ToList());
        c["order_computed_last"] = new(s => s.Orders.OrderBy(o => o.Weight * 2).ThenBy(o => o.Id).Last().Id);
        c["order_computed_skip_take_entities"] =
            new(s => s.Orders.OrderBy(o => o.PlacedAt.Month).ThenBy(o => o.Id).Skip(5).Take(10).ToList());
        c["order_computed_nav_reference_member"] =
            new(s => s.Orders.Where(o => o.Customer != null).OrderBy(o => o.Customer!.Name.Length).ThenBy(o => o.Id).Select(o =>
                o.Id).ToList());
    }

    /// <summary>
    /// Groups used whole (issue 22): returned as results, or composed with operators on the client over the elements
    /// that <c>$group</c> collected (ordering inside a group, Distinct over its values).
    /// </summary>
    private static void AddWholeGroups(Dictionary<string, BreadthCase> c)
    {
        c["group_to_list"] = new(s => s.Orders.GroupBy(o => o.Status).ToList()
            .Select(g => new { g.Key, Ids = g.Select(o => o.Id).Order().ToList() }).AsBag());
        c["group_ordered_first"] = new(s => s.Orders.GroupBy(o => o.Status)
            .Select(g => g.OrderBy(o => o.Total).ThenBy(o => o.Id).First().Id).AsBag());
        c["group_distinct_count"] = new(s => s.Orders.GroupBy(o => o.Status)
            .Select(g => new { g.Key, N = g.Select(o => o.CustomerId).Distinct().Count() }).AsBag());
        c["group_element_selector_to_list"] = new(s => s.Orders.GroupBy(o => o.CustomerId, o => o.Total).ToList()
            .Select(g => new { g.Key, Totals = g.Order().ToList() }).AsBag());
    }

    /// <summary>
    /// SelectMany: over a collection navigation (<c>$lookup</c> + <c>$unwind</c>), over owned and primitive collections
    /// (<c>$addFields</c> + <c>$unwind</c>), with and without a result selector, and operators after it on the server.
    /// </summary>
    private static void AddSelectMany(Dictionary<string, BreadthCase> c)
    {
        c["select_many_nav"] = new(s => s.Customers.SelectMany(x => x.Orders).Select(o => o.Id).AsBag());
        c["select_many_nav_entities"] = new(s => s.Customers.Where(x => x.Tier == Tier.Gold).SelectMany(x => x.Orders).ToList().AsBag());
        c["select_many_nav_result_selector"] =
            new(s => s.Customers.SelectMany(x => x.Orders, (x, o) => new { x.Name, o.Id, o.Total }).AsBag());
        c["select_many_nav_filtered"] = new(s => s.Customers.SelectMany(x => x.Orders.Where(o => o.Total > 500)).Select(o => o.Id).AsBag());
        c["select_many_nav_then_where"] =
            new(s => s.Customers.SelectMany(x => x.Orders, (x, o) => new { x.Id, o.Weight }).Where(r => r.Weight > 30).Select(r =>
                r.Id).AsBag());
        c["select_many_query_syntax"] =
            new(s => (from x in s.Customers from o in x.Orders where o.Total > x.CreditLimit / 10
                select new { C = x.Id, O = o.Id }).AsBag());
        c["select_many_nav_count"] = new(s => s.Customers.Where(x => x.Age > 40).SelectMany(x => x.Orders).Count());
        c["select_many_prim"] = new(s => s.Customers.SelectMany(x => x.Scores).AsBag());
        c["select_many_prim_result_selector"] = new(s => s.Customers.SelectMany(x => x.Labels, (x, l) => new { x.Id, Label = l }).AsBag());
        c["select_many_prim_filtered_distinct"] = new(s => s.Orders.SelectMany(o => o.Tags.Where(t => t != "gift")).Distinct().AsBag());
        c["select_many_prim_order_take"] = new(s => s.Customers.SelectMany(x => x.Scores).OrderByDescending(v => v).Take(10).ToList());
        c["select_many_owned_members"] = new(s => s.Orders.SelectMany(o => o.Lines, (o, l) => new { o.Id, l.Sku, l.Quantity }).AsBag());
        c["select_many_owned_select_sum"] = new(s => s.Orders.SelectMany(o => o.Lines.Select(l => l.Quantity * l.UnitPrice)).Sum());
        c["select_many_owned_count_predicate"] = new(s => s.Orders.SelectMany(o => o.Lines).Count(l => l.Quantity > 5));
        c["select_many_owned_group"] =
            new(s => s.Orders.SelectMany(o => o.Lines).GroupBy(l => l.Sku).Select(g => new { g.Key, Q = g.Sum(l => l.Quantity) }).AsBag());
        c["select_many_owned_where_member"] =
            new(s => s.Orders.SelectMany(o => o.Lines, (o, l) => new { o.Status, l.UnitPrice }).Where(r => r.UnitPrice > 150).Select(r =>
                r.Status).AsBag());
    }

    /// <summary>
    /// Distinct (<c>$setUnion</c>) and OrderBy/ThenBy (<c>$sortArray</c>) inside array expressions. Distinct is
    /// followed by order-insensitive operators or an OrderBy: <c>$setUnion</c> does not keep the elements' order.
    /// Strings inside arrays order by code point on the server; the LINQ side says so with an ordinal comparer.
    /// </summary>
    private static void AddArrayDistinctAndOrder(Dictionary<string, BreadthCase> c)
    {
        c["array_distinct_count"] = new(s => s.Customers.Where(x => x.Scores.Distinct().Count() >= 3).Select(x => x.Id).AsBag());
        c["array_distinct_after_select"] =
            new(s => s.Orders.Where(o => o.Tags.Select(t => t.ToLower()).Distinct().Count() < o.Tags.Count).Select(o => o.Id).AsBag());
        c["array_distinct_sum"] = new(s => s.Customers.Where(x => x.Scores.Distinct().Sum() > 150).Select(x => x.Id).AsBag());
        c["array_distinct_owned_member"] =
            new(s => s.Orders.Where(o => o.Lines.Select(l => l.Sku).Distinct().Count() == 3).Select(o => o.Id).AsBag());
        c["array_distinct_then_order_last"] =
            new(s => s.Customers.Where(x => x.Scores.Any() && x.Scores.Distinct().OrderBy(v => v).Last() > 90).Select(x => x.Id).AsBag());
        c["array_order_first"] =
            new(s => s.Customers.Where(x => x.Scores.Any() && x.Scores.OrderBy(v => v).First() < 10).Select(x => x.Id).AsBag());
        c["array_order_descending_first"] =
            new(s => s.Customers.Where(x => x.Scores.Any() && x.Scores.OrderByDescending(v => v).First() > 95).Select(x => x.Id).AsBag());
        c["array_order_element_at"] =
            new(s => s.Customers.Where(x => x.Scores.Count > 1 && x.Scores.OrderBy(v => v).ElementAt(1) > 60).Select(x => x.Id).AsBag());
        c["array_order_owned_member"] =
            new(s => s.Orders.Where(o => o.Lines.Any() && o.Lines.OrderBy(l => l.UnitPrice).First().Sku == "SKU-1").Select(o =>
                o.Id).AsBag());
        c["array_order_owned_then_by"] = new(
            s => s.Orders.Where(o =>
                o.Lines.Any() && o.Lines.OrderBy(l => l.Sku).ThenByDescending(l => l.Quantity).First().Quantity > 5).Select(o =>
                    o.Id).AsBag(),
            Expected: s =>
                s.Orders.Where(o =>
                    o.Lines.Any()
                        && o.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).ThenByDescending(l =>
                            l.Quantity).First().Quantity > 5).Select(o => o.Id).AsBag());
        c["array_order_strings_ordinal"] = new(
            s => s.Customers.Where(x => x.Labels.Any() && x.Labels.OrderBy(l => l).First() == "Newsletter").Select(x => x.Id).AsBag(),
            Expected: s =>
                s.Customers.Where(x =>
                    x.Labels.Any() && x.Labels.OrderBy(l => l, StringComparer.Ordinal).First() == "Newsletter").Select(x => x.Id).AsBag());
        c["array_order_where_last"] =
            new(s => s.Orders.Where(o =>
                o.Lines.Any(l => l.Quantity > 2)
                    && o.Lines.Where(l => l.Quantity > 2).OrderBy(l => l.Quantity).Last().UnitPrice > 100).Select(o => o.Id).AsBag());
    }

    /// <summary>
    /// Text built on the server: string.Format and interpolation (<c>$concat</c> of <c>$toString</c>, enum names,
    /// "" for nulls as .NET prints them), <c>s[i]</c> (<c>$substrCP</c>, compared as one-character strings) and
    /// <c>Convert.ToString(object)</c> of a nullable int.
    /// </summary>
    private static void AddStringFormatting(Dictionary<string, BreadthCase> c)
    {
        c["str_interpolation"] = new(s => s.Customers.Where(x => $"{x.Name}-{x.Id}".EndsWith("-7")).Select(x => x.Id).AsBag());
        c["str_format_enum_and_nulls"] =
            new(s => s.Customers.Where(x => string.Format("{0}/{1}/{2}", x.Tier, x.Age, x.Email).Contains("//")).Select(x => x.Id).AsBag());
        c["str_interpolation_many_arguments"] =
            new(s => s.Customers.Where(x =>
                $"{x.Id}:{x.Tier}:{x.Age}:{x.Name}".StartsWith("1") && $"{x.Id}:{x.Tier}:{x.Age}:{x.Name}".Contains(":Gold:")).Select(x =>
                    x.Id).AsBag());
        c["str_format_escaped_braces"] =
            new(s => s.Customers.Where(x => string.Format("{{{0}}}", x.Id) == "{5}" || string.Format("{0}{0}", x.Id) == "1212").Select(x =>
                x.Id).AsBag());
        c["str_interpolation_projected_filtered"] =
            new(s => s.Customers.Select(x => new { x.Id, Label = $"{x.Name} ({x.Tier})" }).Where(r =>
                r.Label.EndsWith("(Gold)")).Select(r => r.Id).AsBag());
        c["str_interpolation_order_by"] = new(s => s.Customers.OrderBy(x => $"{x.Tier}#{x.Id}").Select(x => x.Id).ToList());
        c["str_char_index"] = new(s => s.Customers.Where(x => x.Name[0] == 'B').Select(x => x.Id).AsBag());
        c["str_char_index_range"] = new(s => s.Customers.Where(x => x.Name[0] >= 'a' && x.Name[0] <= 'm').Select(x => x.Id).AsBag());
        c["str_char_index_computed"] =
            new(s => s.Customers.Where(x => x.Name[x.Name.Length - 2] == 'A' || x.Name[1] == x.Name[4]).Select(x => x.Id).AsBag());
        c["str_char_in_interpolation"] =
            new(s => s.Customers.Where(x => $"{x.Name[0]}{x.Id}" == "B" + x.Id.ToString()).Select(x => x.Id).AsBag());
        c["convert_to_string_nullable_int"] =
            new(s => s.Customers.Where(x => Convert.ToString(x.Age) == "" || Convert.ToString(x.Age)!.StartsWith("4")).Select(x =>
                new { x.Id, x.Age }).AsBag());
    }
}
