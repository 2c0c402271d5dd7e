using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using Tabernacle.EfCore.Diagnostics;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Update;

[Index(nameof(Sku), IsUnique = true)]
public class Item
{
    public ObjectId Id { get; set; }

    public string Sku { get; set; } = "";

    public string? Name { get; set; }

    public int Quantity { get; set; }

    public List<string> Tags { get; set; } = [];

    public Size? Size { get; set; }

    public List<Note> Notes { get; set; } = [];
}

public class Size
{
    public double Width { get; set; }

    public double Height { get; set; }
}

public class Note
{
    public string Text { get; set; } = "";
}

public class Account
{
    [Key]
    public string Email { get; set; } = "";

    public string Name { get; set; } = "";

    [ConcurrencyCheck]
    public int Loyalty { get; set; }

    [Timestamp]
    public long Version { get; set; }
}

public class UpdateContext(DbContextOptions<UpdateContext> options) : DbContext(options)
{
    public DbSet<Item> Items => Set<Item>();

    public DbSet<Account> Accounts => Set<Account>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Account>().Property(a => a.Version).IsRowVersion();
}

public sealed class SaveChangesTests : ProviderTestBase<UpdateContext>
{
    private IMongoCollection<BsonDocument> Items => RawCollection("items");

    private IMongoCollection<BsonDocument> Accounts => RawCollection("accounts");

    private UpdateContext Sensitive() => CreateContext(core: b => b.EnableSensitiveDataLogging());

    private List<string> ExecutedMql(string collection) =>
        Logs.Entries.Where(e =>
            e.EventId == TabernacleEventId.CommandExecuted && e.Message.Contains($".{collection} ", StringComparison.Ordinal)).Select(e =>
                e.Message).ToList();

    private async Task<Item> SeedItemAsync(string sku = "A-1")
    {
        await using var db = CreateContext();
        var item =
            new Item { Sku = sku, Name = "anvil", Quantity = 3, Tags = ["iron"], Size = new Size { Width = 1, Height = 2 },
                Notes = [new Note { Text = "heavy" }] };
        db.Items.Add(item);
        await db.SaveChangesAsync();
        return item;
    }

    [Fact]
    public async Task Added_entities_are_inserted_whole()
    {
        var item = await SeedItemAsync();
        var stored = await Items.Find(new BsonDocument("_id", item.Id)).SingleAsync();
        Assert.Equal("A-1", stored["Sku"].AsString);
        Assert.Equal(3, stored["Quantity"].AsInt32);
        Assert.Equal(new BsonArray { "iron" }, stored["Tags"]);
        Assert.Equal(2.0, stored["Size"]["Height"].AsDouble);
        Assert.Equal("heavy", stored["Notes"][0]["Text"].AsString);
    }

    [Fact]
    public async Task Modified_entities_set_only_the_changed_elements()
    {
        var item = await SeedItemAsync();
        await using var db = Sensitive();
        var loaded = await db.Items.SingleAsync(i => i.Id == item.Id);

        // Someone else changes Quantity meanwhile: a $set of only Name leaves their change in place.
        await Items.UpdateOneAsync(new BsonDocument("_id", item.Id), new BsonDocument("$set", new BsonDocument("Quantity", 99)));
        loaded.Name = "big anvil";
        Logs.Clear();
        Assert.Equal(1, await db.SaveChangesAsync());

        var stored = await Items.Find(new BsonDocument("_id", item.Id)).SingleAsync();
        Assert.Equal("big anvil", stored["Name"].AsString);
        Assert.Equal(99, stored["Quantity"].AsInt32);
        var mql = Assert.Single(ExecutedMql("items"));
        Assert.True(mql.Contains("\"updateOne\" : { \"filter\"", StringComparison.Ordinal), mql);
        Assert.Contains("\"updateOne\" : { \"filter\" : { \"_id\" : ObjectId(", mql);
        Assert.Contains("\"update\" : { \"$set\" : { \"Name\" : \"big anvil\" } }", mql);
        Assert.DoesNotContain("Quantity", mql);
        Assert.Equal(EntityState.Unchanged, db.Entry(loaded).State);
    }

    [Fact]
    public async Task Setting_a_value_to_null_stores_null()
    {
        var item = await SeedItemAsync();
        await using var db = CreateContext();
        (await db.Items.SingleAsync()).Name = null;
        await db.SaveChangesAsync();
        Assert.Equal(BsonNull.Value, (await Items.Find(new BsonDocument("_id", item.Id)).SingleAsync())["Name"]);
        await using var read = CreateContext();
        Assert.Equal(1, await read.Items.CountAsync(i => i.Name == null));
    }

    [Fact]
    public async Task A_change_inside_an_owned_document_or_array_rewrites_it_whole()
    {
        var item = await SeedItemAsync();
        await using (var db = Sensitive())
        {
            var loaded = await db.Items.SingleAsync();
            loaded.Size!.Width = 5;
            Logs.Clear();
            await db.SaveChangesAsync();
            var mql = Assert.Single(ExecutedMql("items"));
            Assert.True(mql.Contains("\"$set\" : { \"Size\" : { ", StringComparison.Ordinal), mql);
            Assert.Contains("\"Width\" : 5.0", mql);
            Assert.DoesNotContain("\"Name\"", mql);

            loaded.Notes.Add(new Note { Text = "rusty" });
            loaded.Tags.Add("old");
            Logs.Clear();
            await db.SaveChangesAsync();
            mql = Assert.Single(ExecutedMql("items"));
            Assert.Contains("\"Notes\" : [{ \"Text\" : \"heavy\" }, { \"Text\" : \"rusty\" }]", mql);
            Assert.Contains("\"Tags\" : [\"iron\", \"old\"]", mql);

            loaded.Notes.RemoveAt(0);
            loaded.Size = null;
            await db.SaveChangesAsync();
        }

        var stored = await Items.Find(new BsonDocument("_id", item.Id)).SingleAsync();
        Assert.Equal(BsonNull.Value, stored["Size"]);
        Assert.Equal(new BsonArray { new BsonDocument("Text", "rusty") }, stored["Notes"]);
        Assert.Equal(new BsonArray { "iron", "old" }, stored["Tags"]);
        await using var read = CreateContext();
        var reread = await read.Items.SingleAsync();
        Assert.Null(reread.Size);
        Assert.Equal(["rusty"], reread.Notes.Select(n => n.Text));
    }

    [Fact]
    public async Task Deleted_entities_are_deleted()
    {
        var item = await SeedItemAsync();
        await SeedItemAsync("B-2");
        await using (var db = CreateContext())
        {
            db.Items.Remove(await db.Items.SingleAsync(i => i.Id == item.Id));
            Assert.Equal(1, db.SaveChanges());
        }

        Assert.Equal(["B-2"], (await Items.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()).Select(d => d["Sku"].AsString));
    }

    [Fact]
    public async Task Sync_SaveChanges_inserts_updates_and_deletes()
    {
        using var db = CreateContext();
        var item = new Item { Sku = "S-1", Quantity = 1 };
        db.Add(item);
        Assert.Equal(1, db.SaveChanges());
        item.Quantity = 2;
        Assert.Equal(1, db.SaveChanges());
        Assert.Equal(2, Items.Find(new BsonDocument("_id", item.Id)).Single()["Quantity"].AsInt32);
        db.Remove(item);
        db.SaveChanges();
        Assert.Equal(0, Items.CountDocuments(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task A_thousand_inserts_take_a_handful_of_round_trips()
    {
        var commands = new ConcurrentQueue<string>();
        await using var db =
            CreateContext(o => o.ConfigureClientSettings(s => s.ClusterConfigurator = cb => cb.Subscribe<CommandStartedEvent>(e =>
        {
            if (e.CommandName is not ("hello" or "isMaster" or "buildInfo" or "saslStart" or "saslContinue" or "endSessions"))
            {
                commands.Enqueue(e.CommandName);
            }
        })));
        for (var i = 0; i < 1000; i++)
        {
            db.Items.Add(new Item { Sku = $"bulk-{i}", Quantity = i });
        }

        Assert.Equal(1000, await db.SaveChangesAsync());
        Assert.Equal(1000, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        var inserts = commands.Count(c => c is "insert" or "bulkWrite");
        Assert.InRange(inserts, 1, 3);
        Assert.True(commands.Count <= 5, string.Join(", ", commands));
    }

    [Fact]
    public async Task The_provider_increments_a_numeric_row_version()
    {
        await using var db = CreateContext();
        var account = new Account { Email = "ann@example.com", Name = "Ann" };
        db.Add(account);
        await db.SaveChangesAsync();
        Assert.Equal(1, account.Version);
        Assert.Equal(1L, (await Accounts.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync())["Version"].AsInt64);
        account.Name = "Ann B";
        await db.SaveChangesAsync();
        Assert.Equal(2, account.Version);
        Assert.Equal(2L, (await Accounts.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync())["Version"].AsInt64);
    }

    [Fact]
    public async Task A_stale_row_version_or_concurrency_check_throws_DbUpdateConcurrencyException_with_the_entries()
    {
        await using (var seed = CreateContext())
        {
            seed.AddRange(new Account { Email = "a@x", Name = "A" }, new Account { Email = "b@x", Name = "B", Loyalty = 1 });
            await seed.SaveChangesAsync();
        }

        await using var first = CreateContext();
        await using var second = CreateContext();
        var mine = await first.Accounts.SingleAsync(a => a.Email == "a@x");
        var theirs = await second.Accounts.SingleAsync(a => a.Email == "a@x");
        theirs.Name = "theirs";
        await second.SaveChangesAsync();

        mine.Name = "mine";
        var error = await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => first.SaveChangesAsync());
        Assert.Same(mine, Assert.Single(error.Entries).Entity);
        Assert.Equal(EntityState.Modified, first.Entry(mine).State);
        Assert.Equal("theirs", (await Accounts.Find(new BsonDocument("_id", "a@x")).SingleAsync())["Name"].AsString);

        // [ConcurrencyCheck] alone: someone raised the loyalty (without touching the version) and a delete must not win.
        var other = await first.Accounts.SingleAsync(a => a.Email == "b@x");
        await Accounts.UpdateOneAsync(new BsonDocument("_id", "b@x"), new BsonDocument("$set", new BsonDocument("Loyalty", 5)));
        first.Entry(mine).State = EntityState.Unchanged;
        first.Remove(other);
        var deleteError = await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => first.SaveChangesAsync());
        Assert.Same(other, Assert.Single(deleteError.Entries).Entity);
        Assert.Equal(1, await Accounts.CountDocumentsAsync(new BsonDocument("_id", "b@x")));

        // Reloading resolves it.
        await first.Entry(other).ReloadAsync();
        first.Remove(other);
        await first.SaveChangesAsync();
        Assert.Equal(0, await Accounts.CountDocumentsAsync(new BsonDocument("_id", "b@x")));
    }

    [Fact]
    public async Task A_duplicate_key_names_the_index_and_key_and_keeps_the_changes_tracked()
    {
        await SeedItemAsync("DUP-1");
        await using var db = CreateContext();
        var duplicate = new Item { Sku = "DUP-1", Name = "second" };
        db.Items.Add(duplicate);
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Contains("Sku", error.Message);
        Assert.Contains("unique index", error.Message);

        // The message names the index, never the value: duplicate values are often user names or e-mail addresses.
        Assert.DoesNotContain("DUP-1", error.Message);
        var inner = Assert.IsAssignableFrom<MongoException>(error.InnerException);
        Assert.Contains("E11000", inner.Message);
        Assert.Same(duplicate, Assert.Single(error.Entries).Entity);
        Assert.Equal(EntityState.Added, db.Entry(duplicate).State);

        // Fix and retry: the same tracked entity is saved.
        duplicate.Sku = "DUP-2";
        Assert.Equal(1, await db.SaveChangesAsync());
        Assert.Equal(1, await Items.CountDocumentsAsync(new BsonDocument("Sku", "DUP-2")));
    }

    [Fact]
    public async Task A_duplicate_id_is_a_DbUpdateException_naming_the_id_index()
    {
        await using (var db = CreateContext())
        {
            db.Add(new Account { Email = "dup@x", Name = "one" });
            await db.SaveChangesAsync();
        }

        await using var again = CreateContext();
        again.Add(new Account { Email = "dup@x", Name = "two" });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => again.SaveChangesAsync());
        Assert.Contains("_id_", error.Message);
        Assert.DoesNotContain("dup@x", error.Message);
    }

    [Fact]
    public async Task A_multi_document_save_is_atomic_across_collections()
    {
        await using (var db = CreateContext())
        {
            db.Add(new Account { Email = "taken@x", Name = "first" });
            await db.SaveChangesAsync();
        }

        await using var save = CreateContext();
        save.Items.Add(new Item { Sku = "ATOMIC-1" });
        save.Items.Add(new Item { Sku = "ATOMIC-2" });
        save.Accounts.Add(new Account { Email = "taken@x", Name = "second" });
        Logs.Clear();
        await Assert.ThrowsAsync<DbUpdateException>(() => save.SaveChangesAsync());

        // The items' bulk write ran first and succeeded inside the transaction; the abort took it back.
        Assert.Single(ExecutedMql("items"));
        Assert.Equal(0, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal("first", (await Accounts.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync())["Name"].AsString);
        Assert.Equal(3, save.ChangeTracker.Entries().Count(e => e.State == EntityState.Added));
    }

    [Fact]
    public async Task AutoTransactionBehavior_Never_writes_without_a_transaction()
    {
        await using (var db = CreateContext())
        {
            db.Add(new Account { Email = "taken@x", Name = "first" });
            await db.SaveChangesAsync();
        }

        await using var save = CreateContext();
        save.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
        save.Items.Add(new Item { Sku = "LOOSE-1" });
        save.Accounts.Add(new Account { Email = "taken@x", Name = "second" });
        await Assert.ThrowsAsync<DbUpdateException>(() => save.SaveChangesAsync());
        Assert.Equal(1, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task Explicit_transactions_commit_and_roll_back()
    {
        await using var db = CreateContext();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Items.Add(new Item { Sku = "TX-1" });
            await db.SaveChangesAsync();
            Assert.Equal(0, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
            Assert.Equal(1, await db.Items.CountAsync());
            await transaction.CommitAsync();
        }

        Assert.Equal(1, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        using (var transaction = db.Database.BeginTransaction())
        {
            db.Items.Add(new Item { Sku = "TX-2" });
            db.SaveChanges();
            transaction.Rollback();
        }

        Assert.Equal(["TX-1"], (await Items.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()).Select(d => d["Sku"].AsString));
        Assert.Null(db.Database.CurrentTransaction);

        using (db.Database.BeginTransaction())
        {
            db.Items.Add(new Item { Sku = "TX-3" });
            db.SaveChanges();
            // Disposed without commit: rolled back.
        }

        Assert.Equal(1, await Items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Throws<InvalidOperationException>(() => db.Database.CommitTransaction());
    }
}
