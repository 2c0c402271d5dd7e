using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

/// <summary>
/// The sources a case queries: the provider's DbSets, or the same entities in memory for LINQ to Objects. The raw
/// MQL entry points take the MQL and the LINQ that means the same, so each side runs its own form.
/// </summary>
public sealed class BreadthSets
{
    private readonly Func<BsonDocument, Func<IQueryable<Customer>, IQueryable<Customer>>, IQueryable<Customer>> _customersFromMql;
    private readonly Func<BsonDocument[], Func<IQueryable<Order>, IQueryable<Order>>, IQueryable<Order>> _ordersFromPipeline;

    private BreadthSets(
        bool isServer,
        IQueryable<Customer> customers,
        IQueryable<BusinessCustomer> business,
        IQueryable<Order> orders,
        Func<BsonDocument, Func<IQueryable<Customer>, IQueryable<Customer>>, IQueryable<Customer>> customersFromMql,
        Func<BsonDocument[], Func<IQueryable<Order>, IQueryable<Order>>, IQueryable<Order>> ordersFromPipeline)
    {
        IsServer = isServer;
        Customers = customers;
        Business = business;
        Orders = orders;
        _customersFromMql = customersFromMql;
        _ordersFromPipeline = ordersFromPipeline;
    }

    public bool IsServer { get; }

    public IQueryable<Customer> Customers { get; }

    /// <summary>The derived DbSet (<c>Set&lt;BusinessCustomer&gt;()</c>), in memory the business customers.</summary>
    public IQueryable<BusinessCustomer> Business { get; }

    public IQueryable<Order> Orders { get; }

    /// <summary><c>Customers.FromMql(filter)</c>; in memory, <paramref name="equivalent"/> applied to the customers.</summary>
    public IQueryable<Customer> CustomersFromMql(BsonDocument filter, Func<IQueryable<Customer>, IQueryable<Customer>> equivalent) =>
        _customersFromMql(filter, equivalent);

    /// <summary><c>Orders.FromPipeline(stages)</c>; in memory, <paramref name="equivalent"/> applied to the orders.</summary>
    public IQueryable<Order> OrdersFromPipeline(Func<IQueryable<Order>, IQueryable<Order>> equivalent, params BsonDocument[] stages) =>
        _ordersFromPipeline(stages, equivalent);

    public static BreadthSets Server(BreadthContext db) => new(
        true,
        db.Customers.AsNoTracking(),
        db.BusinessCustomers.AsNoTracking(),
        db.Orders.AsNoTracking(),
        (filter, _) => db.Customers.FromMql(filter).AsNoTracking(),
        (stages, _) => db.Orders.FromPipeline(stages).AsNoTracking());

    public static BreadthSets InMemory(List<Customer> customers, List<Order> orders)
    {
        var customerQuery = new OrdinalQuery<Customer>(customers);
        var orderQuery = new OrdinalQuery<Order>(orders);
        return new BreadthSets(
            false,
            customerQuery,
            new OrdinalQuery<BusinessCustomer>(customers.OfType<BusinessCustomer>().ToList()),
            orderQuery,
            (_, equivalent) => equivalent(customerQuery),
            (_, equivalent) => equivalent(orderQuery));
    }
}

/// <summary>
/// One differential case: the query, run on both sides. <see cref="Expected"/> replaces it on the LINQ to Objects
/// side where the LINQ has no in-memory meaning (a filtered Include, <c>EF.Functions.Like</c>).
/// <see cref="MayBeEmpty"/> allows an empty sequence; otherwise an empty result fails the case, so a case cannot pass
/// by selecting nothing on both sides.
/// </summary>
public sealed record BreadthCase(Func<BreadthSets, object?> Query, Func<BreadthSets, object?>? Expected = null, bool MayBeEmpty = false);
