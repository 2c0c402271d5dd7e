using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Differential.Breadth;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query.Semantics;

/// <summary>
/// Issue 22: entity equality as EF Core defines it for every provider. Entities compare by key: an entity of the
/// query with itself, with a joined entity, with an entity given as a parameter (the key is read from it when the
/// query runs, so a detached instance with the same key is equal), and Contains over a list of entities.
/// </summary>
public sealed class EntityEqualityTests : ProviderTestBase<BreadthContext>
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

    private static int SomeCustomerWithOrders() => Memory.Orders.Where(o => o.CustomerId is not null).GroupBy(o => o.CustomerId!.Value)
        .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;

    [Fact]
    public async Task A_navigation_equals_an_entity_parameter_when_the_keys_are_equal()
    {
        var id = SomeCustomerWithOrders();
        var detached = new Customer { Id = id, Name = "not what is stored" };
        await using var db = CreateContext();

        var equal = await db.Orders.Where(o => o.Customer == detached).Select(o => o.Id).OrderBy(i => i).ToListAsync();
        var viaEquals = await db.Orders.Where(o => o.Customer!.Equals(detached)).Select(o => o.Id).OrderBy(i => i).ToListAsync();
        var notEqual = await db.Orders.Where(o => o.Customer != detached).Select(o => o.Id).CountAsync();

        var expected = Memory.Orders.Where(o => o.CustomerId == id).Select(o => o.Id).Order().ToList();
        Assert.True(expected.Count > 1);
        Assert.Equal(expected, equal);
        Assert.Equal(expected, viaEquals);
        Assert.Equal(Memory.Orders.Count - expected.Count, notEqual);
    }

    [Fact]
    public async Task The_parameter_is_read_on_every_run_and_a_null_entity_matches_a_missing_one()
    {
        await using var db = CreateContext();
        foreach (var id in new[] { SomeCustomerWithOrders(), 1, 2 })
        {
            var customer = new Customer { Id = id };
            var actual = await db.Orders.Where(o => o.Customer == customer).CountAsync();
            Assert.Equal(Memory.Orders.Count(o => o.CustomerId == id), actual);
        }

        Customer? none = null;
        var withoutCustomer = await db.Orders.Where(o => o.Customer == none).Select(o => o.Id).OrderBy(i => i).ToListAsync();
        var expected = Memory.Orders.Where(o => o.CustomerId == null).Select(o => o.Id).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, withoutCustomer);
    }

    [Fact]
    public async Task An_entity_of_the_row_equals_itself_and_its_joined_counterpart()
    {
        await using var db = CreateContext();
#pragma warning disable CS1718 // comparing an entity with itself is the point
        Assert.Equal(BreadthData.CustomerCount, await db.Customers.Where(c => c == c).CountAsync());
#pragma warning restore CS1718

        var joined = await (from o in db.Orders
                            join c in db.Customers on o.CustomerId equals c.Id
                            where o.Customer == c
                            select o.Id).CountAsync();
        Assert.Equal(Memory.Orders.Count(o => o.CustomerId is not null), joined);

        var referredBySelf = await db.Customers.Where(c => c.ReferredBy == c).CountAsync();
        Assert.Equal(Memory.Customers.Count(c => c.ReferredById == c.Id), referredBySelf);
    }

    [Fact]
    public async Task Contains_over_a_list_of_entities_looks_up_their_keys()
    {
        var wanted = new List<Customer> { new() { Id = 3 }, new() { Id = 5 }, new() { Id = 999 } };
        await using var db = CreateContext();

        var actual = await db.Customers.Where(c => wanted.Contains(c)).Select(c => c.Id).OrderBy(i => i).ToListAsync();
        Assert.Equal([3, 5], actual);

        wanted = [new() { Id = 7 }];
        Assert.Equal([7], await db.Customers.Where(c => wanted.Contains(c)).Select(c => c.Id).ToListAsync());
    }

    [Fact]
    public async Task Contains_of_an_entity_in_a_query_of_entities_asks_for_its_key()
    {
        await using var db = CreateContext();
        Assert.True(await db.Customers.ContainsAsync(new Customer { Id = 3 }));
        Assert.False(await db.Customers.ContainsAsync(new Customer { Id = 999 }));

        var gold = Memory.Customers.First(c => c.Tier == Tier.Gold);
        var silver = Memory.Customers.First(c => c.Tier == Tier.Silver);
        Assert.True(await db.Customers.Where(c => c.Tier == Tier.Gold).ContainsAsync(new Customer { Id = gold.Id }));
        Assert.False(await db.Customers.Where(c => c.Tier == Tier.Gold).ContainsAsync(new Customer { Id = silver.Id }));
        Assert.False(await db.Customers.ContainsAsync(null!));
    }

    [Fact]
    public void Entity_equality_is_a_comparison_of_key_fields_in_MQL()
    {
        var customer = new Customer { Id = 4 };
        using var db = CreateContext();
        var mql = db.Customers.Where(c => c.ReferredBy == customer).ToQueryString();
        Assert.Equal(
            """db.customers.aggregate([{ "$lookup" : { "from" : "customers", "localField" : "ReferredById", "foreignField" : "_id", "as" : "__j0" } }, """
            + """{ "$unwind" : { "path" : "$__j0", "preserveNullAndEmptyArrays" : true } }, { "$match" : { "__j0._id" : { "$eq" : 4 } } }])""",
            mql);

        Assert.Equal("""db.customers.find({ "_id" : { "$in" : [3, 5] } })""", db.Customers.Where(c => new List<Customer> { new() { Id = 3 }, new() { Id = 5 } }.Contains(c)).ToQueryString());
    }
}
