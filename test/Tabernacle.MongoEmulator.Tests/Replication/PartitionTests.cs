using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>A member cut off from the others by <see cref="EmulatorMember.Disconnect"/>, seen through the C# driver.</summary>
public sealed class PartitionTests : EmulatorTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected override ReplicaSetEmulatorOptions Options => new() { Members = 3, ElectionTimeout = TimeSpan.FromMilliseconds(300) };

    private IMongoCollection<BsonDocument> Items => Client.GetDatabase("partition").GetCollection<BsonDocument>("items");

    [Fact]
    public async Task A_disconnected_primary_is_replaced_its_writes_do_not_survive_and_it_rejoins_as_a_secondary()
    {
        await Items.InsertOneAsync(Doc("{ _id: 'before' }"));
        await Emulator.WaitForReplicationAsync(Patience);
        var old = Emulator.Primary!;
        // Connected before the cut (a first connection on a loaded machine can take longer than the member needs to
        // notice it lost the majority).
        using var direct = new MongoClient($"mongodb://{old.Host}/?directConnection=true&retryWrites=false");
        var onOld = direct.GetDatabase("partition").GetCollection<BsonDocument>("items");
        await onOld.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
        old.Disconnect();
        Assert.True(old.IsDisconnected);

        // Clients still reach the cut-off member; until it notices, it accepts w:1 writes.
        await onOld.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 'lost' }"));

        // A majority write on the old side never succeeds: it times out or is interrupted by the step-down.
        var majority = onOld.WithWriteConcern(new WriteConcern(WriteConcern.WMode.Majority, wTimeout: TimeSpan.FromMilliseconds(200)));
        await Assert.ThrowsAnyAsync<MongoException>(() => majority.InsertOneAsync(Doc("{ _id: 'never' }")));

        var replacement = await Emulator.WaitForPrimaryAsync(Patience);
        Assert.NotEqual(old.Id, replacement.Id);
        await WaitUntilAsync(() => old.Role == EmulatorMemberRole.Secondary, Patience, "the cut-off primary steps down without a majority");
        Assert.DoesNotContain(replacement.GetDocuments("partition", "items"), d => d["_id"] == "lost");

        await Items.InsertOneAsync(Doc("{ _id: 'after' }"));
        old.Reconnect();
        Assert.False(old.IsDisconnected);
        await Emulator.WaitForReplicationAsync(Patience);
        await WaitUntilAsync(
            () => Ids(old).SequenceEqual(Ids(Emulator.Primary!)),
            Patience,
            "the old primary takes the new primary's data");
        Assert.Equal(["after", "before"], Ids(old));
        Assert.Equal(EmulatorMemberRole.Secondary, old.Role);

        // The writes only the old primary had were rolled back, and kept where mongod keeps them.
        Assert.Equal(1, old.RollbackCount);
        var rolledBack = old.GetRolledBackDocuments("partition", "items").Select(d => d["_id"].AsString).ToList();
        Assert.Contains("lost", rolledBack);
        Assert.Contains("never", rolledBack);
        Assert.DoesNotContain("before", rolledBack);
        Assert.Empty(old.Member.Set.InvariantViolations);
    }

    [Fact]
    public async Task A_disconnected_secondary_does_not_acknowledge_writes_and_catches_up_after_it_reconnects()
    {
        var cut = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        cut.Disconnect();

        // The other two still make a majority; all three cannot acknowledge while one is cut off.
        await Items.InsertOneAsync(Doc("{ _id: 'majority' }"));
        var all = Items.WithWriteConcern(new WriteConcern(3, wTimeout: TimeSpan.FromMilliseconds(200)));
        var error = await Assert.ThrowsAsync<MongoWriteException>(() => all.InsertOneAsync(Doc("{ _id: 'three' }")));
        Assert.Equal(64, error.WriteConcernError.Code);
        Assert.Empty(cut.GetDocuments("partition", "items"));
        Assert.NotEqual(EmulatorMemberRole.Primary, cut.Role);

        cut.Reconnect();
        await Emulator.WaitForReplicationAsync(Patience);
        Assert.Equal(["majority", "three"], Ids(cut));
    }

    [Fact]
    public async Task A_majority_write_without_wtimeout_on_a_cut_off_primary_fails_when_it_steps_down()
    {
        var old = Emulator.Primary!;
        old.Disconnect();
        using var raw = await RawCommandClient.ConnectAsync(old.Port);
        var reply = await raw.RunAsync(
            Doc("{ insert: 'items', documents: [{ _id: 'waits' }], writeConcern: { w: 'majority' } }"), "partition", Patience);

        // Applied locally (so it is rolled back later), then interrupted by the step-down: never acknowledged.
        Assert.Equal(11602, reply["writeConcernError"]["code"].AsInt32);
        Assert.Equal(EmulatorMemberRole.Secondary, old.Role);

        // Reconnecting before the others elect would let the old member stand again with its write; wait for them.
        Assert.NotEqual(old.Id, (await Emulator.WaitForPrimaryAsync(Patience)).Id);
        old.Reconnect();
        await Emulator.WaitForReplicationAsync(Patience);
        Assert.Empty(old.GetDocuments("partition", "items"));
        Assert.Equal(["waits"], old.GetRolledBackDocuments("partition", "items").Select(d => d["_id"].AsString));
    }

    private static List<string> Ids(EmulatorMember member) =>
        [.. member.GetDocuments("partition", "items").Select(d => d["_id"].AsString).Order(StringComparer.Ordinal)];
}
