using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Compatibility;

public class Ticket
{
    public int Id { get; set; }

    public string Title { get; set; } = "";

    public List<TicketComment> Comments { get; set; } = [];
}

public class TicketComment
{
    public long Id { get; set; }

    public int TicketId { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>A generic entity type with a composite key, as Identity's login and token types are.</summary>
public class Grant<TKey>
{
    public TKey Owner { get; set; } = default!;

    public string Scope { get; set; } = "";

    public string? Note { get; set; }
}

public class KeysContext(DbContextOptions<KeysContext> options) : DbContext(options)
{
    public DbSet<Ticket> Tickets => Set<Ticket>();

    public DbSet<TicketComment> Comments => Set<TicketComment>();

    public DbSet<Grant<string>> Grants => Set<Grant<string>>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Grant<string>>().HasKey(g => new { g.Owner, g.Scope });
}

/// <summary>Integer keys generated from a counter document, and composite keys stored and queried as a document in _id.</summary>
public sealed class StoreGeneratedKeyTests : ProviderTestBase<KeysContext>
{
    [Fact]
    public async Task Integer_keys_get_distinct_values_and_dependents_get_their_principal_s_key()
    {
        await using (var db = CreateContext())
        {
            db.Tickets.Add(new Ticket { Title = "a", Comments = [new TicketComment { Text = "x" }, new TicketComment { Text = "y" }] });
            db.Tickets.Add(new Ticket { Title = "b" });
            await db.SaveChangesAsync();
        }

        await using (var db = CreateContext())
        {
            db.Tickets.Add(new Ticket { Title = "c" });
            db.SaveChanges();
        }

        await using var check = CreateContext();
        var tickets = await check.Tickets.OrderBy(t => t.Title).ToListAsync();
        Assert.Equal([1, 2, 3], tickets.Select(t => t.Id));
        var comments = await check.Comments.OrderBy(c => c.Id).ToListAsync();
        Assert.Equal([1L, 2L], comments.Select(c => c.Id));
        Assert.All(comments, c => Assert.Equal(tickets[0].Id, c.TicketId));
        var counter = await RawCollection("__tabernacle_counters").Find(new BsonDocument("_id", "tickets")).SingleAsync();
        Assert.Equal(3L, counter["next"].AsInt64);
    }

    [Fact]
    public async Task An_explicit_key_is_kept()
    {
        await using (var db = CreateContext())
        {
            db.Tickets.Add(new Ticket { Id = 500, Title = "explicit" });
            await db.SaveChangesAsync();
        }

        await using var check = CreateContext();
        Assert.Equal(500, (await check.Tickets.SingleAsync(t => t.Title == "explicit")).Id);
    }

    [Fact]
    public async Task Concurrent_saves_from_separate_clients_never_share_a_key()
    {
        // Separate clients stand for separate processes: only the server-side counter can keep their keys apart.
        const int Writers = 4;
        const int PerWriter = 10;
        var saves = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var options = new DbContextOptionsBuilder<KeysContext>()
                    .UseTabernacle(Backend.CreateClient(), DatabaseName).Options;
                await using var db = new KeysContext(options);
                db.Tickets.Add(new Ticket { Title = $"{w}-{i}" });
                await db.SaveChangesAsync();
            }
        }));
        await Task.WhenAll(saves);

        var ids =
            await RawCollection("tickets").Find(FilterDefinition<BsonDocument>.Empty).Project(new BsonDocument("_id", 1)).ToListAsync();
        Assert.Equal(Writers * PerWriter, ids.Select(d => d["_id"].AsInt32).Distinct().Count());
    }

    [Fact]
    public async Task A_composite_key_is_a_document_in_id_and_a_projection_of_its_parts_reads_the_whole_id()
    {
        await using (var db = CreateContext())
        {
            db.Grants.Add(new Grant<string> { Owner = "u1", Scope = "read", Note = "n" });
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("grants").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Equal(new BsonDocument { { "Owner", "u1" }, { "Scope", "read" } }, stored["_id"]);

        await using var check = CreateContext();
        var query = check.Grants.Where(g => g.Owner == "u1").Select(g => new { g.Scope, g.Note });
        Assert.Equal("""db.grants.find({ "_id.Owner" : { "$eq" : "u1" } }, { "Note" : 1, "_id" : 1 })""", query.ToQueryString());
        Assert.Equal(new { Scope = "read", Note = (string?)"n" }, await query.SingleAsync());
        Assert.NotNull(await check.Grants.FindAsync("u1", "read"));
    }
}
