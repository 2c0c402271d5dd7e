using Microsoft.Extensions.Time.Testing;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.Testing;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// The set's timers run on <see cref="ReplicaSetEmulatorOptions.TimeProvider"/>: a test advances a fake clock through
/// mongod's real time scales (a 10 s election timeout, an hour of TTL, a minute of transaction lifetime, a delayed
/// secondary) instead of waiting them out, and what must not happen yet provably has not, because its timer has not fired.
/// </summary>
public sealed class FakeClockTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private MongoReplicaSetEmulator _emulator = null!;
    private MongoClient _client = null!;

    public async Task InitializeAsync()
    {
        var delayed = new EmulatorMemberOptions { Priority = 0, ReplicationDelay = TimeSpan.FromHours(1) };
        _emulator = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions
        {
            Members = 4,
            TimeProvider = _clock,
            ElectionTimeout = TimeSpan.FromSeconds(10),
            DefaultReplicationDelay = TimeSpan.Zero,
            MemberOptions = { new(), new(), new(), delayed },
        });
        var settings = MongoClientSettings.FromConnectionString(_emulator.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        settings.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
        _client = new MongoClient(settings);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
    }

    // A background job re-arms its timer after each tick, relative to the clock's time then; advancing a step at a time
    // while waiting means a timer armed late still comes due.
    private Task AdvanceUntilAsync(Func<Task<bool>> condition, TimeSpan step, string because) =>
        Polling.WaitUntilAsync(async () =>
        {
            if (await condition())
            {
                return true;
            }

            _clock.Advance(step);
            return false;
        }, because: because);

    private long TtlSweeps() => _emulator.TtlMonitor.Passes;

    private IMongoCollection<BsonDocument> Collection(string name) => _client.GetDatabase("clock").GetCollection<BsonDocument>(name);

    [Fact]
    public async Task A_new_primary_is_elected_once_the_clock_passes_the_election_timeout()
    {
        var old = _emulator.Primary!;
        await old.StopAsync();
        Assert.Null(_emulator.Primary);

        // Nine seconds of a ten-second timeout: the monitor looks at the clock on every pass and must not elect.
        _clock.Advance(TimeSpan.FromSeconds(9));
        var passes = _emulator.Members[0].Member.Set.MonitorPasses;
        await Polling.WaitUntilAsync(() => _emulator.Members[0].Member.Set.MonitorPasses > passes + 2, because: "the monitor ran");
        Assert.Null(_emulator.Primary);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var primary = await _emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(15));
        Assert.NotEqual(old.Host, primary.Host);
        Assert.NotEqual(_emulator.Members[3].Host, primary.Host);
    }

    [Fact]
    public async Task A_ttl_index_of_an_hour_removes_a_document_once_the_clock_passes_the_hour()
    {
        var sessions = Collection("sessions");
        await sessions.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(
            new BsonDocument("at", 1), new CreateIndexOptions { ExpireAfter = TimeSpan.FromHours(1) }));
        await sessions.InsertOneAsync(new BsonDocument { { "_id", "s" }, { "at", _clock.GetUtcNow().UtcDateTime } });

        // The monitor sweeps every second of the set's clock; 59 minutes in, the document is not expired yet.
        _clock.Advance(TimeSpan.FromMinutes(59));
        var swept = TtlSweeps();
        await AdvanceUntilAsync(() => Task.FromResult(TtlSweeps() > swept), TimeSpan.FromMilliseconds(100), "a TTL pass before the hour");
        Assert.Single(_emulator.Primary!.GetDocuments("clock", "sessions"));

        _clock.Advance(TimeSpan.FromMinutes(1));
        await AdvanceUntilAsync(async () => await sessions.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty) == 0,
            TimeSpan.FromSeconds(1), "the TTL pass after the hour removes the document");
        Assert.Empty(_emulator.Primary!.GetDocuments("clock", "sessions"));
    }

    [Fact]
    public async Task A_transaction_idle_past_its_sixty_second_lifetime_is_aborted()
    {
        await Collection("accounts").InsertOneAsync(new BsonDocument("_id", "a"));
        using var session = await _client.StartSessionAsync();
        session.StartTransaction();
        await Collection("accounts").UpdateOneAsync(session, new BsonDocument("_id", "a"),
            new BsonDocument("$set", new BsonDocument("x", 1)));
        var transactions = _emulator.Primary!.Member.Transactions;

        // The reaper wakes every 30 s of the set's clock; at 59 s the transaction is still inside its 60 s.
        _clock.Advance(TimeSpan.FromSeconds(59));
        var wakeups = _emulator.TransactionReaper.Wakeups;
        Assert.Equal(1, transactions.OpenCount);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await AdvanceUntilAsync(() => Task.FromResult(transactions.ExpiredAborts >= 1), TimeSpan.FromSeconds(5),
            "the reaper aborts the expired transaction");
        Assert.True(_emulator.TransactionReaper.Wakeups > wakeups);
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => session.CommitTransactionAsync());
        Assert.Equal(251, error.Code);
    }

    [Fact]
    public async Task A_secondary_delayed_by_an_hour_applies_a_write_once_the_clock_passes_the_hour()
    {
        var delayed = _emulator.Members[3];
        await Collection("events").WithWriteConcern(new WriteConcern(3)).InsertOneAsync(new BsonDocument("_id", 1));

        // The three undelayed members have the write (w:3 acknowledged it); the delayed one must wait its hour.
        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Empty(delayed.GetDocuments("clock", "events"));

        _clock.Advance(TimeSpan.FromMinutes(1));
        await AdvanceUntilAsync(() => Task.FromResult(delayed.GetDocuments("clock", "events").Count == 1), TimeSpan.FromSeconds(1),
            "the delayed secondary applies the write after its hour");
    }

    [Fact]
    public async Task An_idle_set_keeps_the_reaper_asleep_until_its_period_or_a_new_limit()
    {
        var reaper = _emulator.TransactionReaper;
        var before = reaper.Wakeups;

        // With the default 60 s limit the job sleeps 30 s between passes: 29 s of the set's clock must not wake it.
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(before, reaper.Wakeups);

        // A new limit wakes it at once, without the clock moving; then it sleeps its new period (1 s).
        using var raw = await TestSupport.RawCommandClient.ConnectAsync(_emulator.Primary!.Port);
        await raw.RunAsync(new BsonDocument { { "setParameter", 1 }, { "transactionLifetimeLimitSeconds", 2 } });
        await Polling.WaitUntilAsync(() => reaper.Wakeups > before, because: "the new limit wakes the reaper");
        var woken = reaper.Wakeups;
        await AdvanceUntilAsync(() =>
            Task.FromResult(reaper.Wakeups > woken), TimeSpan.FromMilliseconds(250), "the reaper's next 1 s pass");
    }

    [Fact]
    public async Task CurrentOp_times_an_idle_transaction_on_the_sets_clock()
    {
        // The lifetime limit is raised before the transaction starts (its expiry is fixed then), so the reaper leaves it.
        var admin = _client.GetDatabase("admin");
        await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "setParameter", 1 }, { "transactionLifetimeLimitSeconds", 3600 } });
        using var session = await _client.StartSessionAsync();
        session.StartTransaction();
        await Collection("open").InsertOneAsync(session, new BsonDocument("_id", 1));

        // Five seconds of the set's clock (below the 10 s election timeout, so the primary and its transaction stay).
        _clock.Advance(TimeSpan.FromSeconds(5));
        var reply = await admin.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "currentOp", 1 }, { "type", "idleSession" }, { "$ownOps", true } });

        var idle = Assert.Single(reply["inprog"].AsBsonArray, r => r["type"] == "idleSession");
        var open = TimeSpan.FromTicks(idle["transaction"]["timeOpenMicros"].AsInt64 * 10);
        Assert.InRange(open, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6));
        await session.AbortTransactionAsync();
    }
}
