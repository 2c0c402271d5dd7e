using Tabernacle.EfCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Update.Internal;

namespace Tabernacle.EfCore.Tests.Conventions;

public class Article
{
    public ObjectId Id { get; set; }

    public string Title { get; set; } = "";

    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }

    [AutoNow]
    public DateTime UpdatedAt { get; set; }

    public DateTimeOffset? FirstSeen { get; set; }

    public DateTimeOffset LastTouched { get; set; }

    [AutoNow]
    public DateTime NotAutoAnyMore { get; set; }

    public List<Remark> Remarks { get; set; } = [];
}

public class Remark
{
    public string Text { get; set; } = "";

    [AutoNowAdd]
    public DateTime? At { get; set; }
}

public class TimestampContext(DbContextOptions<TimestampContext> options) : DbContext(options)
{
    public DbSet<Article> Articles => Set<Article>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var article = modelBuilder.Entity<Article>();
        article.Property(a => a.FirstSeen).IsAutoNowAdd();
        article.Property(a => a.LastTouched).IsAutoNow();
        article.Property(a => a.NotAutoAnyMore).IsAutoNow(false);
    }
}

public sealed class TimestampTests : ProviderTestBase<TimestampContext>
{
    // Sub-millisecond ticks on purpose: what is saved must be truncated to what BSON keeps.
    private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 5, 4, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
    private static readonly DateTime StartMs = new(2026, 5, 4, 10, 0, 0, 123, DateTimeKind.Utc);

    private readonly ManualClock _clock = new(Start);

    private TimestampContext Context() => CreateContext(core: b => b.UseApplicationServiceProvider(_clock.AsServices()));

    private async Task<BsonDocument> RawAsync(ObjectId id) =>
        await RawCollection("articles").Find(new BsonDocument("_id", id)).SingleAsync();

    [Fact]
    public async Task Insert_sets_auto_now_add_and_auto_now_to_the_clock_in_UTC_milliseconds()
    {
        var article = new Article { Title = "a", Remarks = [new Remark { Text = "first" }] };
        await using (var db = Context())
        {
            db.Articles.Add(article);
            await db.SaveChangesAsync();
        }

        Assert.Equal(StartMs, article.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, article.CreatedAt.Kind);
        Assert.Equal(StartMs, article.UpdatedAt);
        Assert.Equal(new DateTimeOffset(StartMs), article.FirstSeen);
        Assert.Equal(new DateTimeOffset(StartMs), article.LastTouched);
        Assert.Equal(StartMs, article.Remarks[0].At);
        Assert.Equal(default, article.NotAutoAnyMore);

        var raw = await RawAsync(article.Id);
        Assert.Equal(StartMs, raw["CreatedAt"].ToUniversalTime());
        Assert.Equal(StartMs, raw["UpdatedAt"].ToUniversalTime());

        await using var reader = Context();
        var read = await reader.Articles.SingleAsync();
        Assert.Equal((article.CreatedAt, article.UpdatedAt, article.FirstSeen, article.LastTouched, article.Remarks[0].At),
            (read.CreatedAt, read.UpdatedAt, read.FirstSeen, read.LastTouched, read.Remarks[0].At));
    }

    [Fact]
    public async Task Update_moves_auto_now_only_and_an_unchanged_entity_is_not_touched()
    {
        var article = new Article { Title = "a" };
        await using (var db = Context())
        {
            db.Articles.Add(article);
            await db.SaveChangesAsync();
        }

        _clock.Advance(TimeSpan.FromMinutes(5));
        await using (var db = Context())
        {
            var loaded = await db.Articles.SingleAsync();
            loaded.Title = "b";
            db.SaveChanges();
            Assert.Equal(StartMs.AddMinutes(5), loaded.UpdatedAt);
            Assert.Equal(StartMs, loaded.CreatedAt);

            _clock.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, await db.SaveChangesAsync());
        }

        var raw = await RawAsync(article.Id);
        Assert.Equal(StartMs, raw["CreatedAt"].ToUniversalTime());
        Assert.Equal(StartMs, raw["FirstSeen"]["DateTime"].ToUniversalTime());
        Assert.Equal(StartMs.AddMinutes(5), raw["UpdatedAt"].ToUniversalTime());
        Assert.Equal(StartMs.AddMinutes(5), raw["LastTouched"]["DateTime"].ToUniversalTime());
        Assert.Equal("b", raw["Title"].AsString);
    }

    [Fact]
    public async Task A_change_to_an_owned_document_moves_its_owners_auto_now()
    {
        var article = new Article { Title = "a" };
        await using (var db = Context())
        {
            article.Remarks.Add(new Remark { Text = "early" });
            db.Articles.Add(article);
            await db.SaveChangesAsync();
        }

        _clock.Advance(TimeSpan.FromHours(1));
        await using (var db = Context())
        {
            var loaded = await db.Articles.SingleAsync();
            loaded.Remarks.Add(new Remark { Text = "late" });
            await db.SaveChangesAsync();
            Assert.Equal(EntityState.Unchanged, db.Entry(loaded).State);
            _clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(0, await db.SaveChangesAsync());
        }

        var raw = await RawAsync(article.Id);
        Assert.Equal(StartMs.AddHours(1), raw["UpdatedAt"].ToUniversalTime());
        Assert.Equal(StartMs, raw["Remarks"][0]["At"].ToUniversalTime());
        Assert.Equal(StartMs.AddHours(1), raw["Remarks"][1]["At"].ToUniversalTime());
        Assert.Equal(StartMs, raw["CreatedAt"].ToUniversalTime());
    }

    [Fact]
    public async Task An_explicit_auto_now_add_value_is_kept_on_insert_but_auto_now_is_not()
    {
        var imported = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var article = new Article { Title = "old", CreatedAt = imported, UpdatedAt = imported };
        await using (var db = Context())
        {
            db.Articles.Add(article);
            await db.SaveChangesAsync();
        }

        var raw = await RawAsync(article.Id);
        Assert.Equal(imported, raw["CreatedAt"].ToUniversalTime());
        Assert.Equal(StartMs, raw["UpdatedAt"].ToUniversalTime());
    }

    [Fact]
    public async Task Without_a_registered_TimeProvider_the_system_clock_is_used()
    {
        var before = DateTime.UtcNow.AddMilliseconds(-1);
        var article = new Article { Title = "a" };
        await using (var db = CreateContext())
        {
            db.Articles.Add(article);
            await db.SaveChangesAsync();
        }

        Assert.InRange(article.CreatedAt, before, DateTime.UtcNow);
        Assert.Equal(0, article.CreatedAt.Ticks % TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public async Task ExecuteUpdate_sets_auto_now_unless_it_sets_the_property_itself()
    {
        var article = new Article { Title = "a" };
        await using (var db = Context())
        {
            db.Articles.Add(article);
            await db.SaveChangesAsync();
        }

        _clock.Advance(TimeSpan.FromDays(1));
        await using (var db = Context())
        {
            Assert.Equal(1, await db.Articles.Where(a => a.Title == "a").ExecuteUpdateAsync(s => s.SetProperty(a => a.Title, "b")));
        }

        var raw = await RawAsync(article.Id);
        Assert.Equal(("b", StartMs.AddDays(1), StartMs),
            (raw["Title"].AsString, raw["UpdatedAt"].ToUniversalTime(), raw["CreatedAt"].ToUniversalTime()));

        var chosen = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var db = Context())
        {
            await db.Articles.ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedAt, chosen));
            var read = await db.Articles.SingleAsync();
            Assert.Equal(chosen, read.UpdatedAt);
            Assert.Equal(StartMs.AddDays(1), read.LastTouched.UtcDateTime);
        }
    }

    [Fact]
    public void The_timestamp_convention_gives_every_auto_now_property_the_clock_time_in_its_own_type()
    {
        using var db = Context();
        var entityType = db.Model.FindEntityType(typeof(Article))!;
        Assert.Equal(["LastTouched", "UpdatedAt"], AutoTimestamps.AutoNowProperties(entityType).Select(p => p.Name).Order());

        var now = AutoTimestamps.UtcNow(db);
        Assert.Equal(StartMs, now.UtcDateTime);
        Assert.Equal(StartMs, Assert.IsType<DateTime>(AutoTimestamps.ValueFor(entityType.FindProperty("UpdatedAt")!, now)));
        Assert.Equal(StartMs,
            Assert.IsType<DateTimeOffset>(AutoTimestamps.ValueFor(entityType.FindProperty("LastTouched")!, now)).UtcDateTime);
    }
}

public class BadTimestamp
{
    public ObjectId Id { get; set; }

    [AutoNow]
    public string When { get; set; } = "";
}

public class BadTimestampContext(DbContextOptions<BadTimestampContext> options) : DbContext(options)
{
    public DbSet<BadTimestamp> Items => Set<BadTimestamp>();
}

public sealed class BadTimestampTests
{
    [Fact]
    public void Auto_now_on_a_property_that_is_not_a_time_fails_the_model()
    {
        var options = new DbContextOptionsBuilder<BadTimestampContext>().UseTabernacle("mongodb://127.0.0.1:1", "unused").Options;
        using var db = new BadTimestampContext(options);
        var error = Assert.Throws<InvalidOperationException>(() => db.Model);
        Assert.Contains("BadTimestamp.When", error.Message);
    }
}
