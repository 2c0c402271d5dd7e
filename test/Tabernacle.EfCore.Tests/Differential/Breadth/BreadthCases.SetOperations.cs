namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>
    /// Issue 22: set operations whose sides are shaped differently (projections of other properties, of another
    /// collection, computed values, constants, an entity reached through a navigation), and Intersect/Except.
    /// </summary>
    private static void AddSetOperations(Dictionary<string, BreadthCase> c)
    {
        c["set_concat_anonymous_from_two_collections"] =
            new(s => s.Customers.Where(x => x.Age > 75).Select(x => new { Key = x.Id, Text = x.Name })
            .Concat(s.Orders.Where(o => o.Total > 900).Select(o => new { Key = o.Id, Text = o.Note ?? "" })).AsBag());
        c["set_union_of_different_properties"] = new(s => s.Customers.Where(x => x.Age > 70).Select(x => x.Name)
            .Union(s.Customers.Where(x => x.Email != null).Select(x => x.Email!)).AsBag());
        c["set_union_constants_differ"] = new(s => s.Customers.Where(x => x.Age > 80).Select(x => new { x.Id, Label = "old" })
            .Union(s.Customers.Where(x => x.Age < 20).Select(x => new { x.Id, Label = "young" })).AsBag());
        c["set_union_null_and_value"] = new(s => s.Customers.Where(x => x.Age > 80).Select(x => new { x.Id, Mail = (string?)null })
            .Union(s.Customers.Where(x => x.Age < 20).Select(x => new { x.Id, Mail = x.Email })).AsBag());
        c["set_union_computed_then_where"] = new(s => s.Customers.Select(x => new { x.Id, Doubled = x.Id * 2 })
            .Union(s.Orders.Select(o => new { o.Id, Doubled = o.Id + 1 })).Where(r => r.Doubled > 150).Select(r => r.Id).AsBag());
        c["set_concat_order_take"] = new(s => s.Customers.Where(x => x.Age > 80).Select(x => new { x.Name, x.Age })
            .Concat(s.Customers.Where(x => x.Age < 20).Select(x => new { x.Name, x.Age })).OrderBy(r => r.Age).ThenBy(r =>
                r.Name).Take(5).ToList());
        c["set_union_joined_entity_and_entity"] = new(s => s.Orders.Where(o => o.Total > 900 && o.Customer != null).Select(o => o.Customer!)
            .Union(s.Customers.Where(x => x.Age > 85)).Where(x => x.Tier != Tier.Bronze).Select(x => x.Id).AsBag());
        c["set_intersect_entities"] =
            new(s => s.Orders.Where(o => o.Total > 500).Intersect(s.Orders.Where(o => o.Weight > 20)).Select(o => o.Id).AsBag());
        c["set_except_entities"] =
            new(s => s.Orders.Where(o => o.Total > 500).Except(s.Orders.Where(o => o.Weight > 20)).Select(o => o.Id).AsBag());
        c["set_intersect_values_of_two_collections"] = new(s => s.Orders.Select(o => o.CustomerId)
            .Intersect(s.Customers.Where(x => x.Tier == Tier.Gold).Select(x => (int?)x.Id)).AsBag());
        c["set_except_anonymous"] = new(s => s.Customers.Select(x => new { x.Tier, x.Age })
            .Except(s.Customers.Where(x => x.Age > 40).Select(x => new { x.Tier, x.Age })).AsBag());
        c["set_except_count"] =
            new(s => s.Orders.Select(o => o.Status).Except(s.Orders.Where(o => o.Total > 100).Select(o => o.Status)).Count(),
                MayBeEmpty: true);
        c["set_except_joined_entities_materialized"] =
            new(s => s.Orders.Select(o => o.Customer).Except(s.Orders.Where(o => o.Total > 500).Select(o => o.Customer))
            .ToList().Select(x => x == null ? -1 : x.Id).AsBag());
        c["set_union_entity_and_value_materialized"] = new(s => s.Customers.Where(x => x.Age > 80).Select(x => new { C = x, Foo = x.Name })
            .Union(s.Customers.Where(x => x.Age < 20).Select(x => new { C = x, Foo = x.Email ?? "" })).ToList().Select(r =>
                (r.C.Id, r.C.Address?.City, r.Foo)).AsBag());
        c["set_union_count_of_navigation_and_column"] = new(s => s.Customers.Select(x => x.Orders.Count())
            .Union(s.Customers.Select(x => x.Id % 7)).AsBag());
        c["set_concat_count_property_of_navigation"] =
            new(s => s.Customers.Where(x => x.Age > 70).Select(x => new { x.Id, N = x.Orders.Count })
            .Concat(s.Customers.Where(x => x.Age < 25).Select(x => new { x.Id, N = 0 })).AsBag());
        c["set_concat_entities_distinct"] =
            new(s => s.Orders.Where(o => o.Total > 500).Concat(s.Orders.Where(o => o.Weight > 20)).Distinct().Select(o => o.Id).AsBag());
    }
}
