namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>Item 1: GroupBy (keys, aggregates, HAVING), Distinct, Last, ElementAt, Concat/Union.</summary>
    private static void AddOperators(Dictionary<string, BreadthCase> c)
    {
        // GroupBy with a scalar key.
        c["group_scalar_count"] =
            new(s => s.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).OrderBy(x => x.Key).ToList());
        c["group_scalar_every_aggregate"] = new(s => s.Orders.GroupBy(o => o.Status)
            .Select(g =>
                new { g.Key, Long = g.LongCount(), Sum = g.Sum(o => o.Total), Min = g.Min(o => o.Weight), Max = g.Max(o => o.PlacedAt),
                    Avg = g.Average(o => o.Weight), AvgTotal = g.Average(o => o.Total) })
            .OrderBy(x => x.Key).ToList());
        c["group_nullable_key"] =
            new(s => s.Orders.GroupBy(o => o.CustomerId).Select(g => new { g.Key, N = g.Count(), W = g.Max(o => o.Weight) }).OrderBy(x =>
                x.Key).ToList());
        c["group_string_key_ordinal"] =
            new(s => s.Customers.GroupBy(c => c.Name).Select(g => new { g.Key, N = g.Count() }).OrderBy(x => x.Key).ToList());
        c["group_enum_key_nullable_aggregates"] = new(s => s.Customers.GroupBy(c => c.Tier)
            .Select(g =>
                new { g.Key, MinAge = g.Min(c => c.Age), MaxAge = g.Max(c => c.Age), AvgAge = g.Average(c => c.Age),
                    SumAge = g.Sum(c => c.Age) }).AsBag());
        c["group_sum_nullable_decimal"] =
            new(s => s.Orders.GroupBy(o => o.Status).Select(g =>
                new { g.Key, Discount = g.Sum(o => o.Discount), Top = g.Max(o => o.Discount) }).AsBag());
        c["group_bool_key"] =
            new(s => s.Orders.GroupBy(o => o.Weight > 20).Select(g => new { g.Key, N = g.Count(), T = g.Sum(o => o.Total) }).AsBag());

        // Owned member and anonymous keys.
        c["group_owned_member_key"] = new(s => s.Customers.Where(c => c.Address != null).GroupBy(c => c.Address!.City)
            .Select(g => new { City = g.Key, N = g.Count(), Credit = g.Sum(c => c.CreditLimit) }).OrderBy(x => x.City).ToList());
        c["group_owned_member_conditional_key"] = new(s => s.Customers.GroupBy(c => c.Address == null ? null : c.Address.Zip)
            .Select(g => new { g.Key, N = g.Count() }).AsBag());
        c["group_anonymous_key"] = new(s => s.Orders.GroupBy(o => new { o.Status, HasNote = o.Note != null })
            .Select(g => new { g.Key.Status, g.Key.HasNote, N = g.Count(), Total = g.Sum(o => o.Total) }).AsBag());
        c["group_anonymous_key_with_owned"] =
            new(s => s.Customers.Where(c => c.Address != null).GroupBy(c => new { c.Tier, c.Address!.Floor })
            .Select(g => new { g.Key.Tier, g.Key.Floor, N = g.LongCount() }).AsBag());
        c["group_key_whole"] =
            new(s => s.Orders.GroupBy(o => new { o.Status, o.CustomerId }).Select(g => new { g.Key, N = g.Count() }).AsBag());

        // HAVING, filtered aggregates, First, element and result selectors.
        c["group_having_count"] = new(s => s.Customers.GroupBy(c => c.Tier).Where(g => g.Count() > 22).Select(g => g.Key).AsBag());
        c["group_having_sum"] = new(s => s.Orders.Where(o => o.CustomerId != null).GroupBy(o => o.CustomerId)
            .Where(g => g.Sum(o => o.Total) > 1500).Select(g => new { g.Key, Total = g.Sum(o => o.Total) }).OrderBy(x => x.Key).ToList());
        c["group_having_on_key_and_aggregate"] =
            new(s => s.Orders.GroupBy(o => o.Status).Where(g => g.Key != OrderStatus.Cancelled && g.Average(o => o.Weight) > 19).Select(g =>
                g.Key).AsBag(), MayBeEmpty: true);
        c["group_filtered_aggregates"] = new(s => s.Orders.GroupBy(o => o.Status)
            .Select(g =>
                new { g.Key, Discounted = g.Count(o => o.Discount != null), Heavy = g.Where(o => o.Weight > 30).Count(),
                    HeavyMax = g.Where(o => o.Weight > 30).Max(o => o.Total) }).AsBag());
        c["group_select_then_aggregate"] =
            new(s => s.Orders.GroupBy(o => o.Status).Select(g =>
                new { g.Key, Max = g.Select(o => o.Weight).Max(), Sum = g.Select(o => o.Total).Sum() }).AsBag());
        c["group_first"] =
            new(s => s.Orders.OrderBy(o => o.Id).GroupBy(o => o.Status).Select(g => new { g.Key, First = g.First().Id }).AsBag());
        c["group_first_member"] =
            new(s => s.Orders.OrderBy(o => o.PlacedAt).GroupBy(o => o.CustomerId).Select(g =>
                new { g.Key, Earliest = g.Select(o => o.PlacedAt).First() }).AsBag());
        c["group_element_selector"] =
            new(s => s.Orders.GroupBy(o => o.Status, o => o.Total).Select(g => new { g.Key, Sum = g.Sum(), Max = g.Max() }).AsBag());
        c["group_result_selector"] =
            new(s => s.Orders.GroupBy(o => o.Status, (k, g) => new { k, N = g.Count(), W = g.Sum(o => o.Weight) }).AsBag());
        c["group_count_of_groups"] = new(s => s.Orders.GroupBy(o => o.CustomerId).Count());
        c["group_order_by_aggregate_take"] = new(s => s.Orders.Where(o => o.CustomerId != null).GroupBy(o => o.CustomerId)
            .Select(g => new { g.Key, Total = g.Sum(o => o.Total) }).OrderByDescending(x => x.Total).ThenBy(x => x.Key).Take(5).ToList());
        c["group_after_where_on_derived_set"] =
            new(s => s.Business.Where(b => b.Employees > 20).GroupBy(b => b.Tier).Select(g =>
                new { g.Key, Staff = g.Sum(b => b.Employees) }).AsBag());
        c["group_key_date_part"] =
            new(s => s.Orders.GroupBy(o => o.PlacedAt.Year).Select(g =>
                new { Year = g.Key, N = g.Count(), Total = g.Sum(o => o.Total) }).OrderBy(x => x.Year).ToList());
        c["group_key_flag"] =
            new(s => s.Customers.GroupBy(c => c.Perks.HasFlag(Perks.Express)).Select(g => new { g.Key, N = g.Count() }).AsBag());

        // Distinct.
        c["distinct_enum"] = new(s => s.Orders.Select(o => o.Status).Distinct().AsBag());
        c["distinct_anonymous"] = new(s => s.Customers.Select(c => new { c.Tier, Flag = c.Perks }).Distinct().AsBag());
        c["distinct_nullable"] = new(s => s.Orders.Select(o => o.CustomerId).Distinct().AsBag());
        c["distinct_owned_member"] = new(s => s.Customers.Where(c => c.Address != null).Select(c => c.Address!.City).Distinct().AsBag());
        c["distinct_count"] = new(s => s.Orders.Select(o => o.CustomerId).Distinct().Count());
        c["distinct_then_order"] = new(s => s.Customers.Select(c => c.Name).Distinct().OrderBy(n => n).ToList());
        c["distinct_computed"] = new(s => s.Customers.Select(c => c.Name.Substring(0, 1).ToUpper()).Distinct().AsBag());
        c["distinct_entities"] = new(s => s.Orders.Where(o => o.Weight < 5).Distinct().Select(o => o.Id).AsBag());

        // Last / LastOrDefault with an ordering, ElementAt.
        c["last_ordered"] = new(s => s.Orders.OrderBy(o => o.PlacedAt).Last().Id);
        c["last_then_by"] = new(s => s.Orders.OrderBy(o => o.Status).ThenByDescending(o => o.Id).Last().Id);
        c["last_or_default_predicate"] = new(s => s.Orders.OrderBy(o => o.Total).ThenBy(o => o.Id).LastOrDefault(o => o.Weight > 35)?.Id);
        c["last_or_default_none"] = new(s => s.Orders.OrderBy(o => o.Id).LastOrDefault(o => o.Total < 0)?.Id);
        c["last_projected"] = new(s => s.Customers.OrderBy(c => c.Name).ThenBy(c => c.Id).Select(c => c.Name).Last());
        c["element_at"] = new(s => s.Orders.OrderBy(o => o.Id).ElementAt(17).Id);
        c["element_at_desc"] = new(s => s.Customers.OrderByDescending(c => c.Since).ElementAt(3).Name);
        c["element_at_or_default_past_end"] = new(s => s.Orders.OrderBy(o => o.Id).ElementAtOrDefault(5000)?.Id);

        // Concat / Union ($unionWith).
        c["concat_entities"] =
            new(s => s.Orders.Where(o => o.Total > 900).Concat(s.Orders.Where(o => o.Status == OrderStatus.Cancelled)).Select(o =>
                o.Id).AsBag());
        c["union_entities"] =
            new(s => s.Orders.Where(o => o.Total > 900).Union(s.Orders.Where(o => o.Status == OrderStatus.Cancelled)).Select(o =>
                o.Id).AsBag());
        c["concat_values"] =
            new(s => s.Customers.Where(c => c.Age > 80).Select(c =>
                c.Tier).Concat(s.Customers.Where(c => c.Age < 20).Select(c => c.Tier)).AsBag());
        c["union_values"] =
            new(s => s.Orders.Where(o => o.Weight > 30).Select(o =>
                o.CustomerId).Union(s.Orders.Where(o => o.Weight < 10).Select(o => o.CustomerId)).AsBag());
        c["union_count"] = new(s => s.Customers.Where(c => c.Tier == Tier.Gold).Union(s.Customers.Where(c => c.Age > 60)).Count());
        c["concat_derived_into_base"] =
            new(s => s.Customers.Where(c => c.Tier == Tier.Bronze).Concat(s.Business).Select(c => c.Id).AsBag());
    }
}
