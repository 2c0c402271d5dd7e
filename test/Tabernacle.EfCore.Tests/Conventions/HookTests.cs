using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Conventions;

/// <summary>Where hooks write what they saw (one per test, handed to the entities).</summary>
public sealed class Journal
{
    public List<string> Lines { get; } = [];
}

public class Note : IBeforeSave, IAfterSave
{
    public ObjectId Id { get; set; }

    [Required]
    public string Title { get; set; } = "";

    public string? Slug { get; set; }

    [Default(1)]
    public int Revision { get; set; }

    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }

    [NotMapped]
    public Journal? Journal { get; set; }

    public void BeforeSave(EntityState state)
    {
        Journal?.Lines.Add($"{Title}:before:{state}:rev{Revision}:{(CreatedAt == default ? "no-time" : "time")}");
        if (Title == "boom")
        {
            throw new InvalidOperationException("hook refused");
        }

        // A hook may complete the entity: validation runs after it, and a modified entity's change is saved.
        if (Title.Length == 0)
        {
            Title = "untitled";
        }

        Slug = Title.ToLowerInvariant();
    }

    public void AfterSave(EntityState state) => Journal?.Lines.Add($"{Title}:after:{state}");
}

public class AsyncNote : IBeforeSaveAsync, IAfterSaveAsync
{
    public ObjectId Id { get; set; }

    public string Title { get; set; } = "";

    [NotMapped]
    public Journal? Journal { get; set; }

    public async ValueTask BeforeSaveAsync(EntityState state, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Journal?.Lines.Add($"{Title}:before-async:{state}");
    }

    public ValueTask AfterSaveAsync(EntityState state, CancellationToken cancellationToken)
    {
        Journal?.Lines.Add($"{Title}:after-async:{state}");
        return ValueTask.CompletedTask;
    }
}

public class HooksContext(DbContextOptions<HooksContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    public DbSet<AsyncNote> AsyncNotes => Set<AsyncNote>();
}

public sealed class HookTests : ProviderTestBase<HooksContext>
{
    private readonly Journal _journal = new();

    private Task<List<BsonDocument>> StoredAsync() => RawCollection("notes").Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Notes.AddRange(new Note { Title = "C" }, new Note { Title = "D" });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Hooks_run_added_then_modified_then_deleted_in_tracking_order_before_and_after_the_writes()
    {
        await using var db = CreateContext();
        var c = await db.Notes.SingleAsync(n => n.Title == "C");
        var d = await db.Notes.SingleAsync(n => n.Title == "D");
        var a = new Note { Title = "A" };
        var b = new Note { Title = "B" };
        foreach (var note in new[] { a, b, c, d })
        {
            note.Journal = _journal;
        }

        db.Notes.Remove(d);
        c.Title = "C2";
        db.Notes.Add(b);
        db.Notes.Add(a);

        await db.SaveChangesAsync();

        Assert.Equal(
        [
            "B:before:Added:rev1:time", "A:before:Added:rev1:time", "C2:before:Modified:rev1:time", "D:before:Deleted:rev1:time",
            "B:after:Added", "A:after:Added", "C2:after:Modified", "D:after:Deleted",
        ], _journal.Lines);
        var stored = await StoredAsync();
        Assert.Equal(["a", "b", "c2"], stored.Select(s => s["Slug"].AsString).Order());
    }

    [Fact]
    public async Task A_throwing_before_hook_aborts_the_save_with_nothing_written_and_no_after_hooks()
    {
        await using var db = CreateContext();
        var c = await db.Notes.SingleAsync(n => n.Title == "C");
        c.Title = "C3";
        c.Journal = _journal;
        db.Notes.AddRange(new Note { Title = "first", Journal = _journal }, new Note { Title = "boom", Journal = _journal },
            new Note { Title = "never", Journal = _journal });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());

        Assert.Equal("hook refused", error.Message);
        Assert.Equal(["first:before:Added:rev1:time", "boom:before:Added:rev1:time"], _journal.Lines);
        var stored = await StoredAsync();
        Assert.Equal(["C", "D"], stored.Select(s => s["Title"].AsString).Order());
    }

    [Fact]
    public async Task Validation_runs_after_the_hooks_so_a_hook_can_complete_a_required_value()
    {
        await using var db = CreateContext();
        var note = new Note { Title = "", Journal = _journal };
        db.Notes.Add(note);
        db.SaveChanges();
        Assert.Equal(["untitled"], (await StoredAsync()).Where(s => s["_id"] == note.Id).Select(s => s["Title"].AsString));
        Assert.Equal([":before:Added:rev1:time", "untitled:after:Added"], _journal.Lines);
    }

    [Fact]
    public async Task Async_hooks_run_in_SaveChangesAsync()
    {
        await using var db = CreateContext();
        var note = new AsyncNote { Title = "x", Journal = _journal };
        db.AsyncNotes.Add(note);
        await db.SaveChangesAsync();
        note.Title = "y";
        await db.SaveChangesAsync();
        db.AsyncNotes.Remove(note);
        await db.SaveChangesAsync();
        Assert.Equal(
            ["x:before-async:Added", "x:after-async:Added", "y:before-async:Modified", "y:after-async:Modified", "y:before-async:Deleted",
                "y:after-async:Deleted"], _journal.Lines);
    }

    [Fact]
    public async Task Sync_SaveChanges_refuses_async_hooks_before_writing_anything()
    {
        await using var db = CreateContext();
        db.Notes.Add(new Note { Title = "sync", Journal = _journal });
        db.AsyncNotes.Add(new AsyncNote { Title = "x", Journal = _journal });
        var error = Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
        Assert.Contains("SaveChangesAsync", error.Message);
        Assert.Empty(_journal.Lines);
        Assert.Equal(2, (await StoredAsync()).Count);
        Assert.Equal(0, await RawCollection("asyncnotes").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }
}
