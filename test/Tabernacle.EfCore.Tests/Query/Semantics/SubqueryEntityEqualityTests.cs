using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Differential.Breadth;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query.Semantics;

/// <summary>
/// Issue 22: entity equality where one side is not an entity of the row: the entity a subquery returns
/// (<c>c.Orders.FirstOrDefault()</c>, also through <c>Single</c>), an entity built inline (<c>new Customer { Id = 3 }</c>,
/// also from values of the row), a collection navigation's <c>Contains</c> of an entity, a join on whole entities; and the
/// null tests of a subquery's first element, which must treat "nothing joined" as null.
/// </summary>
public sealed class SubqueryEntityEqualityTests : ProviderTestBase<BreadthContext>
{
    private static readonly (List<Customer> Customers, List<Order> Orders) Memory = BreadthData.Create();

    protected override async Task SeedAsync()
    {
        var (customers, orders) = BreadthData.Create();
        await using var db = CreateContext();
        db.Customers.AddRange(customers);
        db.Orders.AddRange(orders);
        await db.SaveChangesAsync();
    }

    private static Order? FirstOrderOf(int customerId) =>
        Memory.Orders.Where(o => o.CustomerId == customerId).OrderBy(o => o.Id).FirstOrDefault();

    // The customers whose first order (by id) is a given one; at least one such customer exists.
    private static (int CustomerId, int OrderId) SomeFirstOrder()
    {
        var customer = Memory.Customers.OrderBy(c => c.Id).First(c => FirstOrderOf(c.Id) is not null);
        return (customer.Id, FirstOrderOf(customer.Id)!.Id);
    }

    [Fact]
    public async Task The_first_entity_of_a_subquery_equals_an_entity_parameter_with_its_key()
    {
        var (customerId, orderId) = SomeFirstOrder();
        var order = new Order { Id = orderId };
        await using var db = CreateContext();

        var equal = await db.Customers.Where(c => c.Orders.OrderBy(o => o.Id).FirstOrDefault() == order).Select(c => c.Id).ToListAsync();
        var notEqual = await db.Customers.Where(c => c.Orders.OrderBy(o => o.Id).FirstOrDefault() != order).CountAsync();

        Assert.Equal([customerId], equal);
        Assert.Equal(Memory.Customers.Count - 1, notEqual);
    }

    [Fact]
    public async Task Single_of_a_correlated_subquery_reads_its_first_document()
    {
        await using var db = CreateContext();
        var actual = await db.Orders
            .Where(o => db.Customers.Where(c => c.Id == o.CustomerId).Select(c => c.Name).SingleOrDefault() != null)
            .Select(o => o.Id).OrderBy(i => i).ToListAsync();
        var withCustomer = await db.Orders
            .Where(o => db.Customers.Where(c => c.Id == o.CustomerId).SingleOrDefault() == null)
            .CountAsync();

        Assert.Equal(Memory.Orders.Where(o => o.CustomerId is not null).Select(o => o.Id).Order().ToList(), actual);
        Assert.Equal(Memory.Orders.Count(o => o.CustomerId is null), withCustomer);
    }

    [Fact]
    public async Task The_first_value_of_an_empty_subquery_is_null()
    {
        await using var db = CreateContext();
        var withoutOrders = await db.Customers
            .Where(c => c.Orders.OrderByDescending(o => o.Id).Select(o => o.Note).FirstOrDefault() == null)
            .Select(c => c.Id).OrderBy(i => i).ToListAsync();
        var withAnOrder = await db.Customers
            .Where(c => c.Orders.OrderBy(o => o.Id).FirstOrDefault() != null)
            .CountAsync();

        var expected = Memory.Customers
            .Where(c =>
                Memory.Orders.Where(o => o.CustomerId == c.Id).OrderByDescending(o => o.Id).Select(o => o.Note).FirstOrDefault() == null)
            .Select(c => c.Id).Order().ToList();
        Assert.Contains(Memory.Customers, c => Memory.Orders.All(o => o.CustomerId != c.Id));
        Assert.Equal(expected, withoutOrders);
        Assert.Equal(Memory.Customers.Count(c => Memory.Orders.Any(o => o.CustomerId == c.Id)), withAnOrder);
    }

    [Fact]
    public async Task An_entity_built_inline_compares_by_the_key_it_is_given()
    {
        await using var db = CreateContext();
        Assert.Equal([3], await db.Customers.Where(c => c == new Customer { Id = 3, Name = "ignored" }).Select(c => c.Id).ToListAsync());
        Assert.Equal([4], await db.Customers.Where(c => c.Equals(new Customer { Id = 4 })).Select(c => c.Id).ToListAsync());

        // Built from a value of the row: the order's customer is the customer whose key it names.
        var own = await db.Orders.Where(o => o.Customer == new Customer { Id = o.CustomerId ?? 0 }).CountAsync();
        Assert.Equal(Memory.Orders.Count(o => o.CustomerId is not null), own);
    }

    [Fact]
    public async Task Contains_of_an_entity_in_a_collection_navigation_compares_keys()
    {
        var (customerId, orderId) = SomeFirstOrder();
        var order = new Order { Id = orderId };
        await using var db = CreateContext();

        Assert.Equal([customerId], await db.Customers.Where(c => c.Orders.Contains(order)).Select(c => c.Id).ToListAsync());
        // Every customer's first order is among its other orders, except for the customer whose first order is left out.
        Assert.Equal(
            Memory.Customers.Count(c => Memory.Orders.Any(o => o.CustomerId == c.Id)) - 1,
            await db.Customers.Where(c => c.Orders.Where(o => o.Id != orderId).Contains(c.Orders.OrderBy(o => o.Id).First())).CountAsync());
    }

    [Fact]
    public async Task A_join_on_whole_entities_joins_on_their_keys()
    {
        var gold = Memory.Customers.Where(c => c.Tier == Tier.Gold).Select(c => c.Id).Order().ToList();
        await using var db = CreateContext();
        var actual = await db.Customers.Where(c => c.Tier == Tier.Gold)
            .Join(db.Customers, o => o, i => i, (o, i) => i.Id)
            .OrderBy(i => i).ToListAsync();
        Assert.NotEmpty(gold);
        Assert.Equal(gold, actual);
    }

    [Fact]
    public async Task A_group_by_an_empty_key_is_one_group_of_every_document()
    {
        await using var db = CreateContext();
        var groups =
            await db.Orders.GroupBy(o => new { }).Select(g => new { g.Key, Count = g.Count(), Total = g.Sum(o => o.Total) }).ToListAsync();

        var only = Assert.Single(groups);
        Assert.Equal(new { }, only.Key);
        Assert.Equal(Memory.Orders.Count, only.Count);
        Assert.Equal(Memory.Orders.Sum(o => o.Total), only.Total);
        Assert.StartsWith("""db.orders.aggregate([{ "$group" : { "_id" : null, """,
            db.Orders.GroupBy(o => new { }).Select(g => new { Count = g.Count(), Total = g.Sum(o => o.Total) }).ToQueryString());
    }

    [Fact]
    public async Task A_group_by_a_reference_navigation_has_the_entity_as_its_key()
    {
        await using var db = CreateContext();
        var groups = await db.Orders.GroupBy(o => o.Customer).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();

        var expected = Memory.Orders.GroupBy(o => o.CustomerId).ToDictionary(g => g.Key ?? -1, g => g.Count());
        Assert.Equal(expected.Count, groups.Count);
        foreach (var group in groups)
        {
            Assert.Equal(expected[group.Key?.Id ?? -1], group.Count);
            if (group.Key is { } customer)
            {
                Assert.Equal(Memory.Customers.Single(c => c.Id == customer.Id).Name, customer.Name);
            }
        }
    }

    [Fact]
    public async Task A_group_key_read_by_a_correlated_subquery_joins_it_in()
    {
        await using var db = CreateContext();
        var groups = await db.Orders
            .GroupBy(o => db.Customers.Where(c => c.Id == o.CustomerId).Select(c => c.Name).FirstOrDefault())
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync();

        var expected = Memory.Orders
            .GroupBy(o => Memory.Customers.Where(c => c.Id == o.CustomerId).Select(c => c.Name).FirstOrDefault())
            .Select(g => (g.Key, g.Count())).OrderBy(g => g.Key).ToList();
        Assert.Equal(expected, groups.Select(g => (g.Key, g.Count)).OrderBy(g => g.Key).ToList());
    }

    [Fact]
    public void A_subquery_correlated_to_a_group_key_takes_the_key_as_a_let_variable()
    {
        using var db = CreateContext();
        var mql = db.Customers.GroupBy(c => c.Name)
            .Select(g => new { g.Key, Count = db.Customers.Where(c => c.Name == g.Key).Count() })
            .ToQueryString();
        Assert.Equal(
            "db.customers.aggregate([{ '$group' : { '_id' : '$Name' } }, { '$lookup' : { 'from' : 'customers', 'let' : { 'l0_v0' : '$_id' }, "
            + "'pipeline' : [{ '$match' : { '$expr' : { '$eq' : [{ '$ifNull' : ['$Name', null] }, '$$l0_v0'] } } }], 'as' : '__l0' } }])",
            mql.Replace('"', '\''));
    }

    [Fact]
    public async Task Contains_over_a_filtered_list_written_in_the_query_tests_each_value_and_the_filter()
    {
        var name = Memory.Customers.OrderBy(c => c.Id).Skip(2).First().Name;
        await using var db = CreateContext();
        var actual = await db.Customers
            .Where(c => new List<string?> { Memory.Customers[0].Name, name, null }.Where(n => n != null && n != name).Contains(c.Name))
            .Select(c => c.Id).OrderBy(i => i).ToListAsync();

        var expected = Memory.Customers.Where(c => c.Name == Memory.Customers[0].Name && c.Name != name).Select(c => c.Id).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);

        // Written with constants only, the list stays in the query (an inline collection) rather than a parameter.
        var none =
            await db.Customers.Where(c => new List<string?> { "nobody at all", null }.Where(n => n != null).Contains(c.Name)).CountAsync();
        var all =
            await db.Customers.Where(c => !new List<string?> { "nobody at all", null }.Where(n => n != null).Contains(c.Name)).CountAsync();
        Assert.Equal(0, none);
        Assert.Equal(Memory.Customers.Count, all);

        // An empty list written in the query contains nothing; a list of parameters is each of them.
        Assert.Equal(Memory.Customers.Count, await db.Customers.Where(c => !new List<string>().Contains(c.Name)).CountAsync());
        var (first, second) = (Memory.Customers[0].Name, Memory.Customers[1].Name);
        Assert.Equal(
            Memory.Customers.Count(c => c.Name == first || c.Name == second || c.Id == 3),
            await db.Customers.Where(c => new[] { first, second }.Contains(c.Name) || c.Id == 3).CountAsync());
    }

    [Fact]
    public async Task GetType_compared_with_a_type_is_the_exact_type_of_the_entity()
    {
        await using var db = CreateContext();
        var exactlyCustomer = await db.Customers.Where(c => c.GetType() == typeof(Customer)).CountAsync();
        var business = await db.Customers.Where(c => typeof(BusinessCustomer) == c.GetType()).CountAsync();
        var notBusiness = await db.Customers.Where(c => c.GetType() != typeof(BusinessCustomer)).CountAsync();

        var businessCount = Memory.Customers.Count(c => c is BusinessCustomer);
        Assert.InRange(businessCount, 1, Memory.Customers.Count - 1);
        Assert.Equal(Memory.Customers.Count - businessCount, exactlyCustomer);
        Assert.Equal(businessCount, business);
        Assert.Equal(Memory.Customers.Count - businessCount, notBusiness);

        // Outside a hierarchy the answer is known when the query is translated.
        Assert.Equal(Memory.Orders.Count, await db.Orders.Where(o => o.GetType() == typeof(Order)).CountAsync());
        Assert.Equal(0, await db.Orders.Where(o => o.GetType() == typeof(Customer)).CountAsync());
        Assert.Equal("""db.orders.find({ "$expr" : false })""", db.Orders.Where(o => o.GetType() != typeof(Order)).ToQueryString());
    }

    [Fact]
    public async Task A_type_test_for_the_queried_type_outside_a_hierarchy_is_true_for_every_present_entity()
    {
        await using var db = CreateContext();
        Assert.Equal(Memory.Orders.Count, await db.Orders.Where(o => o is Order).CountAsync());
        Assert.Equal(Memory.Orders.Count(o => o.CustomerId is not null), await db.Orders.Where(o => o.Customer is Customer).CountAsync());
    }

    [Fact]
    public async Task Equals_on_a_nullable_value_with_a_boxed_value_is_equality()
    {
        int? none = null;
        var some = Memory.Orders.First(o => o.CustomerId is not null).CustomerId!.Value;
        await using var db = CreateContext();

        Assert.Equal(Memory.Orders.Count(o => o.CustomerId is null), await db.Orders.Where(o => none.Equals(o.CustomerId)).CountAsync());
        Assert.Equal(Memory.Orders.Count(o => o.CustomerId == some), await db.Orders.Where(o => o.CustomerId.Equals(some)).CountAsync());
    }

    [Fact]
    public async Task EF_Constant_inlines_the_value()
    {
        var id = Memory.Customers[0].Id;
        await using var db = CreateContext();
        Assert.Equal([id], await db.Customers.Where(c => c.Id == EF.Constant(id)).Select(c => c.Id).ToListAsync());
        Assert.Equal($$"""db.customers.find({ "_id" : { "$eq" : {{id}} } })""", db.Customers.Where(c => c.Id == EF.Constant(id)).ToQueryString());
    }

    private sealed record CustomerRef(int? Id);

    [Fact]
    public async Task Distinct_over_objects_built_by_a_constructor_compares_their_arguments()
    {
        await using var db = CreateContext();
        var actual = await db.Orders.Select(o => new CustomerRef(o.CustomerId)).Distinct().ToListAsync();

        var expected = Memory.Orders.Select(o => new CustomerRef(o.CustomerId)).Distinct().OrderBy(r => r.Id).ToList();
        Assert.True(expected.Count > 1);
        Assert.Equal(expected, actual.OrderBy(r => r.Id).ToList());
    }

    [Fact]
    public async Task SelectMany_over_a_navigation_can_select_values_of_the_outer_row()
    {
        await using var db = CreateContext();
        var actual = await db.Customers
            .Select(c => new { c, Label = c.Name + "!" })
            .SelectMany(x => x.c.Orders.Select(o => new { o.Id, x.Label, Outer = x.c.Id }))
            .ToListAsync();

        var expected = Memory.Orders.Where(o => o.CustomerId is not null)
            .Select(o => (o.Id, Memory.Customers.Single(c => c.Id == o.CustomerId).Name + "!", o.CustomerId!.Value))
            .OrderBy(e => e.Id).ToList();
        Assert.Equal(expected, actual.Select(a => (a.Id, a.Label, a.Outer)).OrderBy(e => e.Id).ToList());
    }

    [Fact]
    public async Task A_member_that_is_not_mapped_fails_with_EF_Cores_message()
    {
        await using var db = CreateContext();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Customers.Where(c => c.DisplayLabel == "x").ToListAsync());
        Assert.Contains(
            "Additional information: "
                + Microsoft.EntityFrameworkCore.Diagnostics.CoreStrings.QueryUnableToTranslateMember(nameof(Customer.DisplayLabel),
                    nameof(Customer)),
            error.Message);
    }

    [Fact]
    public void The_subquerys_key_is_the_first_of_the_joined_keys_in_MQL()
    {
        var order = new Order { Id = 1 };
        using var db = CreateContext();
        var mql = db.Customers.Where(c => c.Orders.FirstOrDefault() == order).ToQueryString();
        Assert.StartsWith("""db.customers.aggregate([{ "$lookup" : { "from" : "orders", """, mql);
        // Quotes as apostrophes, to keep the baseline readable.
        Assert.EndsWith(
            "{ '$match' : { '$expr' : { '$eq' : [{ '$ifNull' : [{ '$first' : { '$map' : { 'input' : { '$ifNull' : ['$__l0', []] }, "
            + "'as' : 'e0', 'in' : '$$e0._id' } } }, null] }, { '$literal' : 1 }] } } }])",
            mql.Replace('"', '\''));
    }
}
