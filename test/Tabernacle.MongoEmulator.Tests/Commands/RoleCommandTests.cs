using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>What a secondary answers to writes and reads, with and without read preference or a retryable-write session.</summary>
public sealed class RoleCommandTests : CommandTestBase
{
    private static BsonDocument Lsid() =>
        new("id", new BsonBinaryData(Guid.NewGuid().ToByteArray(bigEndian: true), BsonBinarySubType.UuidStandard));

    [Fact]
    public async Task An_insert_on_a_secondary_answers_NotWritablePrimary_with_its_topologyVersion()
    {
        var secondary = FirstSecondary;
        var hello = await RunOnAsync(secondary, "{ hello: 1 }");
        var reply = await RunOnAsync(secondary, "{ insert: 'c', documents: [ { a: 1 } ] }", "roles");

        AssertError(reply, 10107, "NotWritablePrimary");
        Assert.Equal(hello["topologyVersion"].AsBsonDocument, reply["topologyVersion"].AsBsonDocument);
        Assert.False(reply.Contains("errorLabels"), $"a plain insert carries no retry label: {reply.ToJson()}");
        Assert.Empty(secondary.GetDocuments("roles", "c"));
    }

    [Fact]
    public async Task A_retryable_insert_on_a_secondary_carries_the_RetryableWriteError_label()
    {
        var command = new BsonDocument
        {
            { "insert", "c" },
            { "documents", new BsonArray { new BsonDocument("a", 1) } },
            { "lsid", Lsid() },
            { "txnNumber", 1L },
        };
        var reply = await RunOnAsync(FirstSecondary, command, "roles");

        AssertError(reply, 10107, "NotWritablePrimary");
        Assert.Contains("RetryableWriteError", reply["errorLabels"].AsBsonArray.Select(l => l.AsString));
        Assert.True(reply.Contains("topologyVersion"));
    }

    [Fact]
    public async Task A_find_on_a_secondary_needs_a_secondary_read_preference()
    {
        AssertOk(await RunAsync("{ insert: 'c', documents: [ { _id: 1 }, { _id: 2 } ] }", "roles"));
        await Emulator.WaitForReplicationAsync();
        var secondary = FirstSecondary;

        var bare = await RunOnAsync(secondary, "{ find: 'c' }", "roles");
        AssertError(bare, 13435, "NotPrimaryNoSecondaryOk");
        Assert.True(bare.Contains("topologyVersion"));

        var preferred = await RunOnAsync(secondary, "{ find: 'c', $readPreference: { mode: 'secondaryPreferred' } }", "roles");
        Assert.Equal([1, 2], FirstBatch(preferred).Select(d => d["_id"].ToInt32()));

        var primaryMode = await RunOnAsync(secondary, "{ find: 'c', $readPreference: { mode: 'primary' } }", "roles");
        AssertError(primaryMode, 13435, "NotPrimaryNoSecondaryOk");
    }

    [Fact]
    public async Task Reads_on_the_primary_need_no_read_preference()
    {
        AssertOk(await RunAsync("{ insert: 'c', documents: [ { _id: 1 } ] }", "roles"));
        var reply = await RunAsync("{ find: 'c' }", "roles");
        Assert.Single(FirstBatch(reply));
    }
}
