using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

public sealed class GuardrailTests(DedicatedReplicaSet replicaSet) : ReplicaSetTestBase(replicaSet)
{
    [Fact]
    public async Task A_secondary_read_inside_a_transaction_is_refused_before_anything_is_sent()
    {
        await using var db = CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var error =
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.Items.WithReadPreference(ReadPreference.Secondary).ToListAsync());
        Assert.Contains("transaction must read from the primary", error.Message);
    }

    [Fact]
    public async Task Unacknowledged_writes_are_refused_where_an_answer_is_needed()
    {
        await using var db = CreateContext();
        await using (await db.Database.BeginTransactionAsync())
        {
            db.Items.Add(new Item { Name = "x" });
            var inTransaction = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(WriteConcern.Unacknowledged));
            Assert.Contains("w:0", inTransaction.Message);
        }

        db.ChangeTracker.Clear();
        db.Versioned.Add(new Versioned { Revision = 1 });
        var tokens = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(WriteConcern.Unacknowledged));
        Assert.Contains("concurrency tokens", tokens.Message);
        Assert.Throws<InvalidOperationException>(() =>
            db.Database.BeginTransaction(new TransactionOptions(writeConcern: WriteConcern.Unacknowledged)));
    }

    [Fact]
    public void Invalid_read_preferences_name_MongoDBs_rule()
    {
        using var db = CreateContext();
        var primaryWithTags =
            Assert.Throws<ArgumentException>(() =>
                db.Items.WithReadPreference(ReadPreferenceMode.Primary, [new TagSet([new Tag("dc", "x")])]));
        Assert.Contains("cannot have tag sets", primaryWithTags.Message);
        var primaryWithStaleness =
            Assert.Throws<ArgumentException>(() =>
                db.Items.WithReadPreference(ReadPreferenceMode.Primary, maxStaleness: TimeSpan.FromMinutes(5)));
        Assert.Contains("cannot have maxStaleness", primaryWithStaleness.Message);
        var tooFresh =
            Assert.Throws<ArgumentException>(() =>
                db.Items.WithReadPreference(ReadPreferenceMode.Secondary, maxStaleness: TimeSpan.FromSeconds(30)));
        Assert.Contains("at least 90 seconds", tooFresh.Message);
        Assert.Throws<InvalidOperationException>(() =>
            db.Database.BeginTransaction(new TransactionOptions(readPreference: ReadPreference.Secondary)));
    }
}
