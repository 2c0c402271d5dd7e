using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Update;
using Microsoft.Extensions.Logging.Abstractions;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal;
using Tabernacle.EfCore.Query.Internal.Expressions;
using Tabernacle.EfCore.Storage.Internal;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Update.Internal;

namespace Tabernacle.EfCore.Tests.Update;

public class SavePathPlace
{
    public string City { get; set; } = "";

    public int Floor { get; set; }

    public DateTime? Since { get; set; }
}

public class SavePathNote
{
    public string Text { get; set; } = "";

    public int Weight { get; set; }
}

public class SavePathOwner
{
    public string Name { get; set; } = "";

    public int? Age { get; set; }
}

public class SavePathLine
{
    public string Sku { get; set; } = "";

    public decimal Price { get; set; }
}

/// <summary>
/// Nullable scalars of every typed-writer type, a complex property and a complex collection, a concurrency token, an
/// owned reference and an owned collection.
/// </summary>
public class SavePathRecord
{
    public int Id { get; set; }

    public string? Text { get; set; }

    public long? MaybeBig { get; set; }

    public double? MaybeRatio { get; set; }

    public bool? MaybeFlag { get; set; }

    public DateTime? MaybeWhen { get; set; }

    public decimal? MaybePrice { get; set; }

    public ObjectId? MaybeRef { get; set; }

    public int? MaybeCount { get; set; }

    public int Version { get; set; }

    public SavePathPlace Place { get; set; } = new();

    public List<SavePathNote> Notes { get; set; } = [];

    public SavePathOwner? Owner { get; set; }

    public List<SavePathLine> Lines { get; set; } = [];
}

public class SavePathContext(DbContextOptions<SavePathContext> options) : DbContext(options)
{
    public DbSet<SavePathRecord> Records => Set<SavePathRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<SavePathRecord>(record =>
        {
            record.Property(r => r.Id).ValueGeneratedNever();
            record.Property(r => r.Version).IsConcurrencyToken();
            record.ComplexProperty(r => r.Place);
            record.ComplexCollection(r => r.Notes);
            record.OwnsOne(r => r.Owner);
            record.OwnsMany(r => r.Lines);
        });
}

/// <summary>
/// The save path without waste (issue 17): typed writers for nullable scalars, complex values written by the direct
/// insert, updates and deletes whose filters and written elements are read back from their write models, and the
/// client seam's per-context collection cache and untraced operations.
/// </summary>
public sealed class SavePathTests : ProviderTestBase<SavePathContext>
{
    private static SavePathRecord Record(int id, bool nulls) => new()
    {
        Id = id,
        Text = nulls ? null : "text",
        MaybeBig = nulls ? null : long.MinValue,
        MaybeRatio = nulls ? null : 2.5,
        MaybeFlag = nulls ? null : false,
        MaybeWhen = nulls ? null : new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Unspecified),
        MaybePrice = nulls ? null : 12.345m,
        MaybeRef = nulls ? null : ObjectId.Parse("65a1b2c3d4e5f60718293a4b"),
        MaybeCount = nulls ? null : -9,
        Version = 1,
        Place = new SavePathPlace { City = "Oslo", Floor = 3, Since = nulls ? null : new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
        Notes = nulls ? [] : [new SavePathNote { Text = "a", Weight = 1 }, new SavePathNote { Text = "b", Weight = 2 }],
        Owner = nulls ? null : new SavePathOwner { Name = "ann", Age = 40 },
        Lines = nulls ? [] : [new SavePathLine { Sku = "l1", Price = 1.5m }, new SavePathLine { Sku = "l2", Price = 2.5m }],
    };

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public async Task A_direct_insert_with_nullable_scalars_and_complex_values_stores_what_the_document_path_builds(int id, bool nulls)
    {
        BsonDocument expected;
        await using (var db = CreateContext())
        {
            var record = Record(id, nulls);
            db.Records.Add(record);
            var entry = (IUpdateEntry)db.Entry(record).GetInfrastructure();
            expected = DocumentWriter.CreateDocument(entry);
            Assert.NotNull(SaveDocument.ForInsert(entry).Entry);
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("savepathrecords").Find(new BsonDocument("_id", id)).SingleAsync();
        Assert.Equal(expected.Names.ToList(), stored.Names.ToList());
        foreach (var element in expected)
        {
            Assert.Equal(element.Value.BsonType, stored[element.Name].BsonType);
            Assert.Equal(element.Value, stored[element.Name]);
        }

        Assert.Equal(nulls ? BsonNull.Value : new BsonInt64(long.MinValue), stored["MaybeBig"]);
        Assert.Equal(nulls ? BsonNull.Value : new BsonDateTime(new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc)), stored["MaybeWhen"]);
        Assert.Equal("Oslo", stored["Place"]["City"].AsString);
        Assert.Equal(nulls ? 0 : 2, stored["Notes"].AsBsonArray.Count);
        Assert.Equal(nulls ? BsonNull.Value : new BsonDocument { { "Age", 40 }, { "Name", "ann" } }, stored["Owner"]);
        Assert.Equal(nulls ? [] : ["l1", "l2"], stored["Lines"].AsBsonArray.Select(l => l["Sku"].AsString));

        await using var read = CreateContext();
        var back = await read.Records.AsNoTracking().SingleAsync(r => r.Id == id);
        var original = Record(id, nulls);
        Assert.Equal(
            (original.Text, original.MaybeBig, original.MaybeRatio, original.MaybeFlag),
            (back.Text, back.MaybeBig, back.MaybeRatio, back.MaybeFlag));
        Assert.Equal((original.MaybePrice, original.MaybeRef, original.MaybeCount), (back.MaybePrice, back.MaybeRef, back.MaybeCount));
        Assert.Equal(original.MaybeWhen is { } when ? DateTime.SpecifyKind(when, DateTimeKind.Utc) : null, back.MaybeWhen);
        Assert.Equal(
            (original.Place.City, original.Place.Floor, original.Place.Since),
            (back.Place.City, back.Place.Floor, back.Place.Since));
        Assert.Equal(original.Notes.Select(n => (n.Text, n.Weight)), back.Notes.Select(n => (n.Text, n.Weight)));
    }

    [Fact]
    public async Task A_direct_insert_gives_owned_elements_their_positions_before_the_write_and_they_read_back_tracked()
    {
        await using (var db = CreateContext())
        {
            var record = Record(40, false);
            record.Lines.Add(new SavePathLine { Sku = "l3", Price = 3.5m });
            db.Records.Add(record);
            var entry = (IUpdateEntry)db.Entry(record).GetInfrastructure();
            var document = SaveDocument.ForInsert(entry);
            Assert.NotNull(document.Entry);

            // Planning the insert gave the elements their ordinal keys; writing it only reads them.
            var lineType = db.Model.FindEntityType(typeof(SavePathLine))!;
            var ordinal = lineType.FindPrimaryKey()!.Properties.Single(p => !p.IsForeignKey());
            Assert.Equal([1, 2, 3], record.Lines.Select(l => Convert.ToInt32(db.Entry(l).Property(ordinal.Name).CurrentValue)));
            Assert.Equal(DocumentWriter.CreateDocument(entry), document.ToBsonDocument());
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("savepathrecords").Find(new BsonDocument("_id", 40)).SingleAsync();
        Assert.Equal(["l1", "l2", "l3"], stored["Lines"].AsBsonArray.Select(l => l["Sku"].AsString));
        Assert.Equal(new BsonDecimal128(3.5m), stored["Lines"][2]["Price"]);

        await using var read = CreateContext();
        var back = await read.Records.SingleAsync(r => r.Id == 40);
        Assert.Equal(["l1", "l2", "l3"], back.Lines.Select(l => l.Sku));
        Assert.Equal("ann", back.Owner!.Name);
        back.Lines.RemoveAt(0);
        back.Owner.Age = 41;
        await read.SaveChangesAsync();
        var updated = await RawCollection("savepathrecords").Find(new BsonDocument("_id", 40)).SingleAsync();
        Assert.Equal(["l2", "l3"], updated["Lines"].AsBsonArray.Select(l => l["Sku"].AsString));
        Assert.Equal(41, updated["Owner"]["Age"].AsInt32);
    }

    [Fact]
    public void Scalars_without_a_converter_get_a_typed_writer_and_the_rest_the_general_path()
    {
        using var db = CreateContext();
        var entityType = db.Model.FindEntityType(typeof(SavePathRecord))!;
        var inserted = StoredProperties.Inserted(entityType);
        var writers = StoredProperties.InsertedWriters(entityType);
        Assert.Equal(inserted.Length, writers.Length);
        var typed = inserted.Select((p, i) => (p.Property.Name, Typed: writers[i] is not null)).ToDictionary(p => p.Name, p => p.Typed);
        string[] typedNames =
            ["Text", "MaybeBig", "MaybeRatio", "MaybeFlag", "MaybeWhen", "MaybePrice", "MaybeRef", "MaybeCount", "Version"];
        foreach (var name in typedNames)
        {
            Assert.True(typed[name], name);
        }

        var flat = new DbContextOptionsBuilder<FlatContext>().UseTabernacle(Backend.ConnectionString, DatabaseName).Options;
        using var flatDb = new FlatContext(flat);
        var flatType = flatDb.Model.FindEntityType(typeof(FlatRecord))!;
        var flatWriters = StoredProperties.InsertedWriters(flatType);
        var flatTyped = StoredProperties.Inserted(flatType).Select((p, i) => (p.Property.Name, Typed: flatWriters[i] is not null))
            .ToDictionary(p => p.Name, p => p.Typed);
        // A value converter, a primitive collection and types the writer has no method for take the general path.
        Assert.False(flatTyped["KindText"]);
        Assert.False(flatTyped["Labels"]);
        Assert.False(flatTyped["Tag"]);
        Assert.False(flatTyped["Stamp"]);
        Assert.True(flatTyped["Count"]);
    }

    [Fact]
    public async Task Updates_and_deletes_keep_their_filter_and_written_elements_and_a_stale_token_is_a_concurrency_error()
    {
        await using (var db = CreateContext())
        {
            db.Records.AddRange(Record(10, false), Record(11, false));
            await db.SaveChangesAsync();
        }

        await using var first = CreateContext();
        var records = await first.Records.OrderBy(r => r.Id).ToListAsync();
        records[0].Text = "changed";
        records[0].Version = 2;
        first.Records.Remove(records[1]);
        // What EF Core hands a save: the changed entries only.
        var entries = first.ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged)
            .Select(e => (IUpdateEntry)e.GetInfrastructure()).ToList();
        var plan = SavePlanner.Plan(entries);
        var update = Assert.Single(plan, o => o.State == EntityState.Modified);
        Assert.Equal(new BsonDocument { { "_id", 10 }, { "Version", 1 } }, update.Filter);
        Assert.Equal(new BsonDocument { { "Text", "changed" }, { "Version", 2 } }, update.Written);
        Assert.Same(update.Written, update.Update!["$set"].AsBsonDocument);
        Assert.Null(update.Inserted);
        var delete = Assert.Single(plan, o => o.State == EntityState.Deleted);
        Assert.Equal(new BsonDocument { { "_id", 11 }, { "Version", 1 } }, delete.Filter);
        Assert.Null(delete.Written);

        // Another context changes the token first: both writes of this save now miss, and the error names the entries.
        await RawCollection("savepathrecords")
            .UpdateManyAsync(new BsonDocument(), new BsonDocument("$set", new BsonDocument("Version", 5)));
        var error = await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => first.SaveChangesAsync());
        Assert.NotEmpty(error.Entries);
    }

    [Fact]
    public void Substitute_copies_only_the_parts_with_placeholders_and_never_changes_the_template()
    {
        var placeholder = new BsonDocument(MqlRenderer.PlaceholderKey, 0);
        var constant = new BsonDocument("$in", new BsonArray { 1, 2 });
        var template = new BsonDocument
        {
            { "a", constant },
            { "b", new BsonDocument("$eq", placeholder) },
            { "c", new BsonArray { 3, placeholder } },
        };
        var before = template.DeepClone();

        var bound = (BsonDocument)CompiledMongoQuery.Substitute(template, [new BsonInt32(42)]);

        Assert.Equal(new BsonDocument { { "a", constant }, { "b", new BsonDocument("$eq", 42) }, { "c", new BsonArray { 3, 42 } } }, bound);
        Assert.NotSame(template, bound);
        Assert.Same(constant, bound["a"]);
        Assert.Equal(before, template);
        Assert.Same(constant, CompiledMongoQuery.Substitute(constant, [new BsonInt32(42)]));
    }

    [Fact]
    public async Task The_context_reuses_its_collection_objects_per_name_and_options()
    {
        await using var db = CreateContext();
        var client = db.GetService<TabernacleClientWrapper>();
        var plain = client.Collection("savepathrecords");
        Assert.Same(plain, client.Collection("savepathrecords"));
        var secondary = client.Collection("savepathrecords", ReadPreference.SecondaryPreferred);
        Assert.NotSame(plain, secondary);
        Assert.Equal(ReadPreferenceMode.SecondaryPreferred, secondary.Settings.ReadPreference.ReadPreferenceMode);
        Assert.Same(secondary, client.Collection("savepathrecords", ReadPreference.SecondaryPreferred));
        var majority = client.Collection("savepathrecords", writeConcern: WriteConcern.WMajority);
        Assert.Equal(WriteConcern.WMajority, majority.Settings.WriteConcern);
        Assert.NotSame(client.Collection("other"), plain);

        // A per-request default read preference is part of the key, so it changes the collection a read uses.
        client.DefaultReadPreferenceOverride = ReadPreference.Nearest;
        Assert.Equal(ReadPreferenceMode.Nearest, client.Collection("savepathrecords").Settings.ReadPreference.ReadPreferenceMode);
        client.DefaultReadPreferenceOverride = null;
        Assert.Same(plain, client.Collection("savepathrecords"));
    }

    [Fact]
    public async Task Without_a_logger_or_listener_operations_run_untraced_and_still_fail_clearly()
    {
        await using (var db = CreateContext(core: b => b.UseLoggerFactory(NullLoggerFactory.Instance)))
        {
            db.Records.Add(Record(30, false));
            Assert.Equal(1, await db.SaveChangesAsync());
            Assert.Equal("text", (await db.Records.AsNoTracking().SingleAsync(r => r.Id == 30)).Text);
        }

        await using var again = CreateContext(core: b => b.UseLoggerFactory(NullLoggerFactory.Instance));
        again.Records.Add(Record(30, true));
        var error = await Assert.ThrowsAnyAsync<DbUpdateException>(() => again.SaveChangesAsync());
        Assert.Contains("30", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_logging_on_the_log_line_still_names_the_server_that_answered()
    {
        await using var db = CreateContext();
        Logs.Clear();
        await db.Records.AsNoTracking().Where(r => r.Id == 1).ToListAsync();
        var line = Assert.Single(Logs.Entries, e => e.Message.StartsWith("Executed find", StringComparison.Ordinal));
        Assert.DoesNotContain("(unknown)", line.Message, StringComparison.Ordinal);
        Assert.Matches(@"server [^ :]+:\d+", line.Message);
    }
}
