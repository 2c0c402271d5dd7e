using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using Tabernacle.EfCore.Diagnostics;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Compatibility;

public class Writer
{
    public ObjectId Id { get; set; }

    public string Name { get; set; } = "";

    public List<Novel> Novels { get; set; } = [];
}

/// <summary>Has a key of its own, but no DbSet: the convention embeds it in its writer's documents.</summary>
public class Novel
{
    public int Id { get; set; }

    public string Title { get; set; } = "";
}

public class WriterContext(DbContextOptions<WriterContext> options) : DbContext(options)
{
    public DbSet<Writer> Writers => Set<Writer>();
}

public class ExplicitWriterContext(DbContextOptions<ExplicitWriterContext> options) : DbContext(options)
{
    public DbSet<Writer> Writers => Set<Writer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Writer>().OwnsMany(w => w.Novels);
}

/// <summary>An entity type owned by convention where the user probably meant a collection gets a warning that says how to choose.</summary>
public sealed class OwnedByConventionTests : ProviderTestBase<WriterContext>
{
    [Fact]
    public async Task The_model_warns_with_the_choices_and_embedding_still_works()
    {
        // One warning per model: EF Core may validate the design-time and the runtime model apart, each logging it.
        var warnings = Logs.Entries.Where(e => e.EventId == TabernacleEventId.OwnedByConventionWarning).ToList();
        Assert.NotEmpty(warnings);
        var warning = Assert.Single(warnings.DistinctBy(w => (w.Level, w.Message)));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("'Novel' has a key property of its own but is owned by convention", warning.Message, StringComparison.Ordinal);
        Assert.Contains("DbSet<Novel>", warning.Message, StringComparison.Ordinal);
        Assert.Contains("OwnsMany", warning.Message, StringComparison.Ordinal);

        await using (var db = CreateContext())
        {
            db.Writers.Add(new Writer { Name = "w", Novels = [new Novel { Id = 1, Title = "t" }] });
            await db.SaveChangesAsync();
        }

        await using var check = CreateContext();
        Assert.Equal("t", (await check.Writers.SingleAsync()).Novels.Single().Title);
    }

    [Fact]
    public void An_explicit_OwnsMany_is_not_warned_about()
    {
        var lines = new List<string>();
        var options = new DbContextOptionsBuilder<ExplicitWriterContext>()
            .UseTabernacle(Backend.ConnectionString, DatabaseName)
            .LogTo(lines.Add, LogLevel.Warning)
            .Options;
        using var db = new ExplicitWriterContext(options);
        _ = db.Model;
        Assert.DoesNotContain(lines, l => l.Contains("OwnedByConventionWarning", StringComparison.Ordinal));
    }
}
