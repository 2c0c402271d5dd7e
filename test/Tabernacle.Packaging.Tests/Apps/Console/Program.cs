// A console app that knows Tabernacle only through its packages: it starts the emulator from the
// Tabernacle.MongoEmulator package, saves through Tabernacle.EfCore and reads back from a secondary.
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.MongoEmulator;

await using var rs = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 3 });
var options = new DbContextOptionsBuilder<ShopContext>()
    .UseTabernacle(rs.ConnectionString, "shop")
    .Options;

await using (var db = new ShopContext(options))
{
    db.Products.Add(new Product { Name = "Tent", Price = 199 });
    await db.SaveChangesAsync(WriteConcern.WMajority);
    var found = await db.Products
        .Where(p => p.Price < 250)
        .WithReadPreference(ReadPreference.SecondaryPreferred)
        .ToListAsync();
    if (found.Count != 1 || found[0].Name != "Tent")
    {
        Console.Error.WriteLine($"expected the tent back, got {found.Count} products");
        return 1;
    }
}

Console.WriteLine("console app: saved and read back through the packages");
return 0;

public class Product
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";

    public decimal Price { get; set; }
}

public class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();
}
