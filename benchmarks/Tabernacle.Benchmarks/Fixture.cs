using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore;

namespace Tabernacle.Benchmarks;

/// <summary>
/// One emulator host (child process), one shared <see cref="MongoClient"/> used by both sides, a pooled context
/// factory for the provider and typed collections for the raw driver, over the same seeded data.
/// </summary>
internal sealed class Fixture : IDisposable
{
    public const int CustomerCount = 1_000;
    public const int OrderCount = 2_000;
    public const int WideCount = 2_000;
    public const string ReadDatabase = "bench_reads";
    public const string EfWriteDatabase = "bench_writes_ef";
    public const string RawWriteDatabase = "bench_writes_raw";

    private static readonly string[] Cities = ["Oslo", "Lima", "Pune", "Kyiv", "Riga", "Lyon", "Cork", "Graz", "Bern", "Baku"];

    private readonly EmulatorHost _host;

    private Fixture(EmulatorHost host)
    {
        _host = host;
        RawClassMaps.Register();
        var settings = MongoClientSettings.FromConnectionString(host.ConnectionString);
        Client = new MongoClient(settings);
        Reads = new PooledDbContextFactory<BenchContext>(Options(ReadDatabase));
        Writes = new PooledDbContextFactory<BenchContext>(Options(EfWriteDatabase));
        var reads = Client.GetDatabase(ReadDatabase);
        RawCustomers = reads.GetCollection<Customer>("customers");
        RawOrders = reads.GetCollection<Order>("orders");
        RawWide = reads.GetCollection<WideRecord>("wide_records");
        RawWriteCustomers = Client.GetDatabase(RawWriteDatabase).GetCollection<Customer>("customers");
    }

    public MongoClient Client { get; }

    public PooledDbContextFactory<BenchContext> Reads { get; }

    public PooledDbContextFactory<BenchContext> Writes { get; }

    public IMongoCollection<Customer> RawCustomers { get; }

    public IMongoCollection<Order> RawOrders { get; }

    public IMongoCollection<WideRecord> RawWide { get; }

    public IMongoCollection<Customer> RawWriteCustomers { get; }

    /// <summary>Starts the host, seeds the read database through the provider and checks both sides read the same data.</summary>
    public static Fixture Start(params string[] hostArguments)
    {
        var fixture = new Fixture(EmulatorHost.Start(hostArguments));
        try
        {
            fixture.Seed();
            return fixture;
        }
        catch
        {
            fixture.Dispose();
            throw;
        }
    }

    public DbContextOptions<BenchContext> Options(string database, Action<TabernacleDbContextOptionsBuilder>? configure = null) =>
        new DbContextOptionsBuilder<BenchContext>().UseTabernacle(Client, database, configure).Options;

    public static List<Customer> NewCustomers(int firstId, int count) =>
        Enumerable.Range(firstId, count).Select(NewCustomer).ToList();

    private static Customer NewCustomer(int i) => new()
    {
        Id = i,
        Name = $"Customer {i:D5}",
        City = Cities[i % Cities.Length],
        Age = 18 + (i * 7 % 60),
        Balance = Math.Round(i * 1.25 % 997, 2),
        Active = i % 3 != 0,
        CreatedAt = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i * 17),
    };

    private void Seed()
    {
        using (var context = new BenchContext(Options(ReadDatabase)))
        {
            context.Database.EnsureDeleted();
            context.Database.EnsureCreated();
            context.Customers.AddRange(NewCustomers(1, CustomerCount));
            context.Orders.AddRange(Enumerable.Range(1, OrderCount).Select(i => new Order
            {
                Id = i,
                CustomerId = 1 + (i % CustomerCount),
                Total = Math.Round(i * 3.7 % 1000, 2),
                Status = (i % 4) switch { 0 => "new", 1 => "paid", 2 => "shipped", _ => "closed" },
            }));
            context.WideRecords.AddRange(Enumerable.Range(1, WideCount).Select(WideRecord.Create));
            context.SaveChanges();
        }

        foreach (var database in new[] { EfWriteDatabase, RawWriteDatabase })
        {
            Client.DropDatabase(database);
        }

        using (var context = new BenchContext(Options(EfWriteDatabase)))
        {
            context.Database.EnsureCreated();
        }

        // Both sides must see the same documents the same way, or the comparison means nothing.
        var raw = RawCustomers.Find(FilterDefinition<Customer>.Empty).SortBy(c => c.Id).ToList();
        using var check = Reads.CreateDbContext();
        var ef = check.Customers.AsNoTracking().OrderBy(c => c.Id).ToList();
        if (raw.Count != CustomerCount || ef.Count != CustomerCount
            || raw.Zip(ef).Any(p =>
                p.First.Name != p.Second.Name || p.First.CreatedAt != p.Second.CreatedAt || p.First.Balance != p.Second.Balance))
        {
            throw new InvalidOperationException(
                $"the raw driver and the provider read different data ({raw.Count} vs {ef.Count} customers)");
        }

        var rawWide = RawWide.Find(FilterDefinition<WideRecord>.Empty).SortBy(w => w.Id).ToList();
        var efWide = check.WideRecords.AsNoTracking().OrderBy(w => w.Id).ToList();
        if (rawWide.Count != WideCount || efWide.Count != WideCount
            || rawWide.Zip(efWide).Any(p =>
                p.First.Text01 != p.Second.Text01 || p.First.Price06 != p.Second.Price06 || p.First.When32 != p.Second.When32))
        {
            throw new InvalidOperationException(
                $"the raw driver and the provider read different wide records ({rawWide.Count} vs {efWide.Count})");
        }

        if (RawOrders.CountDocuments(new BsonDocument()) != OrderCount)
        {
            throw new InvalidOperationException("orders were not seeded");
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        _host.Dispose();
    }
}
