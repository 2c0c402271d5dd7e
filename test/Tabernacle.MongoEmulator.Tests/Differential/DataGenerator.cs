namespace Tabernacle.MongoEmulator.Tests.Differential;

/// <summary>Deterministic documents for the differential suite: one seed, the same data on every run.</summary>
public static class DataGenerator
{
    public const int Seed = 20240611;

    public const int CustomerCount = 240;

    public const int OrderCount = 520;

    // Case variety (alice/Alice/ALICE), prefixes of each other (Al/Alice), and two non-ASCII names whose
    // characters are in the BMP below the surrogates, where UTF-16 ordinal order (.NET) equals UTF-8 byte
    // order (MongoDB); they are already lower case, so ASCII-only $toLower agrees with .NET's ToLower.
    private static readonly string?[] Names =
    [
        "alice", "Alice", "ALICE", "Al", "bob", "Bob", "carol", "Carol", "dave", "Dave", "eve", "Eve",
        "mallory", "Mallory", "trent", "Zed", "zed", "élodie", "Zoë", "o'brien", "Ann-Marie", "x", "", null,
    ];

    private static readonly string[] Cities =
        ["Paris", "paris", "London", "Berlin", "Madrid", "New York", "new york", "Oslo", "Rome", "Zürich"];

    private static readonly string[] Streets = ["Main St", "High St", "Elm St", "Station Rd", "Church Ln", "Mill Rd"];

    private static readonly string[] TagPool = ["vip", "new", "churn-risk", "beta", "VIP", "wholesale", "eu", "us", "promo", "b2b"];

    private static readonly string[] ContactKinds = ["email", "phone", "fax", "Email"];

    private static readonly string[] Statuses = ["pending", "paid", "shipped", "cancelled", "Paid"];

    private static readonly string?[] Nicknames =
        ["\U0001F600 smile", "\uFF71ki", "zz", "Zz", "\u00E9t\u00E9", "\U0001F34E", "\uFFFDx", "a", "", null];

    private static readonly double[] Measures =
        [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 5e-324, 1e300, -1e300, 1.5, -2.25];

    private static readonly decimal[] Fees = [1.5m, 1.50m, 1.500m, 0m, 0.00m, 2m, 2.0m, 10.25m, -1.5m];

    private static readonly DateTime Epoch = new(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static List<Customer> Customers()
    {
        var random = new Random(Seed);
        var customers = new List<Customer>(CustomerCount);
        for (var i = 1; i <= CustomerCount; i++)
        {
            var name = Names[random.Next(Names.Length)];
            var customer = new Customer
            {
                Id = i,
                Name = name is null ? null : (random.Next(5) == 0 ? name + " " + Names[random.Next(Names.Length - 1)] : name),
                City = Cities[random.Next(Cities.Length)],
                Age = 16 + random.Next(70),
                Points = random.Next(4) == 0 ? random.NextInt64(-1_000_000, 10_000_000_000) : random.Next(-50, 5000),
                // Two decimal places at most so that the double literal and its sums are unambiguous; a few exact ties.
                Rating = i % 17 == 0 ? 2.5 : Math.Round(random.NextDouble() * 10 - 1, 2),
                Balance = decimal.Round((decimal)random.Next(-100_000, 2_000_000) / 100m, 2),
                Score = random.Next(4) == 0 ? null : random.Next(0, 101),
                Active = random.Next(3) != 0,
                JoinedAt = MillisecondTime(random, 6 * 365),
                Tier = (Tier)random.Next(4),
                Address = random.Next(5) == 0 ? null : new Address
                {
                    Street = Streets[random.Next(Streets.Length)] + " " + random.Next(1, 200),
                    City = random.Next(6) == 0 ? null : Cities[random.Next(Cities.Length)],
                    Zip = random.Next(10000, 99999),
                    Geo = random.Next(3) == 0 ? null
                        : new GeoPoint { Lat = Math.Round(random.NextDouble() * 180 - 90, 4),
                            Lng = Math.Round(random.NextDouble() * 360 - 180, 4) },
                },
            };

            customer.Nickname = Nicknames[random.Next(Nicknames.Length)];
            customer.BirthDate =
                new DateTime(1940, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds((long)(random.NextDouble() * 65 * 365 * 86_400_000d));
            customer.Measure = random.Next(3) == 0 ? Measures[random.Next(Measures.Length)]
                : Math.Round(random.NextDouble() * 200 - 100, 3);

            var tagCount = random.Next(5) == 0 ? 0 : random.Next(1, 5);
            for (var t = 0; t < tagCount; t++)
            {
                var tag = TagPool[random.Next(TagPool.Length)];
                if (!customer.Tags.Contains(tag, StringComparer.Ordinal))
                {
                    customer.Tags.Add(tag);
                }
            }

            var contactCount = random.Next(4);
            for (var k = 0; k < contactCount; k++)
            {
                var kind = ContactKinds[random.Next(ContactKinds.Length)];
                customer.Contacts.Add(new Contact
                {
                    Kind = kind,
                    Value = kind.StartsWith("e", StringComparison.OrdinalIgnoreCase) ? $"c{i}.{k}@example.org"
                        : $"+33 6 {random.Next(10_000_000, 99_999_999)}",
                    Priority = random.Next(1, 4),
                    Verified = random.Next(2) == 0,
                });
            }

            customers.Add(customer);
        }

        return customers;
    }

    public static List<Order> Orders()
    {
        var random = new Random(Seed + 1);
        var orders = new List<Order>(OrderCount);
        for (var i = 1; i <= OrderCount; i++)
        {
            orders.Add(new Order
            {
                Id = 10_000 + i,
                // Customers 1..240 plus some dangling references (241..250) that Join must drop and GroupJoin must not invent.
                CustomerId = random.Next(1, CustomerCount + 11),
                Status = Statuses[random.Next(Statuses.Length)],
                Amount = decimal.Round((decimal)random.Next(100, 500_000) / 100m, 2),
                Quantity = random.Next(1, 20),
                Discount = random.Next(3) == 0 ? 0 : Math.Round(random.NextDouble() * 0.5, 3),
                PlacedAt = MillisecondTime(random, 5 * 365),
                Note = random.Next(3) == 0 ? null : "note " + random.Next(100),
                Fee = Fees[random.Next(Fees.Length)],
            });
        }

        return orders;
    }

    // MongoDB stores dates as milliseconds since the epoch: generate at that precision so the round trip is exact.
    private static DateTime MillisecondTime(Random random, int days) =>
        Epoch.AddMilliseconds((long)(random.NextDouble() * days * 86_400_000d));
}
