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

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<WireOrder>(order =>
        {
            order.Property(o => o.Id).ValueGeneratedNever();
            // Owned types inside owned types are not translated yet (on either read path), so the model keeps one level.
            order.OwnsMany(o => o.Lines);
            order.OwnsOne(o => o.Shipping);
        });
}

/// <summary>
/// Owned collections read from the wire (issue 17): the serializer reads each array into rows, and each element is
/// shaped with its 1-based position as its ordinal key, exactly as the document path shapes the array's documents.
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
        });
        await db.SaveChangesAsync();

        // Documents the provider did not write: a non-document element in the array (it keeps its position), and no array.
        await RawCollection("wireorders").InsertManyAsync(
        [
            new BsonDocument
            {
                { "_id", 2 },
                { "Name", "gaps" },
                { "Lines", new BsonArray { new BsonDocument { { "Sku", "p" }, { "Quantity", 5 } }, BsonNull.Value, new BsonDocument { { "Sku", "q" }, { "Quantity", 6 } } } },
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
}
