using System.Globalization;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

/// <summary>
/// 90 customers (a quarter of them business customers) and 240 orders from a seeded generator: the same data every run.
/// Some orders have no customer, some customers no orders; names mix case (ordinal order matters), cities include
/// non-ASCII letters, optional values are null about one time in five, dates are whole milliseconds (what BSON keeps).
/// </summary>
internal static class BreadthData
{
    public const int CustomerCount = 90;
    public const int OrderCount = 240;

    private static readonly string[] FirstNames =
        ["alice", "Bob", "carol", "Dave", "eve", "Frank", "grace", "Heidi", "ivan", "Judy", "mallory", "Niaj", "olivia", "Peggy", "rupert",
            "Sybil", "trent", "Uma", "victor", "Walter"];
    private static readonly string[] Cities = ["Oslo", "Bergen", "oslo", "Århus", "Zürich", "Berlin", "Austin", "Éze"];
    private static readonly string[] Labels = ["vip", "new", "churn-risk", "Newsletter", "b2b"];
    private static readonly string[] OrderTags = ["gift", "rush", "fragile", "bulk", "Gift"];
    private static readonly string[] Skus = ["SKU-1", "SKU-2", "sku-3", "KIT-9", "PEN-4"];
    private static readonly string[] Notes = ["leave at door", "Call first", "  fragile  ", "", "ring twice", "DOOR code 42"];
    private static readonly DateTime Origin = new(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A fresh, unconnected set of entities (foreign keys set, navigations empty): what is saved.</summary>
    public static (List<Customer> Customers, List<Order> Orders) Create()
    {
        var random = new Random(20260501);
        var customers = new List<Customer>(CustomerCount);
        for (var i = 1; i <= CustomerCount; i++)
        {
            Customer customer = random.Next(4) == 0
                ? new BusinessCustomer { VatNumber = "VAT" + random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture),
                    Employees = random.Next(1, 500) }
                : new Customer();
            customer.Id = i;
            customer.Name = FirstNames[random.Next(FirstNames.Length)] + " " + (char)('A' + random.Next(26)) + ".";
            customer.Email = random.Next(5) == 0 ? null : $"user{i}@{(random.Next(2) == 0 ? "example.com" : "Mail.org")}";
            customer.Tier = (Tier)random.Next(4);
            customer.Perks = (Perks)random.Next(16);
            customer.Since = Origin.AddMilliseconds(random.NextInt64(0, 4L * 365 * 24 * 3600 * 1000));
            customer.Birthday = new DateOnly(1950, 1, 1).AddDays(random.Next(0, 20000));
            customer.Age = random.Next(5) == 0 ? null : random.Next(18, 90);
            customer.CreditLimit = Math.Round((decimal)random.NextDouble() * 10000m, random.Next(0, 3));
            customer.Address = random.Next(5) == 0 ? null
                : new Address { City = Cities[random.Next(Cities.Length)],
                    Zip = random.Next(4) == 0 ? null : random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture),
                        Floor = random.Next(-1, 12) };
            customer.Scores = Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(0, 100)).ToList();
            customer.Labels = Labels.Where(_ => random.Next(3) == 0).ToList();
            customer.ReferredById = i > 10 && random.Next(3) == 0 ? random.Next(1, i) : null;
            customers.Add(customer);
        }

        var orders = new List<Order>(OrderCount);
        for (var i = 1; i <= OrderCount; i++)
        {
            var placed = Origin.AddMilliseconds(random.NextInt64(0, 4L * 365 * 24 * 3600 * 1000));
            var lines = Enumerable.Range(0, random.Next(0, 4))
                .Select(_ =>
                    new OrderLine { Sku = Skus[random.Next(Skus.Length)], Quantity = random.Next(1, 10),
                        UnitPrice = Math.Round((decimal)random.NextDouble() * 200m, 2) })
                .ToList();
            orders.Add(new Order
            {
                Id = 1000 + i,

                // Customers 81..90 never get an order; about one order in twelve has no customer.
                CustomerId = random.Next(12) == 0 ? null : random.Next(1, 81),
                Status = (OrderStatus)random.Next(5),
                PlacedAt = placed,
                ShippedAt = random.Next(3) == 0 ? null : placed.AddMinutes(random.Next(30, 60 * 24 * 20)),
                Total = lines.Sum(l => l.Quantity * l.UnitPrice),
                Discount = random.Next(3) == 0 ? null : Math.Round((decimal)random.NextDouble() * 50m, 1),
                Weight = Math.Round(random.NextDouble() * 40, 3),
                Note = random.Next(3) == 0 ? null : Notes[random.Next(Notes.Length)],
                Tags = OrderTags.Where(_ => random.Next(4) == 0).ToList(),
                Lines = lines,
            });
        }

        return (customers, orders);
    }

    /// <summary>The same entities with navigations connected both ways, for LINQ to Objects.</summary>
    public static (List<Customer> Customers, List<Order> Orders) CreateConnected()
    {
        var (customers, orders) = Create();
        var byId = customers.ToDictionary(c => c.Id);
        foreach (var customer in customers)
        {
            customer.ReferredBy = customer.ReferredById is { } referrer ? byId[referrer] : null;
        }

        foreach (var order in orders)
        {
            if (order.CustomerId is { } id)
            {
                order.Customer = byId[id];
                order.Customer.Orders.Add(order);
            }
        }

        return (customers, orders);
    }
}
