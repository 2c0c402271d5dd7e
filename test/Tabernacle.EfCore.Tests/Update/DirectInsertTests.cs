using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Update.Internal;

namespace Tabernacle.EfCore.Tests.Update;

public enum FlatKind
{
    First,
    Second,
}

/// <summary>An entity with scalar properties only: its inserts are written straight from the entry (SaveDocumentSerializer).</summary>
public class FlatRecord
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public string? Missing { get; set; }

    public int Count { get; set; }

    public long Big { get; set; }

    public double Ratio { get; set; }

    public bool Flag { get; set; }

    public DateTime Utc { get; set; }

    public DateTime Unspecified { get; set; }

    public DateTime Local { get; set; }

    public decimal Price { get; set; }

    public Guid Tag { get; set; }

    public ObjectId Ref { get; set; }

    public short Small { get; set; }

    public FlatKind Kind { get; set; }

    public FlatKind KindText { get; set; }

    public TimeSpan Span { get; set; }

    public DateTimeOffset Stamp { get; set; }

    public List<string> Labels { get; set; } = [];

    public int? Maybe { get; set; }
}

public class FlatContext(DbContextOptions<FlatContext> options) : DbContext(options)
{
    public DbSet<FlatRecord> Records => Set<FlatRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<FlatRecord>(record =>
        {
            record.Property(r => r.Id).ValueGeneratedNever();
            record.Property(r => r.KindText).HasConversion<string>();
            record.Property<string>("Note");
        });
}

/// <summary>
/// Inserts written by the save serializer straight from the entry store exactly the document the document path builds
/// (same elements, order and BSON types), and read back as written.
/// </summary>
public sealed class DirectInsertTests : ProviderTestBase<FlatContext>
{
    private static FlatRecord Record(int id) => new()
    {
        Id = id,
        Name = "flat",
        Count = 7,
        Big = long.MaxValue,
        Ratio = 0.1,
        Flag = true,
        Utc = new DateTime(2025, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc),
        Unspecified = new DateTime(2025, 5, 6, 7, 8, 9, DateTimeKind.Unspecified),
        Local = new DateTime(2025, 5, 6, 7, 8, 9, DateTimeKind.Local),
        Price = 79228162514264337593543950.335m,
        Tag = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Ref = ObjectId.Parse("65a1b2c3d4e5f60718293a4b"),
        Small = -3,
        Kind = FlatKind.Second,
        KindText = FlatKind.Second,
        Span = TimeSpan.FromSeconds(5),
        Stamp = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(-3)),
        Labels = ["x", "y"],
    };

    [Fact]
    public async Task The_stored_document_is_the_one_the_document_path_builds()
    {
        BsonDocument expected;
        await using (var db = CreateContext())
        {
            var record = Record(1);
            db.Records.Add(record);
            db.Entry(record).Property("Note").CurrentValue = "shadow";
            var entry = (Microsoft.EntityFrameworkCore.Update.IUpdateEntry)db.Entry(record).GetInfrastructure();
            expected = DocumentWriter.CreateDocument(entry);
            Assert.NotNull(SaveDocument.ForInsert(entry).Entry);
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("flatrecords").Find(new BsonDocument("_id", 1)).SingleAsync();
        Assert.Equal(expected.Names.ToList(), stored.Names.ToList());
        foreach (var element in expected)
        {
            Assert.Equal(element.Value.BsonType, stored[element.Name].BsonType);
            Assert.Equal(element.Value, stored[element.Name]);
        }

        Assert.Equal(new BsonString("Second"), stored["KindText"]);
        Assert.Equal(BsonNull.Value, stored["Missing"]);
        Assert.Equal(new BsonString("shadow"), stored["Note"]);
    }

    [Fact]
    public async Task A_direct_insert_reads_back_as_written_and_many_go_in_one_save()
    {
        await using (var db = CreateContext())
        {
            db.Records.AddRange(Enumerable.Range(10, 150).Select(Record));
            Assert.Equal(150, await db.SaveChangesAsync());
        }

        await using var read = CreateContext();
        var records = await read.Records.AsNoTracking().OrderBy(r => r.Id).ToListAsync();
        Assert.Equal(150, records.Count);
        var expected = Record(10);
        var first = records[0];
        Assert.Equal((expected.Name, expected.Big, expected.Price, expected.Tag, expected.Ref),
            (first.Name, first.Big, first.Price, first.Tag, first.Ref));
        Assert.Equal(expected.Utc, first.Utc);
        Assert.Equal(DateTime.SpecifyKind(expected.Unspecified, DateTimeKind.Utc), first.Unspecified);
        Assert.Equal(expected.Local.ToUniversalTime(), first.Local);
        Assert.Equal((FlatKind.Second, FlatKind.Second), (first.Kind, first.KindText));
        Assert.Equal(expected.Stamp, first.Stamp);
        Assert.Equal(["x", "y"], first.Labels);
        Assert.Null(first.Maybe);
    }

    [Fact]
    public async Task A_duplicate_key_is_still_a_clear_DbUpdateException()
    {
        await using (var db = CreateContext())
        {
            db.Records.Add(Record(500));
            await db.SaveChangesAsync();
        }

        await using var again = CreateContext();
        again.Records.Add(Record(500));
        var error = await Assert.ThrowsAnyAsync<DbUpdateException>(() => again.SaveChangesAsync());
        Assert.Contains("500", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }
}
