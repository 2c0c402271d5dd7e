namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>Issue 22: Equals on boxed values is false when their types differ (an int never equals a long), as in .NET.</summary>
    private static void AddEqualitySemantics(Dictionary<string, BreadthCase> c)
    {
        long asLong = 5;
        int asInt = 5;
        c["eq_static_equals_int_and_long_is_false"] =
            new(s => s.Orders.Where(o => Equals(o.Id, asLong)).Select(o => o.Id).AsBag(), MayBeEmpty: true);
        c["eq_instance_equals_int_and_long_is_false"] =
            new(s => s.Orders.Where(o => o.Id.Equals(asLong)).Select(o => o.Id).AsBag(), MayBeEmpty: true);
        var paid = OrderStatus.Paid;
        c["eq_static_equals_same_type"] = new(s => s.Orders.Where(o => Equals(o.Status, paid)).Select(o => o.Id).AsBag());
        c["eq_static_equals_nullable_and_value"] = new(s => s.Orders.Where(o => Equals(o.CustomerId, asInt)).Select(o => o.Id).AsBag());
    }

    /// <summary>Issue 22: a constant Take(0) in a joined subquery selects nothing (mongod refuses $limit: 0).</summary>
    private static void AddTakeZero(Dictionary<string, BreadthCase> c) =>
        c["take_zero_in_subquery"] = new(s => s.Customers.Where(x => x.Age > 30).OrderBy(x => x.Id)
            .Select(x => new { x.Id, Any = x.Orders.OrderBy(o => o.Id).Skip(1).Take(0).Any() }).ToList());
}
