using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>Custom write concern modes (<c>settings.getLastErrorModes</c>) count distinct tag values, as mongod does.</summary>
public sealed class TaggedWriteConcernTests : EmulatorTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Two members in east (one of them primary), one in west that never becomes primary.
    protected override ReplicaSetEmulatorOptions Options
    {
        get
        {
            var options = new ReplicaSetEmulatorOptions { Members = 3 };
            options.MemberOptions.Add(Tagged("east", priority: 2));
            options.MemberOptions.Add(Tagged("east", priority: 1));
            options.MemberOptions.Add(Tagged("west", priority: 0));
            options.WriteConcernModes["multiDC"] = new Dictionary<string, int> { ["dc"] = 2 };
            return options;
        }
    }

    private IMongoCollection<BsonDocument> Items => Client.GetDatabase("tagged").GetCollection<BsonDocument>("items");

    [Fact]
    public async Task A_mode_waits_for_distinct_tag_values_not_for_a_number_of_members()
    {
        var west = Emulator.Members[2];
        west.PauseReplication();

        // Two east members acknowledge w:2 but carry one value of dc, so multiDC times out.
        await Items.WithWriteConcern(new WriteConcern(2)).InsertOneAsync(Doc("{ _id: 'two' }"));
        var multiDc = new WriteConcern("multiDC", wTimeout: TimeSpan.FromMilliseconds(200));
        var error = await Assert.ThrowsAsync<MongoWriteException>(
            () => Items.WithWriteConcern(multiDc).InsertOneAsync(Doc("{ _id: 'waits' }")));
        Assert.Equal(64, error.WriteConcernError.Code);

        west.ResumeReplication();
        await Items.WithWriteConcern(new WriteConcern("multiDC", wTimeout: Patience)).InsertOneAsync(Doc("{ _id: 'both' }"));
        Assert.Contains(west.GetDocuments("tagged", "items"), d => d["_id"] == "both");
    }

    [Fact]
    public async Task An_unknown_mode_is_UnknownReplWriteConcern_and_the_modes_are_in_the_configuration()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var reply = await raw.RunAsync(Doc("{ insert: 'items', documents: [{ _id: 1 }], writeConcern: { w: 'nowhere' } }"), "tagged");
        var code = reply.TryGetValue("writeConcernError", out var wce) ? wce["code"].AsInt32 : reply["code"].AsInt32;
        Assert.Equal(79, code);

        var config = await raw.RunAsync(Doc("{ replSetGetConfig: 1 }"));
        Assert.Equal(Doc("{ multiDC: { dc: 2 } }"), config["config"]["settings"]["getLastErrorModes"].AsBsonDocument);
    }

    [Fact]
    public async Task A_mode_naming_a_tag_no_member_has_is_refused_at_start()
    {
        var options = new ReplicaSetEmulatorOptions { Members = 1 };
        options.WriteConcernModes["rack"] = new Dictionary<string, int> { ["rack"] = 1 };
        await Assert.ThrowsAsync<ArgumentException>(() => MongoReplicaSetEmulator.StartAsync(options));
    }

    private static EmulatorMemberOptions Tagged(string dc, int priority)
    {
        var member = new EmulatorMemberOptions { Priority = priority };
        member.Tags["dc"] = dc;
        return member;
    }
}
