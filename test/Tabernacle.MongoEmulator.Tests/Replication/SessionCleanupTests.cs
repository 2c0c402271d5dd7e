using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// Ending or killing a session, or leaving its transaction idle past <c>transactionLifetimeLimitSeconds</c>, aborts
/// the transaction and frees the documents it held, as on mongod.
/// </summary>
public sealed class SessionCleanupTests : EmulatorTestBase
{
    private const string Db = "cleanup";

    private IMongoCollection<BsonDocument> Accounts => Client.GetDatabase(Db).GetCollection<BsonDocument>("accounts");

    /// <summary>Starts a transaction on a new session that updates account 'a', holding its lock.</summary>
    private async Task<IClientSessionHandle> HoldAccountAsync()
    {
        await Accounts.InsertOneAsync(Doc("{ _id: 'a', balance: 100 }"));
        var session = await Client.StartSessionAsync();
        session.StartTransaction();
        var filter = Builders<BsonDocument>.Filter.Eq("_id", "a");
        await Accounts.UpdateOneAsync(session, filter, Builders<BsonDocument>.Update.Inc("balance", -30));
        Assert.Equal(1, Emulator.Primary!.Member.Transactions.OpenCount);
        return session;
    }

    /// <summary>
    /// An update of 'a' outside any transaction: it succeeds at once when nothing holds the document; while a
    /// transaction holds it, it waits and gives up at maxTimeMS with a write error, so a regression fails instead of hanging.
    /// </summary>
    private async Task AssertOutsideUpdateSucceedsPromptlyAsync()
    {
        var update = Doc("{ update: 'accounts', updates: [ { q: { _id: 'a' }, u: { $set: { balance: 1 } } } ], maxTimeMS: 2000 }");
        var reply = await Client.GetDatabase(Db).RunCommandAsync<BsonDocument>(update);
        Assert.False(reply.Contains("writeErrors"), reply.ToJson());
        Assert.Equal(1, reply["nModified"].AsInt32);
    }

    private static async Task AssertCommitAnswersNoSuchTransactionAsync(IClientSessionHandle session)
    {
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => session.CommitTransactionAsync());
        Assert.Equal(251, error.Code);
    }

    [Theory]
    [InlineData("endSessions")]
    [InlineData("killSessions")]
    public async Task Ending_or_killing_a_session_aborts_its_transaction_and_frees_its_documents(string command)
    {
        using var session = await HoldAccountAsync();
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var reply = await raw.RunAsync(new BsonDocument(command, new BsonArray { session.ServerSession.Id }));
        Assert.Equal(1.0, reply["ok"].ToDouble());
        Assert.Equal(0, Emulator.Primary!.Member.Transactions.OpenCount);

        await AssertOutsideUpdateSucceedsPromptlyAsync();
        await AssertCommitAnswersNoSuchTransactionAsync(session);
        Assert.Equal(1, (await Accounts.Find(Builders<BsonDocument>.Filter.Eq("_id", "a")).SingleAsync())["balance"].AsInt32);
    }

    [Theory]
    [InlineData("{ killAllSessions: [] }")]
    [InlineData("{ killSessions: [] }")]
    public async Task Killing_all_sessions_aborts_every_open_transaction(string command)
    {
        using var session = await HoldAccountAsync();
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        Assert.Equal(1.0, (await raw.RunAsync(Doc(command)))["ok"].ToDouble());

        await AssertOutsideUpdateSucceedsPromptlyAsync();
        await AssertCommitAnswersNoSuchTransactionAsync(session);
    }

    [Theory]
    [InlineData("{ killAllSessions: [ { user: 'nobody', db: 'admin' } ] }")]
    [InlineData("{ killSessions: [ { id: UUID('00000000-0000-4000-8000-000000000000') } ] }")]
    [InlineData("{ endSessions: [ { id: UUID('00000000-0000-4000-8000-000000000000') } ] }")]
    public async Task Killing_other_sessions_leaves_the_transaction_alone(string command)
    {
        using var session = await HoldAccountAsync();
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        Assert.Equal(1.0, (await raw.RunAsync(Doc(command)))["ok"].ToDouble());

        Assert.Equal(1, Emulator.Primary!.Member.Transactions.OpenCount);
        await session.CommitTransactionAsync();
        Assert.Equal(70, (await Accounts.Find(Builders<BsonDocument>.Filter.Eq("_id", "a")).SingleAsync())["balance"].AsInt32);
    }

    [Fact]
    public async Task An_idle_transaction_past_its_lifetime_is_aborted_by_the_reaper_without_the_session_returning()
    {
        var transactions = Emulator.Primary!.Member.Transactions;
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);

        // From the default 60 s the reaper sleeps 30 s between passes; the new limit must wake it, not wait for that.
        var set = await raw.RunAsync(Doc("{ setParameter: 1, transactionLifetimeLimitSeconds: 1 }"));
        Assert.Equal(60, set["was"].AsInt32);
        using var session = await HoldAccountAsync();

        await WaitUntilAsync(() => transactions.ExpiredAborts >= 1, TimeSpan.FromSeconds(8), "the reaper aborts the expired transaction");
        Assert.Equal(0, transactions.OpenCount);
        await AssertOutsideUpdateSucceedsPromptlyAsync();
        await AssertCommitAnswersNoSuchTransactionAsync(session);
    }

    [Fact]
    public async Task A_transaction_keeps_the_lifetime_it_started_with()
    {
        // As mongod's transactionExpireDate: fixed at the start, so a later, shorter limit does not cut it short.
        using var session = await HoldAccountAsync();
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        await raw.RunAsync(Doc("{ setParameter: 1, transactionLifetimeLimitSeconds: 1 }"));
        var transactions = Emulator.Primary!.Member.Transactions;

        // A second transaction started under the 1 s limit shows when the reaper has run past it.
        using var later = await Client.StartSessionAsync();
        later.StartTransaction();
        await Accounts.InsertOneAsync(later, Doc("{ _id: 'b' }"));
        await WaitUntilAsync(() => transactions.ExpiredAborts >= 1, TimeSpan.FromSeconds(8), "the reaper aborts the short transaction");

        Assert.Equal(1, transactions.OpenCount);
        await session.CommitTransactionAsync();
    }

    [Theory]
    [InlineData(60, 30)]
    [InlineData(1, 1)]
    [InlineData(3, 1.5)]
    [InlineData(600, 60)]
    public void The_reaper_runs_every_half_lifetime_between_one_and_sixty_seconds(int lifetimeSeconds, double periodSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(periodSeconds), TransactionReaper.Period(TimeSpan.FromSeconds(lifetimeSeconds)));
    }
}
