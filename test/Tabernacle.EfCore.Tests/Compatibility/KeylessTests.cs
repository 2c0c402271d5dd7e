using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Compatibility;

public class Sale
{
    public ObjectId Id { get; set; }

    public string Region { get; set; } = "";

    public double Amount { get; set; }
}

/// <summary>A read-only row over the sales collection.</summary>
[Keyless]
public class SaleRow
{
    public string Region { get; set; } = "";

    public double Amount { get; set; }
}

/// <summary>A row of the region_totals view: one per region, from a $group.</summary>
public class RegionTotal
{
    [Key]
    public string Region { get; set; } = "";

    public double Total { get; set; }

    public int Count { get; set; }
}

public class KeylessContext(DbContextOptions<KeylessContext> options) : DbContext(options)
{
    public DbSet<Sale> Sales => Set<Sale>();

    public DbSet<SaleRow> SaleRows => Set<SaleRow>();

    public DbSet<RegionTotal> RegionTotals => Set<RegionTotal>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SaleRow>().ToCollection("sales");
        modelBuilder.Entity<RegionTotal>().HasNoKey().ToView("region_totals", "sales",
        [
            BsonDocument.Parse("""{ $group: { _id: "$Region", Total: { $sum: "$Amount" }, Count: { $sum: 1 } } }"""),
            BsonDocument.Parse("""{ $project: { _id: 0, Region: "$_id", Total: 1, Count: 1 } }"""),
        ]);
    }
}

/// <summary>Keyless entity types: read-only results of collections, views and raw MQL; never saved.</summary>
public sealed class KeylessTests : ProviderTestBase<KeylessContext>
{
    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Sales.AddRange(
            new Sale { Region = "north", Amount = 10 },
            new Sale { Region = "north", Amount = 5 },
            new Sale { Region = "south", Amount = 7 });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_keyless_type_reads_a_collection_with_filters_orderings_and_projections()
    {
        await using var db = CreateContext();
        var rows = await db.SaleRows.Where(r => r.Amount > 6).OrderBy(r => r.Amount).ToListAsync();
        Assert.Equal([7.0, 10.0], rows.Select(r => r.Amount));
        Assert.Equal(22, await db.SaleRows.SumAsync(r => r.Amount));
        Assert.Equal(["north", "south"], await db.SaleRows.Select(r => r.Region).Distinct().OrderBy(r => r).ToListAsync());
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public async Task EnsureCreated_creates_the_view_and_queries_run_through_its_pipeline()
    {
        var views = await (await Backend.CreateClient().GetDatabase(DatabaseName)
            .ListCollectionsAsync(new ListCollectionsOptions { Filter = new BsonDocument("name", "region_totals") })).ToListAsync();
        Assert.Equal("sales", Assert.Single(views)["options"]["viewOn"].AsString);

        await using var db = CreateContext();
        var totals = await db.RegionTotals.OrderBy(t => t.Region).ToListAsync();
        Assert.Equal([("north", 15.0, 2), ("south", 7.0, 1)], totals.Select(t => (t.Region, t.Total, t.Count)));
        Assert.Equal("north", (await db.RegionTotals.Where(t => t.Total > 10).SingleAsync()).Region);
        Assert.Equal(1, await db.RegionTotals.CountAsync(t => t.Count == 1));
    }

    [Fact]
    public async Task Tracked_entities_join_keyless_rows_of_a_view()
    {
        await using var db = CreateContext();
        var joined = await (from s in db.Sales
                            from t in db.RegionTotals.Where(t => t.Region == s.Region)
                            select new { s, t }).ToListAsync();
        Assert.Equal(3, joined.Count);
        Assert.All(joined, j => Assert.Equal(j.s.Region, j.t.Region));
        Assert.Equal(3, db.ChangeTracker.Entries<Sale>().Count());
    }

    [Fact]
    public async Task FromMql_and_FromPipeline_return_keyless_rows()
    {
        await using var db = CreateContext();
        var south = await db.SaleRows.FromMql(new BsonDocument("Region", "south")).ToListAsync();
        Assert.Equal(7, Assert.Single(south).Amount);
        var grouped = await db.RegionTotals.FromPipeline(BsonDocument.Parse("""{ $match: { Region: "south" } }""")).ToListAsync();
        Assert.Equal(7, Assert.Single(grouped).Total);
    }

    [Fact]
    public async Task Saving_a_keyless_entity_fails_with_ef_s_own_error()
    {
        await using var db = CreateContext();
        var error = Assert.Throws<InvalidOperationException>(() => db.SaleRows.Add(new SaleRow { Region = "east" }));
        Assert.Contains("does not have a primary key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_keyed_entity_type_mapped_to_a_view_is_refused_with_what_to_change()
    {
        var options = new DbContextOptionsBuilder<KeyedViewContext>().UseTabernacle(Backend.ConnectionString, DatabaseName).Options;
        using var db = new KeyedViewContext(options);
        var error = Assert.Throws<InvalidOperationException>(() => db.Model);
        Assert.Contains("Make it keyless with HasNoKey() or [Keyless]", error.Message, StringComparison.Ordinal);
    }

    public class KeyedViewContext(DbContextOptions<KeyedViewContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<RegionTotal>().ToView("region_totals");
    }
}
