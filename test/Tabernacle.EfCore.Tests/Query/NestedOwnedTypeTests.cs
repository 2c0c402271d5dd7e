using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query;

public class NestOrder
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public List<NestLine> Lines { get; set; } = [];

    public NestCustomer? Customer { get; set; }

    public int? BuyerId { get; set; }
}

public class NestLine
{
    public string Sku { get; set; } = "";

    public int Quantity { get; set; }

    // OwnsMany inside OwnsMany.
    public List<NestDiscount> Discounts { get; set; } = [];

    // OwnsOne inside OwnsMany.
    public NestPrice? Price { get; set; }
}

public class NestDiscount
{
    public string Code { get; set; } = "";

    public int Percent { get; set; }

    // A third level: OwnsOne inside OwnsMany inside OwnsMany.
    public NestNote? Note { get; set; }
}

public class NestNote
{
    public string Text { get; set; } = "";
}

public class NestPrice
{
    public double Amount { get; set; }

    public string Currency { get; set; } = "";
}

public class NestCustomer
{
    public string Name { get; set; } = "";

    // OwnsOne inside OwnsOne.
    public NestAddress? Address { get; set; }

    // OwnsMany inside OwnsOne.
    public List<NestPhone> Phones { get; set; } = [];
}

public class NestAddress
{
    public string City { get; set; } = "";
}

public class NestPhone
{
    public string Number { get; set; } = "";
}

/// <summary>A buyer whose orders are joined with $lookup (an entity with nested owned types inside a joined array).</summary>
public class NestBuyer
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public List<NestOrder> Orders { get; set; } = [];
}

public class NestOrderContext(DbContextOptions<NestOrderContext> options) : DbContext(options)
{
    public DbSet<NestOrder> Orders => Set<NestOrder>();

    public DbSet<NestBuyer> Buyers => Set<NestBuyer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<NestBuyer>(buyer =>
        {
            buyer.Property(b => b.Id).ValueGeneratedNever();
            buyer.HasMany(b => b.Orders).WithOne().HasForeignKey(o => o.BuyerId);
        });
        modelBuilder.Entity<NestOrder>(order =>
        {
            order.Property(o => o.Id).ValueGeneratedNever();
            order.OwnsMany(o => o.Lines, line =>
            {
                line.OwnsMany(l => l.Discounts, discount => discount.OwnsOne(d => d.Note));
                line.OwnsOne(l => l.Price);
            });
            order.OwnsOne(o => o.Customer, customer =>
            {
                customer.OwnsOne(c => c.Address);
                customer.OwnsMany(c => c.Phones);
            });
        });
    }
}

/// <summary>
/// Owned types inside owned types (OwnsMany in OwnsMany, OwnsOne in OwnsMany, OwnsOne in OwnsOne, OwnsMany in OwnsOne):
/// stored as nested documents and arrays, read back on the wire path and on the document path, tracked and not,
/// filtered on nested values, and saved again after a nested item changes.
/// </summary>
public sealed class NestedOwnedTypeTests : ProviderTestBase<NestOrderContext>
{
    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Orders.AddRange(
            new NestOrder
            {
                Id = 1,
                Name = "first",
                BuyerId = 1,
                Lines =
                [
                    new NestLine
                    {
                        Sku = "a",
                        Quantity = 1,
                        Discounts =
                        [
                            new NestDiscount { Code = "SPRING", Percent = 10, Note = new NestNote { Text = "until May" } },
                            new NestDiscount { Code = "LOYAL", Percent = 5 },
                        ],
                        Price = new NestPrice { Amount = 9.5, Currency = "EUR" },
                    },
                    new NestLine { Sku = "b", Quantity = 2 },
                ],
                Customer = new NestCustomer
                {
                    Name = "Ada",
                    Address = new NestAddress { City = "Oslo" },
                    Phones = [new NestPhone { Number = "111" }, new NestPhone { Number = "222" }],
                },
            },
            new NestOrder
            {
                Id = 2,
                Name = "second",
                Lines = [new NestLine { Sku = "c", Quantity = 3, Discounts = [new NestDiscount { Code = "BULK", Percent = 20 }] }],
                Customer = new NestCustomer { Name = "Bob" },
            });
        db.Buyers.Add(new NestBuyer { Id = 1, Name = "buyer" });
        await db.SaveChangesAsync();
    }

    private static bool ReadsFromWire<T>(IQueryable<T> query)
    {
        var enumerable = query.Provider.Execute<IEnumerable<T>>(query.Expression);
        var type = enumerable.GetType();
        Assert.True(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(QueryingEnumerable<,>), type.Name);
        return type.GetGenericArguments()[0] == typeof(object[]);
    }

    private static void AssertFirstOrder(NestOrder order)
    {
        Assert.Equal("first", order.Name);
        Assert.Equal(["a", "b"], order.Lines.Select(l => l.Sku));
        var line = order.Lines[0];
        Assert.Equal(["SPRING", "LOYAL"], line.Discounts.Select(d => d.Code));
        Assert.Equal([10, 5], line.Discounts.Select(d => d.Percent));
        Assert.Equal("until May", line.Discounts[0].Note!.Text);
        Assert.Null(line.Discounts[1].Note);
        Assert.Equal(9.5, line.Price!.Amount);
        Assert.Equal("EUR", line.Price.Currency);
        Assert.Empty(order.Lines[1].Discounts);
        Assert.Null(order.Lines[1].Price);
        Assert.Equal("Ada", order.Customer!.Name);
        Assert.Equal("Oslo", order.Customer.Address!.City);
        Assert.Equal(["111", "222"], order.Customer.Phones.Select(p => p.Number));
    }

    private static void AssertSecondOrder(NestOrder order)
    {
        Assert.Equal(["c"], order.Lines.Select(l => l.Sku));
        Assert.Equal(["BULK"], order.Lines[0].Discounts.Select(d => d.Code));
        Assert.Null(order.Lines[0].Price);
        Assert.Equal("Bob", order.Customer!.Name);
        Assert.Null(order.Customer.Address);
        Assert.Empty(order.Customer.Phones);
    }

    [Fact]
    public async Task Nested_owned_types_are_stored_as_nested_documents_and_arrays()
    {
        var stored = await RawCollection("nestorders").Find(new BsonDocument("_id", 1)).SingleAsync();

        var lines = stored["Lines"].AsBsonArray;
        Assert.Equal(2, lines.Count);
        var line = lines[0].AsBsonDocument;
        Assert.Equal("a", line["Sku"].AsString);
        var discounts = line["Discounts"].AsBsonArray.Select(d => d.AsBsonDocument).ToList();
        Assert.Equal(["SPRING", "LOYAL"], discounts.Select(d => d["Code"].AsString));
        Assert.Equal([10, 5], discounts.Select(d => d["Percent"].AsInt32));
        Assert.Equal(new BsonDocument { { "Amount", 9.5 }, { "Currency", "EUR" } }, line["Price"].AsBsonDocument);

        var customer = stored["Customer"].AsBsonDocument;
        Assert.Equal("Ada", customer["Name"].AsString);
        Assert.Equal(new BsonDocument("City", "Oslo"), customer["Address"].AsBsonDocument);
        Assert.Equal(["111", "222"], customer["Phones"].AsBsonArray.Select(p => p.AsBsonDocument["Number"].AsString));

        // Keys are the nesting itself: no owner keys or ordinals are stored in the embedded documents.
        Assert.Equal(["Discounts", "Price", "Quantity", "Sku"], line.Names.Order(StringComparer.Ordinal));
        Assert.Equal(["Code", "Note", "Percent"], discounts[0].Names.Order(StringComparer.Ordinal));
        Assert.Equal(new BsonDocument("Text", "until May"), discounts[0]["Note"].AsBsonDocument);
        Assert.Equal(["Number"], customer["Phones"][0].AsBsonDocument.Names);
    }

    [Fact]
    public async Task No_tracking_query_reads_every_level_from_the_wire()
    {
        await using var db = CreateContext();
        var query = db.Orders.AsNoTracking().OrderBy(o => o.Id);
        Assert.True(ReadsFromWire(query));
        var orders = await query.ToListAsync();

        Assert.Equal(2, orders.Count);
        AssertFirstOrder(orders[0]);
        AssertSecondOrder(orders[1]);
    }

    [Fact]
    public async Task Tracking_query_reads_every_level_and_tracks_each_owned_entity()
    {
        await using var db = CreateContext();
        var query = db.Orders.OrderBy(o => o.Id);
        Assert.True(ReadsFromWire(query));
        var orders = await query.ToListAsync();

        AssertFirstOrder(orders[0]);
        AssertSecondOrder(orders[1]);
        Assert.Equal(3, db.ChangeTracker.Entries<NestLine>().Count());
        Assert.Equal(3, db.ChangeTracker.Entries<NestDiscount>().Count());
        Assert.Single(db.ChangeTracker.Entries<NestNote>());
        Assert.Single(db.ChangeTracker.Entries<NestPrice>());
        Assert.Equal(2, db.ChangeTracker.Entries<NestCustomer>().Count());
        Assert.Single(db.ChangeTracker.Entries<NestAddress>());
        Assert.Equal(2, db.ChangeTracker.Entries<NestPhone>().Count());
        Assert.All(db.ChangeTracker.Entries(), e => Assert.Equal(EntityState.Unchanged, e.State));
    }

    [Fact]
    public async Task Explicit_include_and_then_include_read_the_same_nested_items()
    {
        await using var db = CreateContext();
        var query = db.Orders.AsNoTracking().Include(o => o.Lines).ThenInclude(l => l.Discounts).Where(o => o.Id == 1);
        Assert.True(ReadsFromWire(query));
        AssertFirstOrder(await query.SingleAsync());
    }

    [Fact]
    public async Task Document_path_reads_every_level_of_an_entity_in_a_joined_array()
    {
        await using var db = CreateContext();

        // Values read inside a joined array are read through the document path (see WireOwnedCollectionTests).
        var query = db.Buyers.AsNoTracking().Where(b => b.Id == 1)
            .Select(b => new { Orders = b.Orders.OrderBy(o => o.Id).ToList(), Names = b.Orders.Select(o => o.Name).ToList() });
        Assert.False(ReadsFromWire(query));
        var row = await query.SingleAsync();
        Assert.Equal(["first"], row.Names);
        AssertFirstOrder(row.Orders.Single());
    }

    [Fact]
    public async Task Document_path_tracks_every_level_of_an_entity_in_a_joined_array()
    {
        await using var db = CreateContext();
        var query = db.Buyers.Where(b => b.Id == 1)
            .Select(b => new { Orders = b.Orders.ToList(), Names = b.Orders.Select(o => o.Name).ToList() });
        Assert.False(ReadsFromWire(query));
        var row = await query.SingleAsync();
        var order = row.Orders.Single();
        AssertFirstOrder(order);
        Assert.Equal(EntityState.Unchanged, db.Entry(order).State);
        Assert.Equal(2, db.ChangeTracker.Entries<NestDiscount>().Count());
        Assert.Single(db.ChangeTracker.Entries<NestAddress>());
        Assert.Equal(2, db.ChangeTracker.Entries<NestPhone>().Count());

        // Changes to nested items of an entity read on the document path save like any other.
        order.Lines[0].Discounts[0].Percent = 12;
        order.Customer!.Address!.City = "Tromsø";
        await db.SaveChangesAsync();
        var stored = await RawCollection("nestorders").Find(new BsonDocument("_id", 1)).SingleAsync();
        Assert.Equal(12, stored["Lines"][0]["Discounts"][0]["Percent"].AsInt32);
        Assert.Equal("Tromsø", stored["Customer"]["Address"]["City"].AsString);
    }

    [Fact]
    public async Task Replacing_every_item_of_a_collection_with_nested_items_in_one_save()
    {
        await using (var db = CreateContext())
        {
            var order = await db.Orders.SingleAsync(o => o.Id == 2);
            order.Lines.RemoveAt(0);
            order.Lines.Add(new NestLine { Sku = "d", Quantity = 4, Discounts = [new NestDiscount { Code = "D1", Percent = 1 }] });
            order.Lines.Add(new NestLine { Sku = "e", Quantity = 5, Price = new NestPrice { Amount = 2.5, Currency = "SEK" } });
            await db.SaveChangesAsync();
        }

        await using var read = CreateContext();
        var again = await read.Orders.AsNoTracking().SingleAsync(o => o.Id == 2);
        Assert.Equal(["d", "e"], again.Lines.Select(l => l.Sku));
        Assert.Equal(["D1"], again.Lines[0].Discounts.Select(d => d.Code));
        Assert.Null(again.Lines[0].Price);
        Assert.Empty(again.Lines[1].Discounts);
        Assert.Equal("SEK", again.Lines[1].Price!.Currency);
    }

    [Fact]
    public async Task Wire_path_reads_every_level_of_an_included_joined_entity_and_tracks_it()
    {
        await using var db = CreateContext();
        var query = db.Buyers.Include(b => b.Orders).Where(b => b.Id == 1);
        Assert.True(ReadsFromWire(query));
        var buyer = await query.SingleAsync();
        AssertFirstOrder(buyer.Orders.Single());
        Assert.Equal(2, db.ChangeTracker.Entries<NestDiscount>().Count());
        Assert.Equal(2, db.ChangeTracker.Entries<NestPhone>().Count());
    }

    [Fact]
    public async Task Filters_on_nested_values_find_the_right_documents()
    {
        await using var db = CreateContext();

        Assert.Equal([1], await db.Orders.Where(o => o.Lines.Any(l => l.Discounts.Any(d => d.Code == "LOYAL"))).Select(o => o.Id)
            .ToListAsync());
        Assert.Equal([2], await db.Orders.Where(o => o.Lines.Any(l => l.Discounts.Any(d => d.Percent > 15))).Select(o => o.Id)
            .ToListAsync());
        Assert.Equal([1], await db.Orders.Where(o => o.Lines.Any(l => l.Price!.Currency == "EUR")).Select(o => o.Id).ToListAsync());
        Assert.Equal([1], await db.Orders.Where(o => o.Lines.Any(l => l.Discounts.Any(d => d.Note!.Text == "until May")))
            .Select(o => o.Id).ToListAsync());
        Assert.Equal([1], await db.Orders.Where(o => o.Customer!.Address!.City == "Oslo").Select(o => o.Id).ToListAsync());
        Assert.Equal([1], await db.Orders.Where(o => o.Customer!.Phones.Any(p => p.Number == "222")).Select(o => o.Id).ToListAsync());

        var filtered = await db.Orders.AsNoTracking().Where(o => o.Customer!.Address!.City == "Oslo").ToListAsync();
        AssertFirstOrder(Assert.Single(filtered));
    }

    [Fact]
    public async Task Projections_of_nested_owned_values_and_entities()
    {
        await using var db = CreateContext();
        var row = await db.Orders.AsNoTracking().Where(o => o.Id == 1)
            .Select(o => new
            {
                City = o.Customer!.Address!.City,
                o.Customer.Phones,
                First = o.Lines.Select(l => l.Discounts.Count).ToList(),
            })
            .SingleAsync();
        Assert.Equal("Oslo", row.City);
        Assert.Equal(["111", "222"], row.Phones.Select(p => p.Number));
        Assert.Equal([2, 0], row.First);
    }

    [Fact]
    public async Task Modified_nested_items_save_back_in_place()
    {
        await using (var db = CreateContext())
        {
            var order = await db.Orders.SingleAsync(o => o.Id == 1);
            order.Lines[0].Discounts[1].Percent = 7;
            order.Lines[0].Discounts[0].Note!.Text = "until June";
            order.Lines[0].Discounts.Add(new NestDiscount { Code = "EXTRA", Percent = 1 });
            order.Lines[0].Price!.Amount = 11.25;
            order.Lines[1].Price = new NestPrice { Amount = 3, Currency = "NOK" };
            order.Lines[1].Discounts.Add(new NestDiscount { Code = "NEW", Percent = 2 });
            order.Customer!.Address!.City = "Bergen";
            order.Customer.Phones.RemoveAt(0);
            order.Customer.Phones.Add(new NestPhone { Number = "333" });
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("nestorders").Find(new BsonDocument("_id", 1)).SingleAsync();
        var lines = stored["Lines"].AsBsonArray.Select(l => l.AsBsonDocument).ToList();
        Assert.Equal(["SPRING", "LOYAL", "EXTRA"], lines[0]["Discounts"].AsBsonArray.Select(d => d["Code"].AsString));
        Assert.Equal([10, 7, 1], lines[0]["Discounts"].AsBsonArray.Select(d => d["Percent"].AsInt32));
        Assert.Equal(11.25, lines[0]["Price"]["Amount"].AsDouble);
        Assert.Equal("until June", lines[0]["Discounts"][0]["Note"]["Text"].AsString);
        Assert.Equal("NOK", lines[1]["Price"]["Currency"].AsString);
        Assert.Equal(["NEW"], lines[1]["Discounts"].AsBsonArray.Select(d => d["Code"].AsString));
        Assert.Equal("Bergen", stored["Customer"]["Address"]["City"].AsString);
        Assert.Equal(["222", "333"], stored["Customer"]["Phones"].AsBsonArray.Select(p => p["Number"].AsString));

        await using (var db = CreateContext())
        {
            // A second round on entities read back after the first save (ordinals follow the new array positions).
            var order = await db.Orders.SingleAsync(o => o.Id == 1);
            Assert.Equal(["SPRING", "LOYAL", "EXTRA"], order.Lines[0].Discounts.Select(d => d.Code));
            order.Lines[0].Discounts.RemoveAt(0);
            order.Lines[0].Discounts[1].Code = "EXTRA2";
            order.Customer!.Phones[1].Number = "444";

            // An item removed and another added at its position in one save.
            order.Lines[1].Discounts.RemoveAt(0);
            order.Lines[1].Discounts.Add(new NestDiscount { Code = "LAST", Percent = 9 });
            await db.SaveChangesAsync();
        }

        await using var read = CreateContext();
        var again = await read.Orders.AsNoTracking().SingleAsync(o => o.Id == 1);
        Assert.Equal(["LOYAL", "EXTRA2"], again.Lines[0].Discounts.Select(d => d.Code));
        Assert.Equal([7, 1], again.Lines[0].Discounts.Select(d => d.Percent));
        Assert.All(again.Lines[0].Discounts, d => Assert.Null(d.Note));
        Assert.Equal(11.25, again.Lines[0].Price!.Amount);
        Assert.Equal(3, again.Lines[1].Price!.Amount);
        Assert.Equal(["LAST"], again.Lines[1].Discounts.Select(d => d.Code));
        Assert.Equal("Bergen", again.Customer!.Address!.City);
        Assert.Equal(["222", "444"], again.Customer.Phones.Select(p => p.Number));

        var untouched = await read.Orders.AsNoTracking().SingleAsync(o => o.Id == 2);
        AssertSecondOrder(untouched);
    }

    [Fact]
    public async Task Documents_written_elsewhere_with_gaps_read_with_their_positions()
    {
        // A non-document element in a nested array keeps its position; a missing nested array or document reads as empty/null.
        await RawCollection("nestorders").InsertOneAsync(new BsonDocument
        {
            { "_id", 3 },
            { "Name", "raw" },
            {
                "Lines", new BsonArray
                {
                    new BsonDocument
                    {
                        { "Sku", "x" },
                        { "Quantity", 1 },
                        { "Discounts", new BsonArray { BsonNull.Value, new BsonDocument { { "Code", "Z" }, { "Percent", 3 } } } },
                    },
                    new BsonDocument { { "Sku", "y" }, { "Quantity", 2 }, { "Price", BsonNull.Value } },
                }
            },
            { "Customer", new BsonDocument { { "Name", "Cy" }, { "Phones", new BsonArray { new BsonDocument("Number", "9") } } } },
        });

        await using (var db = CreateContext())
        {
            var order = await db.Orders.SingleAsync(o => o.Id == 3);
            Assert.Equal(["Z"], order.Lines[0].Discounts.Select(d => d.Code));
            Assert.Empty(order.Lines[1].Discounts);
            Assert.Null(order.Lines[1].Price);
            Assert.Null(order.Customer!.Address);
            Assert.Equal(["9"], order.Customer.Phones.Select(p => p.Number));

            var discountType = db.Model.FindEntityType(typeof(NestDiscount))!;
            var ordinal = discountType.FindPrimaryKey()!.Properties.Single(p => !p.IsForeignKey());
            Assert.Equal(2, Convert.ToInt32(db.Entry(order.Lines[0].Discounts[0]).Property(ordinal.Name).CurrentValue));

            order.Lines[0].Discounts[0].Percent = 4;
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("nestorders").Find(new BsonDocument("_id", 3)).SingleAsync();
        var discounts = stored["Lines"][0]["Discounts"].AsBsonArray;
        Assert.Contains(discounts, d => d is BsonDocument doc && doc["Code"] == "Z" && doc["Percent"] == 4);
    }
}
