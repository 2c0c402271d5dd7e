using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query;

public class WireOrder
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public List<WireLine> Lines { get; set; } = [];

    public WireShipping? Shipping { get; set; }

    public int? BuyerId { get; set; }
}

/// <summary>A buyer whose orders live in their own collection: Include(b => b.Orders) joins them with $lookup.</summary>
public class WireBuyer
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public List<WireOrder> Orders { get; set; } = [];
}

public class WireLine
{
    public string Sku { get; set; } = "";

    public int Quantity { get; set; }

    public DateTime? Packed { get; set; }
}

public class WireShipping
{
    public string City { get; set; } = "";
}

public class WireOrderContext(DbContextOptions<WireOrderContext> options) : DbContext(options)
{
    public DbSet<WireOrder> Orders => Set<WireOrder>();

    public DbSet<WireBuyer> Buyers => Set<WireBuyer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WireBuyer>(buyer =>
        {
            buyer.Property(b => b.Id).ValueGeneratedNever();
            buyer.HasMany(b => b.Orders).WithOne().HasForeignKey(o => o.BuyerId);
        });
        modelBuilder.Entity<WireOrder>(order =>
        {
            order.Property(o => o.Id).ValueGeneratedNever();
            // One level here; owned types inside owned types are covered by NestedOwnedTypeTests.
            order.OwnsMany(o => o.Lines);
            order.OwnsOne(o => o.Shipping);
        });
    }
}

/// <summary>
/// Owned collections and joined collections read from the wire (issue 17): the serializer reads each array into rows,
/// and each element is shaped with its 1-based position as its ordinal key (owned) or as a root entity of its own
/// (joined), exactly as the document path shapes the array's documents.
/// </summary>
public sealed class WireOwnedCollectionTests : ProviderTestBase<WireOrderContext>
{
    private static readonly DateTime Packed = new(2025, 6, 7, 8, 9, 10, DateTimeKind.Utc);

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Orders.Add(new WireOrder
        {
            Id = 1,
            Name = "first",
            Lines =
            [
                new WireLine { Sku = "a", Quantity = 1, Packed = Packed },
                new WireLine { Sku = "b", Quantity = 2 },
            ],
            Shipping = new WireShipping { City = "Oslo" },
            BuyerId = 1,
        });
        db.Buyers.AddRange(new WireBuyer { Id = 1, Name = "has one" }, new WireBuyer { Id = 2, Name = "has none" });
        await db.SaveChangesAsync();

        // Documents the provider did not write: a non-document element in the array (it keeps its position), and no array.
        await RawCollection("wireorders").InsertManyAsync(
        [
            new BsonDocument
            {
                { "_id", 2 },
                { "Name", "gaps" },
                {
                    "Lines", new BsonArray
                    {
                        new BsonDocument { { "Sku", "p" }, { "Quantity", 5 } },
                        BsonNull.Value,
                        new BsonDocument { { "Sku", "q" }, { "Quantity", 6 } },
                    }
                },
            },
            new BsonDocument { { "_id", 3 }, { "Name", "none" } },
        ]);
    }

    private static bool ReadsFromWire<T>(IQueryable<T> query)
    {
        var enumerable = query.Provider.Execute<IEnumerable<T>>(query.Expression);
        var type = enumerable.GetType();
        Assert.True(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(QueryingEnumerable<,>), type.Name);
        return type.GetGenericArguments()[0] == typeof(object[]);
    }

    [Fact]
    public async Task Owned_collections_next_to_an_owned_reference_read_from_the_wire()
    {
        await using var db = CreateContext();
        var query = db.Orders.AsNoTracking().OrderBy(o => o.Id);
        Assert.True(ReadsFromWire(query));
        var orders = await query.ToListAsync();

        var first = orders[0];
        Assert.Equal(["a", "b"], first.Lines.Select(l => l.Sku));
        Assert.Equal([1, 2], first.Lines.Select(l => l.Quantity));
        Assert.Equal(Packed, first.Lines[0].Packed);
        Assert.Null(first.Lines[1].Packed);
        Assert.Equal("Oslo", first.Shipping!.City);

        Assert.Equal(["p", "q"], orders[1].Lines.Select(l => l.Sku));
        Assert.Empty(orders[2].Lines);
        Assert.Null(orders[2].Shipping);
    }

    [Fact]
    public async Task Tracked_elements_get_their_array_positions_as_ordinal_keys_and_save_back_in_place()
    {
        await using (var db = CreateContext())
        {
            var query = db.Orders.Where(o => o.Id == 2);
            Assert.True(ReadsFromWire(query));
            var order = await query.SingleAsync();
            var lineType = db.Model.FindEntityType(typeof(WireLine))!;
            var ordinal = lineType.FindPrimaryKey()!.Properties.Single(p => !p.IsForeignKey());
            Assert.Equal([1, 3], order.Lines.Select(l => Convert.ToInt32(db.Entry(l).Property(ordinal.Name).CurrentValue)));
            Assert.Equal(2, db.ChangeTracker.Entries<WireLine>().Count());

            order.Lines[1].Quantity = 60;
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("wireorders").Find(new BsonDocument("_id", 2)).SingleAsync();
        var quantities = stored["Lines"].AsBsonArray.OfType<BsonDocument>().Select(l => l["Quantity"].AsInt32).ToList();
        Assert.Contains(60, quantities);
        Assert.Contains(5, quantities);

        await using (var db = CreateContext())
        {
            var first = await db.Orders.SingleAsync(o => o.Id == 1);
            first.Lines[0].Quantity = 10;
            first.Lines.Add(new WireLine { Sku = "c", Quantity = 3 });
            await db.SaveChangesAsync();
        }

        await using var read = CreateContext();
        var again = await read.Orders.AsNoTracking().SingleAsync(o => o.Id == 1);
        Assert.Equal(["a", "b", "c"], again.Lines.Select(l => l.Sku));
        Assert.Equal([10, 2, 3], again.Lines.Select(l => l.Quantity));
    }

    [Fact]
    public async Task An_explicit_include_and_a_filter_on_the_collection_read_the_same_elements_from_the_wire()
    {
        await using var db = CreateContext();
        var included = db.Orders.Include(o => o.Lines).Where(o => o.Lines.Any(l => l.Sku == "q"));
        Assert.True(ReadsFromWire(included));
        var order = await included.SingleAsync();
        Assert.Equal(2, order.Id);
        Assert.Equal(["p", "q"], order.Lines.Select(l => l.Sku));
        Assert.Equal([5, 6], order.Lines.Select(l => l.Quantity));
    }

    [Fact]
    public async Task An_included_collection_of_another_collection_reads_from_the_wire_with_its_owned_elements()
    {
        await using (var db = CreateContext())
        {
            var query = db.Buyers.Include(b => b.Orders).OrderBy(b => b.Id);
            Assert.True(ReadsFromWire(query));
            var buyers = await query.ToListAsync();
            Assert.Equal([1, 0], buyers.Select(b => b.Orders.Count));
            var order = buyers[0].Orders.Single();
            Assert.Equal("first", order.Name);
            Assert.Equal(["a", "b"], order.Lines.Select(l => l.Sku));
            Assert.Equal("Oslo", order.Shipping!.City);
            Assert.Equal(EntityState.Unchanged, db.Entry(order).State);
            Assert.Equal(2, db.ChangeTracker.Entries<WireLine>().Count());
        }

        await using var read = CreateContext();
        var filtered = read.Buyers.AsNoTracking().Include(b => b.Orders.Where(o => o.Name == "nothing like it"));
        Assert.True(ReadsFromWire(filtered));
        Assert.All(await filtered.ToListAsync(), b => Assert.Empty(b.Orders));

        // Values read inside a joined array are not read from the wire: the document path still answers.
        var projected = read.Buyers.AsNoTracking().Where(b => b.Id == 1)
            .Select(b => new { b.Name, Names = b.Orders.Select(o => o.Name).ToList() });
        Assert.False(ReadsFromWire(projected));
        var row = await projected.SingleAsync();
        Assert.Equal(["first"], row.Names);
    }
}
