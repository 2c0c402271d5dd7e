using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

public sealed class TransactionTests : EmulatorTestBase
{
    private IMongoCollection<BsonDocument> Accounts => Client.GetDatabase("bank").GetCollection<BsonDocument>("accounts");

    private async Task SeedAsync()
    {
        await Accounts.InsertManyAsync([Doc("{ _id: 'a', balance: 100 }"), Doc("{ _id: 'b', balance: 50 }")]);
    }

    private static FilterDefinition<BsonDocument> Id(string id) => Builders<BsonDocument>.Filter.Eq("_id", id);

    [Fact]
    public async Task Writes_are_invisible_to_others_until_commit()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.UpdateOneAsync(session, Id("a"), Builders<BsonDocument>.Update.Inc("balance", -30));
        await Accounts.UpdateOneAsync(session, Id("b"), Builders<BsonDocument>.Update.Inc("balance", 30));
        await Accounts.InsertOneAsync(session, Doc("{ _id: 'c', balance: 0 }"));

        // Inside: the transaction sees its own writes. Outside: nothing yet (no dirty reads).
        Assert.Equal(70, (await Accounts.Find(session, Id("a")).SingleAsync())["balance"].AsInt32);
        Assert.Equal(100, (await Accounts.Find(Id("a")).SingleAsync())["balance"].AsInt32);
        Assert.Equal(2, await Accounts.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        await session.CommitTransactionAsync();
        Assert.Equal(70, (await Accounts.Find(Id("a")).SingleAsync())["balance"].AsInt32);
        Assert.Equal(80, (await Accounts.Find(Id("b")).SingleAsync())["balance"].AsInt32);
        Assert.Equal(3, await Accounts.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task A_committed_transaction_replicates_to_every_member_as_one_unit()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction(new TransactionOptions(writeConcern: WriteConcern.WMajority));
        await Accounts.DeleteOneAsync(session, Id("a"));
        await Accounts.InsertOneAsync(session, Doc("{ _id: 'z', balance: 1 }"));
        await session.CommitTransactionAsync();
        await Emulator.WaitForReplicationAsync();
        Assert.All(Emulator.Members, m =>
            Assert.Equal(["b", "z"], m.GetDocuments("bank", "accounts").Select(d => d["_id"].AsString).Order()));
    }

    [Fact]
    public async Task Abort_discards_every_write()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.InsertOneAsync(session, Doc("{ _id: 'c' }"));
        await Accounts.DeleteOneAsync(session, Id("a"));
        await session.AbortTransactionAsync();
        var ids = (await Accounts.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()).Select(d => d["_id"].AsString).Order();
        Assert.Equal(["a", "b"], ids);
    }

    [Fact]
    public async Task Reads_inside_a_transaction_see_its_snapshot_not_later_outside_writes()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        Assert.Equal(2, (await Accounts.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync()).Count);
        await Accounts.InsertOneAsync(Doc("{ _id: 'outside' }"));
        await Accounts.UpdateOneAsync(Id("b"), Builders<BsonDocument>.Update.Set("balance", 999));
        var inside = await Accounts.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync();
        Assert.Equal(2, inside.Count);
        Assert.Equal(50, inside.Single(d => d["_id"] == "b")["balance"].AsInt32);
        await session.CommitTransactionAsync();
    }

    [Fact]
    public async Task Concurrent_transactions_writing_one_document_conflict_with_a_transient_error()
    {
        await SeedAsync();
        using var first = await Client.StartSessionAsync();
        using var second = await Client.StartSessionAsync();
        first.StartTransaction();
        second.StartTransaction();
        await Accounts.UpdateOneAsync(first, Id("a"), Builders<BsonDocument>.Update.Inc("balance", 1));
        var conflict =
            await Assert.ThrowsAsync<MongoCommandException>(() =>
                Accounts.UpdateOneAsync(second, Id("a"), Builders<BsonDocument>.Update.Inc("balance", 1)));
        Assert.Equal(112, conflict.Code);
        Assert.True(conflict.HasErrorLabel("TransientTransactionError"));
        await first.CommitTransactionAsync();
        Assert.Equal(101, (await Accounts.Find(Id("a")).SingleAsync())["balance"].AsInt32);
    }

    [Fact]
    public async Task A_write_outside_a_transaction_waits_for_the_transaction_that_holds_its_document()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.UpdateOneAsync(session, Id("a"), Builders<BsonDocument>.Update.Inc("balance", -30));

        // As in MongoDB: the outside write neither aborts the transaction nor overwrites it; it waits for the commit,
        // then applies to the committed document.
        var outside = Accounts.UpdateOneAsync(Id("a"), Builders<BsonDocument>.Update.Inc("balance", 1));
        await WaitUntilAsync(() =>
            Emulator.Primary!.Member.Transactions.WaitingWrites > 0 || outside.IsCompleted,
                because: "the outside write reaches the server");
        Assert.False(outside.IsCompleted);

        await session.CommitTransactionAsync();
        Assert.Equal(1, (await outside).ModifiedCount);
        Assert.Equal(71, (await Accounts.Find(Id("a")).SingleAsync())["balance"].AsInt32);
    }

    [Fact]
    public async Task A_waiting_outside_write_gives_up_at_its_maxTimeMS_and_the_transaction_still_commits()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.DeleteOneAsync(session, Id("b"));

        var command = Doc("{ update: 'accounts', updates: [ { q: { _id: 'b' }, u: { $set: { balance: 0 } } } ], maxTimeMS: 200 }");
        // Like MongoDB, the expiry of a statement is a write error of the batch (MaxTimeMSExpired, 50).
        var reply = await Client.GetDatabase("bank").RunCommandAsync<BsonDocument>(command);
        Assert.Equal(50, reply["writeErrors"][0]["code"].AsInt32);
        Assert.Equal(0, reply["nModified"].AsInt32);

        await session.CommitTransactionAsync();
        Assert.Equal(["a"], (await Accounts.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()).Select(d => d["_id"].AsString));
    }

    [Fact]
    public async Task An_outside_insert_of_an_id_a_transaction_inserted_waits_then_fails_as_a_duplicate()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.InsertOneAsync(session, Doc("{ _id: 'c', balance: 1 }"));

        var outside = Accounts.InsertOneAsync(Doc("{ _id: 'c', balance: 2 }"));
        await WaitUntilAsync(() =>
            Emulator.Primary!.Member.Transactions.WaitingWrites > 0 || outside.IsCompleted,
                because: "the outside write reaches the server");
        Assert.False(outside.IsCompleted);

        await session.CommitTransactionAsync();
        var duplicate = await Assert.ThrowsAsync<MongoWriteException>(() => outside);
        Assert.Equal(ServerErrorCategory.DuplicateKey, duplicate.WriteError.Category);
        Assert.Equal(1, (await Accounts.Find(Id("c")).SingleAsync())["balance"].AsInt32);
    }

    [Fact]
    public async Task A_document_changed_outside_after_the_snapshot_conflicts_when_the_transaction_writes_it()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.Find(session, Id("a")).SingleAsync();
        await Accounts.UpdateOneAsync(Id("a"), Builders<BsonDocument>.Update.Set("balance", 0));
        var conflict =
            await Assert.ThrowsAsync<MongoCommandException>(() =>
                Accounts.UpdateOneAsync(session, Id("a"), Builders<BsonDocument>.Update.Inc("balance", 5)));
        Assert.Equal(112, conflict.Code);
        Assert.True(conflict.HasErrorLabel("TransientTransactionError"));

        // The server aborted the transaction: its later commands answer NoSuchTransaction.
        var gone = await Assert.ThrowsAsync<MongoCommandException>(() => Accounts.InsertOneAsync(session, Doc("{ _id: 'late' }")));
        Assert.Equal(251, gone.Code);
        Assert.Equal(0, (await Accounts.Find(Id("a")).SingleAsync())["balance"].AsInt32);
    }

    [Fact]
    public async Task WithTransaction_retries_a_conflicting_transaction_until_it_commits()
    {
        await SeedAsync();
        using var blocker = await Client.StartSessionAsync();
        blocker.StartTransaction();
        await Accounts.UpdateOneAsync(blocker, Id("a"), Builders<BsonDocument>.Update.Inc("balance", 1000));

        using var session = await Client.StartSessionAsync();
        var attempts = 0;
        await session.WithTransactionAsync(async (s, ct) =>
        {
            if (++attempts == 2)
            {
                // The blocker gives up after the first conflict, so the retry succeeds.
                await blocker.AbortTransactionAsync(ct);
            }

            await Accounts.UpdateOneAsync(s, Id("a"), Builders<BsonDocument>.Update.Inc("balance", -10), cancellationToken: ct);
            return 0;
        });
        Assert.True(attempts >= 2);
        Assert.Equal(90, (await Accounts.Find(Id("a")).SingleAsync())["balance"].AsInt32);
    }

    [Fact]
    public async Task A_step_down_aborts_open_transactions()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.InsertOneAsync(session, Doc("{ _id: 'lost' }"));
        await Emulator.StepDownAsync();
        var error = await Assert.ThrowsAnyAsync<MongoException>(() => session.CommitTransactionAsync());
        Assert.True(error is MongoCommandException { Code: 251 } || error.HasErrorLabel("TransientTransactionError")
            || error.HasErrorLabel("UnknownTransactionCommitResult"), error.ToString());
        Assert.Equal(0, await Accounts.CountDocumentsAsync(Id("lost")));
    }

    [Fact]
    public async Task A_commit_whose_write_concern_times_out_reports_an_unknown_commit_result()
    {
        await SeedAsync();
        foreach (var secondary in Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            secondary.PauseReplication();
        }

        using var session = await Client.StartSessionAsync();
        session.StartTransaction(
            new TransactionOptions(
                writeConcern: new WriteConcern(WriteConcern.WValue.Parse("majority"), wTimeout: TimeSpan.FromMilliseconds(200))));
        await Accounts.InsertOneAsync(session, Doc("{ _id: 'slow' }"));
        var error = await Assert.ThrowsAnyAsync<MongoException>(() => session.CommitTransactionAsync());
        Assert.True(error.HasErrorLabel("UnknownTransactionCommitResult"), error.ToString());

        // The commit applied on the primary; only its durability is unknown.
        Assert.Single(Emulator.Primary!.GetDocuments("bank", "accounts"), d => d["_id"] == "slow");
    }

    [Fact]
    public async Task Commands_that_cannot_run_in_a_transaction_are_refused()
    {
        await SeedAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        var error =
            await Assert.ThrowsAsync<MongoCommandException>(() =>
                Client.GetDatabase("bank").RunCommandAsync<BsonDocument>(session, Doc("{ count: 'accounts' }")));
        Assert.Equal(263, error.Code);
        await session.AbortTransactionAsync();
    }

    [Fact]
    public async Task A_transaction_older_than_the_lifetime_limit_is_aborted()
    {
        await SeedAsync();
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        Assert.Equal(1.0, (await raw.RunAsync(Doc("{ setParameter: 1, transactionLifetimeLimitSeconds: 1 }")))["ok"].ToDouble());
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Accounts.InsertOneAsync(session, Doc("{ _id: 'expiring' }"));
        var primary = Emulator.Primary!;
        await WaitUntilAsync(() =>
            primary.Member.Transactions.OpenCount == 0, TimeSpan.FromSeconds(10), "the TTL monitor aborts expired transactions");
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => session.CommitTransactionAsync());
        Assert.Equal(251, error.Code);
    }
}
