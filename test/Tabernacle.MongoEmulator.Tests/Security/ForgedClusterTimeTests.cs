using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Security;

/// <summary>
/// Cluster times a client forges are refused or harmless, as on mongod: a gossiped <c>$clusterTime</c> beyond
/// <c>maxAcceptableLogicalClockDriftSecs</c> fails with ClusterTimeFailsRateLimiter (205), an <c>afterClusterTime</c> or
/// <c>atClusterTime</c> later than the set's cluster time fails at once with InvalidOptions (72), and afterwards the set
/// still replicates, elects and keeps every majority-acknowledged write.
/// </summary>
public sealed class ForgedClusterTimeTests : EmulatorTestBase
{
    private const string Database = "forged";

    // Timestamp(0xFFFFFFFF, 0xFFFFFFFF): the year 2106, the largest time there is.
    private static readonly BsonTimestamp Forged = new(-1L);

    // The C# driver compares timestamps as signed 64-bit values and keeps the greater: the most a session can forge is 2038.
    private static readonly BsonTimestamp DriverForged = new(int.MaxValue, int.MaxValue);

    private static BsonDocument ForgedClusterTime(BsonTimestamp time) => new()
    {
        { "clusterTime", time },
        { "signature", new BsonDocument { { "hash", new BsonBinaryData(new byte[20]) }, { "keyId", 0L } } },
    };

    private static uint Seconds(BsonValue timestamp) => (uint)timestamp.AsBsonTimestamp.Timestamp;

    private static uint WallSeconds(TimeSpan offset = default) => (uint)DateTimeOffset.UtcNow.Add(offset).ToUnixTimeSeconds();

    private static void AssertNotInTheFuture(BsonDocument reply)
    {
        var limit = WallSeconds(TimeSpan.FromMinutes(1));
        Assert.True(Seconds(reply["$clusterTime"]["clusterTime"]) <= limit, $"cluster time moved to the future: {reply["$clusterTime"]}");
        Assert.True(Seconds(reply["operationTime"]) <= limit, $"operation time in the future: {reply["operationTime"]}");
    }

    private static BsonDocument FindWithAfterClusterTime(BsonTimestamp time) => new()
    {
        { "find", "items" },
        { "filter", new BsonDocument() },
        { "readConcern", new BsonDocument { { "level", "local" }, { "afterClusterTime", time } } },
        { "$readPreference", new BsonDocument("mode", "secondaryPreferred") },
    };

    [Fact]
    public async Task A_far_future_afterClusterTime_sent_as_raw_frames_is_refused_at_once_on_every_member()
    {
        foreach (var member in Emulator.Members)
        {
            using var raw = await RawCommandClient.ConnectAsync(member.Port);

            // A bounded wait: the bug this guards against answered never.
            var reply = await raw.RunAsync(FindWithAfterClusterTime(Forged), Database, TimeSpan.FromSeconds(10));

            Assert.Equal(0.0, reply["ok"].ToDouble());
            Assert.Equal(72, reply["code"].ToInt32());
            Assert.Equal("InvalidOptions", reply["codeName"].AsString);
            Assert.Contains("readConcern afterClusterTime value must not be greater than the current clusterTime",
                reply["errmsg"].AsString);
            Assert.Contains("Requested clusterTime: Timestamp(4294967295, 4294967295)", reply["errmsg"].AsString);
            AssertNotInTheFuture(reply);
        }
    }

    [Fact]
    public async Task A_far_future_atClusterTime_is_refused_at_once()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await RawCommandClient.ConnectAsync(primary.Port);

        var reply = await raw.RunAsync(
            new BsonDocument
            {
                { "find", "items" },
                { "readConcern", new BsonDocument { { "level", "snapshot" }, { "atClusterTime", Forged } } },
            },
            Database,
            TimeSpan.FromSeconds(10));

        Assert.Equal(72, reply["code"].ToInt32());
        Assert.Contains("readConcern atClusterTime value must not be greater than the current clusterTime", reply["errmsg"].AsString);
        AssertNotInTheFuture(reply);
    }

    [Fact]
    public async Task A_read_concern_time_that_is_not_a_timestamp_is_a_type_mismatch()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await RawCommandClient.ConnectAsync(primary.Port);

        var reply = await raw.RunAsync(
            new BsonDocument { { "find", "items" }, { "readConcern", new BsonDocument("afterClusterTime", 12345L) } },
            Database,
            TimeSpan.FromSeconds(10));

        Assert.Equal(14, reply["code"].ToInt32());
        Assert.Contains("'readConcern.afterClusterTime' is the wrong type 'long', expected type 'timestamp'", reply["errmsg"].AsString);
    }

    [Fact]
    public async Task A_gossiped_cluster_time_beyond_the_allowed_drift_is_refused_and_the_clock_does_not_move()
    {
        foreach (var member in Emulator.Members)
        {
            using var raw = await RawCommandClient.ConnectAsync(member.Port);
            var before = await raw.RunAsync(new BsonDocument("ping", 1));

            var reply = await raw.RunAsync(new BsonDocument { { "ping", 1 }, { "$clusterTime", ForgedClusterTime(Forged) } });

            Assert.Equal(205, reply["code"].ToInt32());
            Assert.Equal("ClusterTimeFailsRateLimiter", reply["codeName"].AsString);
            Assert.Matches(@"^New clusterTime, 4294967295, is too far from this node's wall clock time, \d+\.$", reply["errmsg"].AsString);
            AssertNotInTheFuture(reply);

            // Both at once: the gossip is checked first, so the read is refused for the clock, not the read concern.
            var both = new BsonDocument(FindWithAfterClusterTime(Forged)) { { "$clusterTime", ForgedClusterTime(Forged) } };
            var bothReply = await raw.RunAsync(both, Database, TimeSpan.FromSeconds(10));
            Assert.Equal(205, bothReply["code"].ToInt32());

            var after = await raw.RunAsync(new BsonDocument("ping", 1));
            Assert.True(Seconds(after["$clusterTime"]["clusterTime"]) - Seconds(before["$clusterTime"]["clusterTime"]) < 60);
        }
    }

    [Fact]
    public async Task After_forged_times_a_majority_write_reaches_every_member_and_one_acknowledged_before_a_step_down_stays()
    {
        foreach (var member in Emulator.Members)
        {
            using var raw = await RawCommandClient.ConnectAsync(member.Port);
            await raw.RunAsync(FindWithAfterClusterTime(Forged), Database, TimeSpan.FromSeconds(10));
            await raw.RunAsync(new BsonDocument { { "ping", 1 }, { "$clusterTime", ForgedClusterTime(Forged) } });
        }

        var items = Client.GetDatabase(Database).GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.WMajority);
        await items.InsertOneAsync(new BsonDocument("_id", "before-step-down"));
        await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(15));
        foreach (var member in Emulator.Members)
        {
            Assert.Contains(member.GetDocuments(Database, "items"), d => d["_id"] == "before-step-down");
            Assert.True((uint)member.LastAppliedTimestamp.Timestamp <= WallSeconds(TimeSpan.FromMinutes(1)),
                $"{member} applied a future optime");
        }

        var newPrimary = await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));

        Assert.Contains(newPrimary.GetDocuments(Database, "items"), d => d["_id"] == "before-step-down");
        await items.InsertOneAsync(new BsonDocument("_id", "after-step-down"));
        await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(15));
        foreach (var member in Emulator.Members)
        {
            Assert.Equal(["after-step-down", "before-step-down"],
                member.GetDocuments(Database, "items").Select(d => d["_id"].AsString).Order());
        }
    }

    [Fact]
    public async Task A_cluster_time_within_the_drift_is_accepted_without_authentication_and_operation_times_stay_the_sets_own()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await RawCommandClient.ConnectAsync(primary.Port);
        var ahead = new BsonTimestamp((int)WallSeconds(TimeSpan.FromSeconds(30)), 7);

        var gossip = await raw.RunAsync(new BsonDocument { { "ping", 1 }, { "$clusterTime", ForgedClusterTime(ahead) } });
        var insert = await raw.RunAsync(
            new BsonDocument { { "insert", "items" }, { "documents", new BsonArray { new BsonDocument("_id", 1) } } },
            Database);

        Assert.Equal(1.0, gossip["ok"].ToDouble());
        Assert.Equal(ahead, gossip["$clusterTime"]["clusterTime"].AsBsonTimestamp);
        Assert.Equal(1.0, insert["ok"].ToDouble());

        // The write's optime comes from the set's clock, which moved past the gossiped time: it is never the client's value.
        var operationTime = insert["operationTime"].AsBsonTimestamp;
        Assert.True((ulong)operationTime.Value > (ulong)ahead.Value);
        Assert.Equal(operationTime, primary.LastAppliedTimestamp);
    }

    [Fact]
    public async Task A_read_waiting_for_its_cluster_time_waits_alone_and_gives_up_at_maxTimeMS()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var lagging = Emulator.Members.First(m => m != primary);
        lagging.PauseReplication();
        var items = Client.GetDatabase(Database).GetCollection<BsonDocument>("items");
        await items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(new BsonDocument("_id", "unseen"));

        using var raw = await RawCommandClient.ConnectAsync(lagging.Port);
        var current = (await raw.RunAsync(new BsonDocument("ping", 1)))["$clusterTime"]["clusterTime"].AsBsonTimestamp;
        var waiting =
            raw.RunAsync(new BsonDocument(FindWithAfterClusterTime(current)) { { "maxTimeMS", 1500 } }, Database, TimeSpan.FromSeconds(20));

        // While that read waits, the rest of the set keeps writing with w:majority (two of three members).
        await items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(new BsonDocument("_id", "meanwhile"));
        Assert.False(waiting.IsCompleted);

        var reply = await waiting;
        Assert.Equal(50, reply["code"].ToInt32());
        lagging.ResumeReplication();
        await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(2, lagging.GetDocuments(Database, "items").Count);
    }

    [Fact]
    public async Task Forged_times_in_a_driver_session_are_refused_and_the_session_of_another_client_is_unaffected()
    {
        var items = Client.GetDatabase(Database).GetCollection<BsonDocument>("items");
        await items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(new BsonDocument("_id", 1));

        // The session gossips the forged $clusterTime with every command: the first one is refused by the rate limiter.
        using (var forgedClock = await Client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = true }))
        {
            forgedClock.AdvanceClusterTime(ForgedClusterTime(DriverForged));
            var error =
                await Assert.ThrowsAsync<MongoCommandException>(() =>
                    items.Find(forgedClock, FilterDefinition<BsonDocument>.Empty).ToListAsync());
            Assert.Equal(205, error.Code);
        }

        // An operation time alone becomes readConcern.afterClusterTime on the next causal read: refused at once, not hung.
        using var otherClient = CreateClient();
        using (var forgedOperation = await otherClient.StartSessionAsync(new ClientSessionOptions { CausalConsistency = true }))
        {
            forgedOperation.AdvanceOperationTime(DriverForged);
            var secondaryItems =
                otherClient.GetDatabase(Database).GetCollection<BsonDocument>("items").WithReadPreference(ReadPreference.Secondary);
            var error =
                await Assert.ThrowsAsync<MongoCommandException>(() =>
                    secondaryItems.Find(forgedOperation, FilterDefinition<BsonDocument>.Empty).ToListAsync());
            Assert.Equal(72, error.Code);
        }

        // An honest causal session still reads its own write on a secondary afterwards.
        using var honest = await Client.StartSessionAsync(new ClientSessionOptions { CausalConsistency = true });
        await items.WithWriteConcern(WriteConcern.W1).InsertOneAsync(honest, new BsonDocument("_id", 2));
        var seen = await items.WithReadPreference(ReadPreference.Secondary).Find(honest, new BsonDocument("_id", 2)).ToListAsync();
        Assert.Single(seen);
    }

    [Fact]
    public async Task Replies_carry_a_real_signature_that_the_set_accepts_back()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await RawCommandClient.ConnectAsync(primary.Port);

        var first = await raw.RunAsync(new BsonDocument("ping", 1));
        var signature = first["$clusterTime"]["signature"].AsBsonDocument;
        Assert.Equal(20, signature["hash"].AsByteArray.Length);
        Assert.Contains(signature["hash"].AsByteArray, b => b != 0);
        Assert.NotEqual(0L, signature["keyId"].ToInt64());

        var echoed = await raw.RunAsync(new BsonDocument { { "ping", 1 }, { "$clusterTime", first["$clusterTime"] } });
        Assert.Equal(1.0, echoed["ok"].ToDouble());
    }

    [Fact]
    public async Task The_allowed_drift_is_an_option()
    {
        await using var strict = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions
        {
            Members = 1,
            MaxAcceptableLogicalClockDrift = TimeSpan.FromSeconds(10),
        });
        using var raw = await RawCommandClient.ConnectAsync(strict.Members[0].Port);

        var tooFar = await raw.RunAsync(new BsonDocument
        {
            { "ping", 1 },
            { "$clusterTime", ForgedClusterTime(new BsonTimestamp((int)WallSeconds(TimeSpan.FromSeconds(120)), 1)) },
        });
        var near = await raw.RunAsync(new BsonDocument
        {
            { "ping", 1 },
            { "$clusterTime", ForgedClusterTime(new BsonTimestamp((int)WallSeconds(TimeSpan.FromSeconds(2)), 1)) },
        });

        Assert.Equal(205, tooFar["code"].ToInt32());
        Assert.Equal(1.0, near["ok"].ToDouble());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions
        {
            Members = 1,
            MaxAcceptableLogicalClockDrift = TimeSpan.Zero,
        }));
    }
}
