using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Query.Breadth;

/// <summary>A small deterministic catalogue for breadth tests, loaded into the database and kept in memory for LINQ to Objects.</summary>
internal static class ShopData
{
    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    public static List<Product> Create()
    {
        var random = new Random(1234);
        var tags = new[] { "tools", "steel", "garden", "gift", "sale", "new" };
        var products = new List<Product>();
        for (var i = 0; i < 60; i++)
        {
            var product = new Product
            {
                Name = $"P{i:D2}",
                Price = Math.Round((decimal)(random.NextDouble() * 100), 2),
                Stock = random.Next(0, 20),
                Rating = random.Next(0, 4) == 0 ? null : random.Next(1, 6),
                Category = (Category)random.Next(0, 3),
                AddedAt = Start.AddHours(random.Next(0, 24 * 60)),
                Tags = tags.Where(_ => random.Next(0, 3) == 0).ToList(),
                Size = random.Next(0, 3) == 0 ? null : new Dimensions { Width = random.Next(1, 50), Height = random.Next(1, 200) },
                Reviews =
                    Enumerable.Range(0, random.Next(0, 4)).Select(r =>
                        new Review { Author = $"user{random.Next(0, 5)}", Stars = random.Next(1, 6) }).ToList(),
            };
            products.Add(product);
        }

        return products;
    }
}
