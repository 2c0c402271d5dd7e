using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Update.Internal;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

/// <summary>
/// Write concern never weakens silently (issue 15 item 5): a save commits with the strongest effective write concern of
/// the entity types it writes (each its own, else the options builder's default, else the connection string's); the save's
/// own wins outright. Read from the commands on the wire.
/// </summary>
public sealed class WriteConcernRuleTests(DedicatedReplicaSet replicaSet) : ReplicaSetTestBase(replicaSet)
{
    private readonly ConcurrentQueue<(string Command, string WriteConcern)> _wire = new();

    [Fact]
    public async Task A_w1_entity_saved_with_default_majority_entities_commits_with_majority()
    {
        await using var db = CreateRuleContext(o => o.DefaultWriteConcern(WriteConcern.WMajority));
        db.Lines.Add(new LogLine { Text = "audit" });
        db.Items.Add(new Item { Name = "ordinary" });
        await SaveAsync(db, () => db.SaveChangesAsync());

        // insert (startTransaction), insert, commitTransaction: the statements carry none, the commit the strongest.
        Assert.Equal([("insert", "none"), ("insert", "none"), ("commitTransaction", "{ \"w\" : \"majority\" }")], _wire.ToList());
    }

    [Fact]
    public async Task Entities_that_all_ask_for_w1_commit_with_w1()
    {
        await using var db = CreateRuleContext(o => o.DefaultWriteConcern(WriteConcern.WMajority));
        db.Lines.AddRange(new LogLine { Text = "one" }, new LogLine { Text = "two" });
        await SaveAsync(db, () => db.SaveChangesAsync());

        Assert.Equal([("insert", "none"), ("commitTransaction", "{ \"w\" : 1 }")], _wire.ToList());
    }

    [Fact]
    public async Task The_save_write_concern_wins_outright()
    {
        await using var db = CreateRuleContext(o => o.DefaultWriteConcern(WriteConcern.WMajority));
        db.Lines.Add(new LogLine { Text = "audit" });
        db.Items.Add(new Item { Name = "ordinary" });
        db.Audit.Add(new AuditEntry { Message = "majority, 400 ms" });
        await SaveAsync(db, () => db.SaveChangesAsync(WriteConcern.W1));

        Assert.Equal(("commitTransaction", "{ \"w\" : 1 }"), _wire.Last());
    }

    [Fact]
    public async Task The_options_default_beats_the_connection_string()
    {
        var w1 = WithW(ReplicaSet.ConnectionString, "1");
        await using (var db = CreateRuleContext(o => o.DefaultWriteConcern(WriteConcern.WMajority), w1))
        {
            db.Items.Add(new Item { Name = "majority from the options" });
            await SaveAsync(db, () => db.SaveChangesAsync());
            Assert.Equal([("insert", "{ \"w\" : \"majority\" }")], _wire.ToList());
        }

        _wire.Clear();
        await using (var db = CreateRuleContext(connectionString: WithW(ReplicaSet.ConnectionString, "majority")))
        {
            // No options default: the connection string's majority is the ordinary entities' concern, and it beats the w:1 one.
            db.Lines.Add(new LogLine { Text = "audit" });
            db.Items.Add(new Item { Name = "majority from the connection string" });
            await SaveAsync(db, () => db.SaveChangesAsync());
            Assert.Equal(("commitTransaction", "{ \"w\" : \"majority\" }"), _wire.Last());
        }

        _wire.Clear();
        await using (var db = CreateRuleContext(connectionString: w1))
        {
            db.Items.AddRange(new Item { Name = "w1 from the connection string" }, new Item { Name = "and another" });
            await SaveAsync(db, () => db.SaveChangesAsync());
            Assert.Equal(("commitTransaction", "{ \"w\" : 1 }"), _wire.Last());
        }
    }

    [Fact]
    public async Task Without_a_transaction_a_single_document_save_uses_its_entitys_effective_concern()
    {
        await using var db = CreateRuleContext(o => o.DefaultWriteConcern(WriteConcern.WMajority));
        await WarmUpAsync(db);
        _wire.Clear();
        db.Lines.Add(new LogLine { Text = "audit" });
        await db.SaveChangesAsync();
        db.Items.Add(new Item { Name = "ordinary" });
        await db.SaveChangesAsync();
        db.Audit.Add(new AuditEntry { Message = "its own" });
        await db.SaveChangesAsync();

        // The driver sends wtimeout as a double.
        Assert.Equal(
            [
                ("insert", "{ \"w\" : 1 }"),
                ("insert", "{ \"w\" : \"majority\" }"),
                ("insert", "{ \"w\" : \"majority\", \"wtimeout\" : 400.0 }"),
            ],
            _wire.ToList());
    }

    [Fact]
    public async Task Journal_and_the_longest_wtimeout_are_kept()
    {
        await using var db = CreateRuleContext(o => o.DefaultWriteConcern(new WriteConcern(2, wTimeout: TimeSpan.FromSeconds(5))));
        db.Audit.Add(new AuditEntry { Message = "majority, 400 ms" });
        db.Items.Add(new Item { Name = "w:2, 5 s" });
        await SaveAsync(db, () => db.SaveChangesAsync());
        Assert.Equal(("commitTransaction", "{ \"w\" : \"majority\", \"wtimeout\" : 5000.0 }"), _wire.Last());

        // No wtimeout is the longest of all: the journaled w:1 entity waits as long as it takes, so the commit does too.
        db.Journaled.Add(new JournaledLine { Text = "j" });
        db.Audit.Add(new AuditEntry { Message = "majority, 400 ms" });
        db.Items.Add(new Item { Name = "w:2, 5 s" });
        await SaveAsync(db, () => db.SaveChangesAsync());
        Assert.Equal(("commitTransaction", "{ \"w\" : \"majority\", \"j\" : true }"), _wire.Last());
    }

    public static TheoryData<string, string, string> StrongestCases() => new()
    {
        { "{ w: 1 }", "{ w: 'majority' }", "{ \"w\" : \"majority\" }" },
        { "{ w: 3 }", "{ w: 'majority' }", "{ \"w\" : \"majority\" }" },
        { "{ w: 1 }", "{ w: 2 }", "{ \"w\" : 2 }" },
        { "{ w: 0 }", "{ w: 1 }", "{ \"w\" : 1 }" },
        { "{ w: 2 }", "{ }", "{ }" },
        { "{ w: 'dc2' }", "{ w: 3 }", "{ \"w\" : \"dc2\" }" },
        { "{ w: 'dc2' }", "{ w: 'majority' }", "{ \"w\" : \"majority\" }" },
        { "{ w: 'dc2' }", "{ w: 'dc3' }", "{ \"w\" : \"dc2\" }" },
        { "{ w: 1, j: true }", "{ w: 'majority' }", "{ \"w\" : \"majority\", \"j\" : true }" },
        { "{ w: 1, wtimeout: 100 }", "{ w: 1, wtimeout: 300 }", "{ \"w\" : 1, \"wtimeout\" : 300.0 }" },
        { "{ w: 1, wtimeout: 100 }", "{ w: 1 }", "{ \"w\" : 1 }" },
    };

    [Theory]
    [MemberData(nameof(StrongestCases))]
    public void Strongest_compares_setting_by_setting_in_either_order(string a, string b, string expected)
    {
        var first = WriteConcern.FromBsonDocument(BsonDocument.Parse(a));
        var second = WriteConcern.FromBsonDocument(BsonDocument.Parse(b));
        Assert.Equal(expected, SaveChangesOptions.Strongest([first, second]).ToBsonDocument().ToJson());

        // Tags are incomparable with each other: the first one met is kept. Everything else does not depend on the order.
        if (!(first.W is WriteConcern.WMode { Value: not "majority" } && second.W is WriteConcern.WMode { Value: not "majority" }))
        {
            Assert.Equal(expected, SaveChangesOptions.Strongest([second, first]).ToBsonDocument().ToJson());
        }
    }

    private async Task SaveAsync(RuleContext db, Func<Task<int>> save)
    {
        await WarmUpAsync(db);
        _wire.Clear();
        await save();
    }

    // The driver's warm-up reads leave commands on the wire too; only the writes of the save matter here.
    private static async Task WarmUpAsync(RuleContext db) => await db.Items.WithReadPreference(ReadPreference.Primary).CountAsync();

    private static string WithW(string connectionString, string w)
    {
        var url = new MongoUrlBuilder(connectionString) { W = WriteConcern.WValue.Parse(w) };
        return url.ToMongoUrl().ToString();
    }

    private RuleContext CreateRuleContext(Action<TabernacleDbContextOptionsBuilder>? configure = null, string? connectionString = null)
    {
        var builder = new DbContextOptionsBuilder<RuleContext>()
            .UseTabernacle(connectionString ?? ReplicaSet.ConnectionString, DatabaseName, o =>
            {
                o.ConfigureClientSettings(s => s.ClusterConfigurator = cb => cb.Subscribe<CommandStartedEvent>(e =>
                {
                    if (e.CommandName is "insert" or "update" or "delete" or "commitTransaction" or "abortTransaction")
                    {
                        _wire.Enqueue((e.CommandName, e.Command.TryGetValue("writeConcern", out var wc) ? wc.ToJson() : "none"));
                    }
                }));
                configure?.Invoke(o);
            });
        return new RuleContext(builder.Options);
    }
}

[WriteConcern(1)]
public class LogLine
{
    public ObjectId Id { get; set; }

    public string Text { get; set; } = "";
}

[WriteConcern(1, Journal = true)]
public class JournaledLine
{
    public ObjectId Id { get; set; }

    public string Text { get; set; } = "";
}

public class RuleContext(DbContextOptions<RuleContext> options) : DbContext(options)
{
    public DbSet<Item> Items => Set<Item>();

    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    public DbSet<LogLine> Lines => Set<LogLine>();

    public DbSet<JournaledLine> Journaled => Set<JournaledLine>();
}
