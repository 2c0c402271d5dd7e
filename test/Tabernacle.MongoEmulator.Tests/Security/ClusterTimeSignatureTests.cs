using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Security;

/// <summary>
/// With authentication on, the set signs every cluster time it hands out (HMAC-SHA1 with the set's key) and a client
/// without the <c>advanceClusterTime</c> privilege may only gossip times the set signed: an unsigned later time is
/// KeyNotFound (211), a wrong signature TimeProofMismatch (204), as on mongod.
/// </summary>
public sealed class ClusterTimeSignatureTests : EmulatorTestBase
{
    private const string Password = "cl0ck-Passw0rd";

    protected override ReplicaSetEmulatorOptions Options => new()
    {
        Members = 3,
        Authentication = new EmulatorAuthenticationOptions
        {
            Users =
            {
                new EmulatorUser("app", Password, "admin"),
                new EmulatorUser("member", Password, "admin") { MayAdvanceClusterTime = true },
            },
        },
    };

    private MongoClient ClientAs(string user) => CreateClient(settings =>
        settings.Credential = MongoCredential.CreateCredential("admin", user, Password));

    private static BsonDocument ClusterTime(BsonTimestamp time, long keyId, byte[] hash) => new()
    {
        { "clusterTime", time },
        { "signature", new BsonDocument { { "hash", new BsonBinaryData(hash) }, { "keyId", keyId } } },
    };

    private static BsonTimestamp SecondsAhead(int seconds) => new((int)DateTimeOffset.UtcNow.AddSeconds(seconds).ToUnixTimeSeconds(), 1);

    private static async Task<BsonDocument> PingAsync(MongoClient client, IClientSessionHandle session) =>
        await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(session, new BsonDocument("ping", 1));

    [Fact]
    public async Task An_unsigned_later_time_from_an_application_user_is_key_not_found_and_the_clock_stays()
    {
        using var client = ClientAs("app");
        using var session = await client.StartSessionAsync();
        await PingAsync(client, session);
        var before = session.ClusterTime["clusterTime"].AsBsonTimestamp;

        using var forging = await client.StartSessionAsync();
        forging.AdvanceClusterTime(ClusterTime(SecondsAhead(3600), 0, new byte[20]));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => PingAsync(client, forging));

        Assert.Equal(211, error.Code);
        Assert.Equal("KeyNotFound", error.CodeName);
        Assert.Contains("No keys found for HMAC that is valid for time", error.Message);
        await PingAsync(client, session);
        Assert.True(session.ClusterTime["clusterTime"].AsBsonTimestamp.Timestamp - before.Timestamp < 60);
    }

    [Fact]
    public async Task A_later_time_with_the_sets_key_id_but_a_wrong_hash_is_a_time_proof_mismatch()
    {
        using var client = ClientAs("app");
        using var session = await client.StartSessionAsync();
        await PingAsync(client, session);
        var keyId = session.ClusterTime["signature"]["keyId"].ToInt64();
        var stolenHash = session.ClusterTime["signature"]["hash"].AsByteArray;

        using var forging = await client.StartSessionAsync();
        forging.AdvanceClusterTime(ClusterTime(SecondsAhead(3600), keyId, stolenHash));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => PingAsync(client, forging));

        Assert.Equal(204, error.Code);
        Assert.Equal("TimeProofMismatch", error.CodeName);
    }

    [Fact]
    public async Task A_time_the_set_signed_is_accepted_back_by_every_member()
    {
        using var client = ClientAs("app");
        using var session = await client.StartSessionAsync();
        var items = client.GetDatabase("signed").GetCollection<BsonDocument>("items");
        await items.WithWriteConcern(WriteConcern.WMajority).InsertOneAsync(session, new BsonDocument("_id", 1));

        // A second client that never talked to the set carries the first one's signed time to a secondary.
        using var other = ClientAs("app");
        using var carried = await other.StartSessionAsync(new ClientSessionOptions { CausalConsistency = true });
        carried.AdvanceClusterTime(session.ClusterTime);
        carried.AdvanceOperationTime(session.OperationTime);
        var seen = await other.GetDatabase("signed").GetCollection<BsonDocument>("items")
            .WithReadPreference(ReadPreference.Secondary).Find(carried, FilterDefinition<BsonDocument>.Empty).ToListAsync();

        Assert.Single(seen);
    }

    [Fact]
    public async Task A_user_with_the_advanceClusterTime_privilege_may_gossip_an_unsigned_time_within_the_drift_only()
    {
        using var client = ClientAs("member");
        using var near = await client.StartSessionAsync();
        var ahead = SecondsAhead(30);
        near.AdvanceClusterTime(ClusterTime(ahead, 0, new byte[20]));
        await PingAsync(client, near);
        Assert.True((ulong)near.ClusterTime["clusterTime"].AsBsonTimestamp.Value >= (ulong)ahead.Value);

        using var far = await client.StartSessionAsync();
        // The C# driver keeps the greater of two times compared as signed values: 2038 is the latest it sends.
        far.AdvanceClusterTime(ClusterTime(new BsonTimestamp(int.MaxValue, 1), 0, new byte[20]));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => PingAsync(client, far));
        Assert.Equal(205, error.Code);
    }
}
