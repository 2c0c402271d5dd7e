namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>Item 2: conditional expressions, <c>??</c>, enum flags.</summary>
    private static void AddConditionals(Dictionary<string, BreadthCase> c)
    {
        c["coalesce_decimal"] = new(s => s.Orders.Where(o => (o.Discount ?? 0) > 20).Select(o => o.Id).AsBag());
        c["coalesce_int"] = new(s => s.Customers.Where(x => (x.Age ?? 0) < 30).Select(x => x.Id).AsBag());
        c["coalesce_string"] = new(s => s.Customers.Where(x => (x.Email ?? "none") == "none").Select(x => x.Id).AsBag());
        c["coalesce_owned"] =
            new(s => s.Customers.Where(x => (x.Address == null ? null : x.Address.Zip) == null).Select(x => x.Id).AsBag());
        c["conditional_in_predicate"] = new(s => s.Orders.Where(o => (o.Weight > 20 ? o.Total : 0) > 300).Select(o => o.Id).AsBag());
        c["conditional_boolean"] =
            new(s => s.Customers.Where(x => x.Tier == Tier.Gold ? x.CreditLimit > 5000 : x.CreditLimit < 1000).Select(x => x.Id).AsBag());
        c["conditional_nested"] =
            new(s => s.Orders.Where(o => (o.Status == OrderStatus.Cancelled ? 0 : o.Status == OrderStatus.Pending ? 1 : 2) == 1).Select(o =>
                o.Id).AsBag());
        c["conditional_distinct"] =
            new(s => s.Orders.Select(o => o.Discount == null ? "none" : o.Discount > 25 ? "big" : "small").Distinct().AsBag());
        c["conditional_group_key"] =
            new(s => s.Customers.GroupBy(x => x.Age == null ? -1 : x.Age / 10).Select(g => new { g.Key, N = g.Count() }).AsBag());
        c["conditional_projection"] =
            new(s => s.Orders.OrderBy(o => o.Id).Select(o =>
                new { o.Id, Kind = o.Weight > 20 ? "heavy" : "light", Net = o.Total - (o.Discount ?? 0) }).ToList());
        c["flags_has_flag"] = new(s => s.Customers.Where(x => x.Perks.HasFlag(Perks.Express)).Select(x => x.Id).AsBag());
        c["flags_has_combined_flag"] =
            new(s => s.Customers.Where(x => x.Perks.HasFlag(Perks.Express | Perks.GiftWrap)).Select(x => x.Id).AsBag());
        c["flags_not_has_flag"] =
            new(s => s.Customers.Where(x => !x.Perks.HasFlag(Perks.Insured) && x.Perks != Perks.None).Select(x => x.Id).AsBag());
        var wanted = Perks.FreeShipping;
        c["flags_has_flag_parameter"] = new(s => s.Customers.Where(x => x.Perks.HasFlag(wanted)).Select(x => x.Id).AsBag());
        c["bitwise_and_flag"] = new(s => s.Customers.Where(x => (x.Perks & Perks.Insured) != 0).Select(x => x.Id).AsBag());
        c["bitwise_and_mask_equals"] =
            new(s => s.Customers.Where(x => (x.Perks & (Perks.Express | Perks.GiftWrap)) == Perks.Express).Select(x => x.Id).AsBag());
        c["bitwise_or_int"] = new(s => s.Orders.Where(o => (o.Id | 1) == o.Id).Select(o => o.Id).AsBag());
        c["bitwise_xor_int"] = new(s => s.Orders.Where(o => (o.Id ^ 3) % 7 == 0).Select(o => o.Id).AsBag());
        c["bitwise_and_projection"] = new(s => s.Customers.Select(x => x.Perks & Perks.FreeShipping).Distinct().AsBag());
        c["flags_in_list"] =
            new(s => s.Customers.Where(x => new[] { Perks.None, Perks.FreeShipping | Perks.Insured }.Contains(x.Perks)).Select(x =>
                x.Id).AsBag());
    }
}
