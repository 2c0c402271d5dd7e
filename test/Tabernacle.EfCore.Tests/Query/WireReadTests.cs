using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query;

public enum WireTier
{
    Bronze,
    Silver,
    Gold,
}

/// <summary>Every scalar type the wire reader reads with a typed method, and the ones it leaves to the BSON fallback.</summary>
public class WireItem
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public int Count { get; set; }

    public long Big { get; set; }

    public double Ratio { get; set; }

    public bool Open { get; set; }

    public DateTime At { get; set; }

    public decimal Price { get; set; }

    public Guid Tag { get; set; }

    public ObjectId Ref { get; set; }

    public short Small { get; set; }

    public float Single { get; set; }

    public DateTimeOffset Stamp { get; set; }

    public TimeSpan Span { get; set; }

    public int? MaybeCount { get; set; }

    public string? MaybeText { get; set; }

    /// <summary>Stored as a string by a value converter.</summary>
    public WireTier TierText { get; set; }

    /// <summary>Stored as its number.</summary>
    public WireTier TierNumber { get; set; }

    /// <summary>Primitive collections.</summary>
    public List<string> Labels { get; set; } = [];

    public int[] Scores { get; set; } = [];

    /// <summary>Filled in when the element is missing.</summary>
    [Default(7)]
    public int Defaulted { get; set; }

    /// <summary>An owned reference (embedded by convention): a sub-document.</summary>
    public WireSize Size { get; set; } = new();

    /// <summary>An optional owned reference: null, or missing, reads as null.</summary>
    public WireSize? Extra { get; set; }

    /// <summary>A complex property: flattened into the entity's value buffer from a sub-document.</summary>
    public WirePlace Place { get; set; } = new();

    /// <summary>A complex collection: the raw array goes to the materializer.</summary>
    public List<WireNote> Notes { get; set; } = [];
}

public class WireSize
{
    public int Width { get; set; }

    public int Height { get; set; }
}

public class WirePlace
{
    public string City { get; set; } = "";

    public int? Zip { get; set; }
}

public class WireNote
{
    public string Text { get; set; } = "";
}

public abstract class WireFigure
{
    public int Id { get; set; }

    public string Name { get; set; } = "";
}

/// <summary>Siblings with properties of their own: their value buffers reuse each other's indexes.</summary>
public class WireCircle : WireFigure
{
    public double Radius { get; set; }
}

public class WireSquare : WireFigure
{
    public int Side { get; set; }

    public string Colour { get; set; } = "";
}

public class WireAuthor
{
    public int Id { get; set; }

    public string Name { get; set; } = "";
}

public class WireBook
{
    public int Id { get; set; }

    public string Title { get; set; } = "";

    public int AuthorId { get; set; }

    public WireAuthor? Author { get; set; }
}

public class WireContext(DbContextOptions<WireContext> options) : DbContext(options)
{
    public DbSet<WireItem> Items => Set<WireItem>();

    public DbSet<WireFigure> Shapes => Set<WireFigure>();

    public DbSet<WireBook> Books => Set<WireBook>();

    public DbSet<WireAuthor> Authors => Set<WireAuthor>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WireItem>(item =>
        {
            item.Property(i => i.Id).ValueGeneratedNever();
            item.Property(i => i.TierText).HasConversion<string>();
            item.Property<string>("Secret");
            item.ComplexProperty(i => i.Place);
            item.ComplexCollection(i => i.Notes);
        });
        modelBuilder.Entity<WireFigure>().Property(s => s.Id).ValueGeneratedNever();
        modelBuilder.Entity<WireCircle>();
        modelBuilder.Entity<WireSquare>();
        modelBuilder.Entity<WireAuthor>().Property(a => a.Id).ValueGeneratedNever();
        modelBuilder.Entity<WireBook>(book =>
        {
            book.Property(b => b.Id).ValueGeneratedNever();
            book.HasOne(b => b.Author).WithMany().HasForeignKey(b => b.AuthorId);
        });
    }
}

/// <summary>
/// Queries whose results are decoded from the wire into value buffers (WireRowSerializer) read every
/// mapping feature exactly as the document path did: each test checks the shape really takes the wire path, then the
/// values, including documents the provider did not write (missing, null and differently typed elements).
/// </summary>
public sealed class WireReadTests : ProviderTestBase<WireContext>
{
    private static readonly DateTime At = new(2025, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc);
    private static readonly Guid Tag = Guid.Parse("6f1c2a52-8f4e-4c1a-9a0d-2f3f4b5c6d7e");
    private static readonly ObjectId Ref = ObjectId.Parse("65a1b2c3d4e5f60718293a4b");

    private static WireItem Full(int id) => new()
    {
        Id = id,
        Name = "item " + id,
        Count = 300 + id,
        Big = 5_000_000_000L + id,
        Ratio = 0.25 * id,
        Open = id % 2 == 0,
        At = At.AddDays(id),
        Price = 12.34m + id,
        Tag = Tag,
        Ref = Ref,
        Small = (short)(-id),
        Single = 1.5f,
        Stamp = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
        Span = TimeSpan.FromMinutes(90),
        MaybeCount = id == 1 ? null : id,
        MaybeText = id == 1 ? null : "text",
        TierText = WireTier.Gold,
        TierNumber = WireTier.Silver,
        Labels = ["a", "b"],
        Scores = [3, 1, 2],
        Defaulted = 99,
        Size = new WireSize { Width = 10 * id, Height = 20 * id },
        Extra = id == 1 ? null : new WireSize { Width = 1, Height = 2 },
        Place = new WirePlace { City = "Oslo", Zip = id == 1 ? null : 150 },
        Notes = [new WireNote { Text = "first" }, new WireNote { Text = "second" }],
    };

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Items.AddRange(Full(1), Full(2));
        db.Entry(db.Items.Local.Single(i => i.Id == 2)).Property("Secret").CurrentValue = "shadow";
        db.Shapes.AddRange(new WireCircle { Id = 1, Name = "c", Radius = 2.5 },
            new WireSquare { Id = 2, Name = "s", Side = 4, Colour = "red" });
        db.Authors.Add(new WireAuthor { Id = 1, Name = "Ann" });
        db.Books.AddRange(new WireBook { Id = 1, Title = "One", AuthorId = 1 }, new WireBook { Id = 2, Title = "Two", AuthorId = 1 });
        await db.SaveChangesAsync();
    }

    /// <summary>Whether the query's results are decoded from the wire (rows are value buffers, not documents).</summary>
    private static bool ReadsFromWire<T>(IQueryable<T> query)
    {
        var enumerable = query.Provider.Execute<IEnumerable<T>>(query.Expression);
        var type = enumerable.GetType();
        Assert.True(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(QueryingEnumerable<,>), type.Name);
        return type.GetGenericArguments()[0] == typeof(object[]);
    }

    [Fact]
    public async Task Scalars_of_every_type_converters_and_primitive_collections_read_as_written()
    {
        await using var db = CreateContext();
        var query = db.Items.AsNoTracking().Where(i => i.Id == 2);
        Assert.True(ReadsFromWire(query));
        var item = await query.SingleAsync();
        var expected = Full(2);
        Assert.Equal(expected.Name, item.Name);
        Assert.Equal(expected.Count, item.Count);
        Assert.Equal(expected.Big, item.Big);
        Assert.Equal(expected.Ratio, item.Ratio);
        Assert.Equal(expected.Open, item.Open);
        Assert.Equal(expected.At, item.At);
        Assert.Equal(DateTimeKind.Utc, item.At.Kind);
        Assert.Equal(expected.Price, item.Price);
        Assert.Equal(Tag, item.Tag);
        Assert.Equal(Ref, item.Ref);
        Assert.Equal(expected.Small, item.Small);
        Assert.Equal(expected.Single, item.Single);
        Assert.Equal(expected.Stamp, item.Stamp);
        Assert.Equal(expected.Stamp.Offset, item.Stamp.Offset);
        Assert.Equal(expected.Span, item.Span);
        Assert.Equal(2, item.MaybeCount);
        Assert.Equal("text", item.MaybeText);
        Assert.Equal(WireTier.Gold, item.TierText);
        Assert.Equal(WireTier.Silver, item.TierNumber);
        Assert.Equal(["a", "b"], item.Labels);
        Assert.Equal([3, 1, 2], item.Scores);
        Assert.Equal(99, item.Defaulted);
    }

    [Fact]
    public async Task Null_elements_read_as_null_and_the_converter_stored_form_is_a_string()
    {
        var stored = await RawCollection("wireitems").Find(new BsonDocument("_id", 1)).SingleAsync();
        Assert.Equal(new BsonString("Gold"), stored["TierText"]);
        await using var db = CreateContext();
        var query = db.Items.AsNoTracking().Where(i => i.Id == 1);
        Assert.True(ReadsFromWire(query));
        var item = await query.SingleAsync();
        Assert.Null(item.MaybeCount);
        Assert.Null(item.MaybeText);
        Assert.Null(item.Extra);
        Assert.Null(item.Place.Zip);
    }

    [Fact]
    public async Task Owned_and_complex_references_and_complex_collections_read_from_their_sub_documents()
    {
        await using var db = CreateContext();
        var query = db.Items.AsNoTracking().OrderBy(i => i.Id);
        Assert.True(ReadsFromWire(query));
        var items = await query.ToListAsync();
        Assert.Equal((20, 40), (items[1].Size.Width, items[1].Size.Height));
        Assert.Equal((1, 2), (items[1].Extra!.Width, items[1].Extra!.Height));
        Assert.Equal("Oslo", items[1].Place.City);
        Assert.Equal(150, items[1].Place.Zip);
        Assert.Equal(["first", "second"], items[1].Notes.Select(n => n.Text));
        Assert.Equal((10, 20), (items[0].Size.Width, items[0].Size.Height));
    }

    [Fact]
    public async Task Tracked_results_carry_shadow_properties_and_owned_entries_and_save_back()
    {
        await using (var db = CreateContext())
        {
            var query = db.Items.Where(i => i.Id == 2);
            Assert.True(ReadsFromWire(query));
            var item = await query.SingleAsync();
            Assert.Equal("shadow", db.Entry(item).Property<string>("Secret").CurrentValue);
            Assert.Equal(EntityState.Unchanged, db.Entry(item.Size).State);
            item.Size.Width = 77;
            item.Name = "renamed";
            await db.SaveChangesAsync();
        }

        await using var check = CreateContext();
        var saved = await check.Items.AsNoTracking().SingleAsync(i => i.Id == 2);
        Assert.Equal((77, "renamed", 40), (saved.Size.Width, saved.Name, saved.Size.Height));
    }

    [Fact]
    public async Task Documents_written_elsewhere_get_defaults_for_missing_elements_and_numeric_types_are_converted()
    {
        await RawCollection("wireitems").InsertOneAsync(new BsonDocument
        {
            { "_id", 10 },
            { "Name", "raw" },
            { "Count", 5L },                   // int64 for an int property
            { "Big", 6 },                      // int32 for a long
            { "Ratio", 2 },                    // int32 for a double
            { "At", At },
            { "Price", 1.5 },                  // double for a decimal
            { "Tag", new BsonBinaryData(Tag, GuidRepresentation.Standard) },
            { "Ref", Ref },
            { "Small", 3 },
            { "Single", 1.0 },
            { "Stamp", new BsonDocument { { "DateTime", At }, { "Ticks", At.Ticks }, { "Offset", 0 } } },
            { "Span", 10L },
            { "TierText", "Bronze" },
            { "TierNumber", 2 },
            { "Labels", new BsonArray { "x" } },
            { "Scores", new BsonArray() },
            { "Unknown", new BsonDocument("deep", new BsonArray { 1, 2 }) },
            { "Size", new BsonDocument { { "Width", 1 }, { "Height", 2 }, { "Extra", "ignored" } } },
            { "Place", new BsonDocument("City", "Lima") },
            { "Notes", new BsonArray() },
            { "Open", true },
        });
        await using var db = CreateContext();
        var query = db.Items.AsNoTracking().Where(i => i.Id == 10);
        Assert.True(ReadsFromWire(query));
        var item = await query.SingleAsync();
        Assert.Equal((5, 6L, 2.0, 1.5m), (item.Count, item.Big, item.Ratio, item.Price));
        Assert.Equal(7, item.Defaulted);
        Assert.Null(item.MaybeCount);
        Assert.Null(item.Extra);
        Assert.Equal(("Lima", (int?)null), (item.Place.City, item.Place.Zip));
        Assert.Equal((WireTier.Bronze, WireTier.Gold), (item.TierText, item.TierNumber));
        Assert.Equal(["x"], item.Labels);
        Assert.Empty(item.Notes);
    }

    [Fact]
    public async Task A_missing_required_element_without_a_default_is_the_same_clear_error()
    {
        await RawCollection("wireitems").InsertOneAsync(new BsonDocument { { "_id", 11 }, { "Name", "broken" } });
        await using var db = CreateContext();
        var query = db.Items.AsNoTracking().Where(i => i.Id == 11);
        Assert.True(ReadsFromWire(query));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => query.SingleAsync());
        Assert.Contains("_id 11", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no element", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stored_value_of_the_wrong_kind_is_the_same_clear_error()
    {
        var document = (await RawCollection("wireitems").Find(new BsonDocument("_id", 1)).SingleAsync()).DeepClone().AsBsonDocument;
        document["_id"] = 12;
        document["Count"] = "not a number";
        await RawCollection("wireitems").InsertOneAsync(document);
        await using var db = CreateContext();
        var query = db.Items.AsNoTracking().Where(i => i.Id == 12);
        Assert.True(ReadsFromWire(query));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => query.SingleAsync());
        Assert.Contains("cannot be read as 'Int32'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hierarchy_reads_each_document_as_its_own_type()
    {
        await using var db = CreateContext();
        var query = db.Shapes.AsNoTracking().OrderBy(s => s.Id);
        Assert.True(ReadsFromWire(query));
        var shapes = await query.ToListAsync();
        var circle = Assert.IsType<WireCircle>(shapes[0]);
        var square = Assert.IsType<WireSquare>(shapes[1]);
        Assert.Equal(("c", 2.5), (circle.Name, circle.Radius));
        Assert.Equal(("s", 4, "red"), (square.Name, square.Side, square.Colour));
        Assert.Equal(4, (await db.Shapes.OfType<WireSquare>().SingleAsync()).Side);
    }

    [Fact]
    public async Task Projections_read_only_their_values()
    {
        await using var db = CreateContext();
        var query = db.Items.OrderBy(i => i.Id).Select(i => new { i.Name, i.Size.Width, i.Place.City, i.MaybeCount, i.TierText });
        Assert.True(ReadsFromWire(query));
        var rows = await query.ToListAsync();
        Assert.Equal(("item 1", 10, "Oslo", (int?)null, WireTier.Gold),
            (rows[0].Name, rows[0].Width, rows[0].City, rows[0].MaybeCount, rows[0].TierText));
        Assert.Equal(2, rows[1].MaybeCount);
        var dto = db.Items.Where(i => i.Count > 0).Select(i => new WirePlace { City = i.Name, Zip = i.Count });
        Assert.True(ReadsFromWire(dto));
        Assert.Equal([301, 302], (await dto.ToListAsync()).Select(p => p.Zip!.Value).Order());
        var names = db.Items.OrderByDescending(i => i.Id).Select(i => i.Name);
        Assert.True(ReadsFromWire(names));
        Assert.Equal(["item 2", "item 1"], await names.ToListAsync());
    }

    [Fact]
    public async Task Include_of_a_reference_through_lookup_reads_the_joined_document()
    {
        await using var db = CreateContext();
        var query = db.Books.AsNoTracking().Include(b => b.Author).OrderBy(b => b.Id);
        Assert.True(ReadsFromWire(query));
        var books = await query.ToListAsync();
        Assert.Equal(["Ann", "Ann"], books.Select(b => b.Author!.Name));
        await using var tracked = CreateContext();
        var trackedBooks = await tracked.Books.Include(b => b.Author).ToListAsync();
        Assert.Same(trackedBooks[0].Author, trackedBooks[1].Author);
    }

    [Fact]
    public async Task Synchronous_enumeration_reads_from_the_wire_too()
    {
        await using var db = CreateContext();
        var query = db.Items.AsNoTracking().OrderBy(i => i.Id);
        Assert.True(ReadsFromWire(query));
        Assert.Equal([300 + 1, 300 + 2], query.ToList().Select(i => i.Count));
        var tracked = db.Items.OrderBy(i => i.Id).ToList();
        Assert.Equal(EntityState.Unchanged, db.Entry(tracked[1]).State);
        Assert.Equal("shadow", db.Entry(tracked[1]).Property<string>("Secret").CurrentValue);
        Assert.Empty(db.Items.Where(i => i.Id > 100).ToList());
    }

    [Fact]
    public async Task Results_over_several_batches_are_all_read_with_and_without_tracking()
    {
        // More than the first batch (101 documents): rows of later batches arrive through getMore.
        await RawCollection("wireauthors").InsertManyAsync(
            Enumerable.Range(100, 250).Select(i => new BsonDocument { { "_id", i }, { "Name", "a" + i } }));
        await using var db = CreateContext();
        var query = db.Authors.AsNoTracking().Where(a => a.Id >= 100).OrderBy(a => a.Id);
        Assert.True(ReadsFromWire(query));
        Assert.Equal(Enumerable.Range(100, 250), (await query.ToListAsync()).Select(a => a.Id));
        Assert.Equal(Enumerable.Range(100, 250).Select(i => "a" + i), query.ToList().Select(a => a.Name));
        Assert.Equal(250, (await db.Authors.Where(a => a.Id >= 100).ToListAsync()).Count);
        Assert.Equal(250, db.ChangeTracker.Entries<WireAuthor>().Count());
    }

    [Fact]
    public async Task Aggregates_and_scalar_results_still_read()
    {
        await using var db = CreateContext();
        Assert.Equal(2, await db.Items.CountAsync());
        Assert.True(await db.Items.AnyAsync(i => i.Open));
        Assert.Equal(603, await db.Items.SumAsync(i => i.Count));
        Assert.Equal("item 1", await db.Items.OrderBy(i => i.Id).Select(i => i.Name).FirstAsync());

        // No match: the rows the server does not send are made by the shape's serializer, typed as the result.
        Assert.Equal(0, await db.Items.CountAsync(i => i.Id > 100));
        Assert.Equal(0L, await db.Items.LongCountAsync(i => i.Id > 100));
        Assert.False(await db.Items.AnyAsync(i => i.Id > 100));
        Assert.Equal(0, await db.Items.Where(i => i.Id > 100).SumAsync(i => i.Count));
        Assert.Equal(0.0, await db.Items.Where(i => i.Id > 100).SumAsync(i => i.Ratio));
        Assert.Equal(0m, await db.Items.Where(i => i.Id > 100).SumAsync(i => i.Price));
        Assert.Equal(2, db.Items.Count());
        Assert.True(db.Items.Any(i => i.Id == 1));
    }
}
