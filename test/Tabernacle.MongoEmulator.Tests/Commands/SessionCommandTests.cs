using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>Session commands the drivers send on their own.</summary>
public sealed class SessionCommandTests : CommandTestBase
{
    [Fact]
    public async Task EndSessions_answers_ok_for_used_and_unknown_sessions()
    {
        var used = new BsonDocument("id", new BsonBinaryData(Guid.NewGuid().ToByteArray(bigEndian: true), BsonBinarySubType.UuidStandard));
        var insert =
            new BsonDocument { { "insert", "c" }, { "documents", new BsonArray { new BsonDocument("a", 1) } }, { "lsid", used },
                { "txnNumber", 1L } };
        AssertOk(await RunAsync(insert, "sessions"));

        var unknown =
            new BsonDocument("id", new BsonBinaryData(Guid.NewGuid().ToByteArray(bigEndian: true), BsonBinarySubType.UuidStandard));
        var reply = await RunAsync(new BsonDocument("endSessions", new BsonArray { used, unknown }), "admin");
        AssertOk(reply);
        Assert.True(reply.Contains("operationTime"));

        // Ending a session again, or ending none, is still fine.
        AssertOk(await RunAsync(new BsonDocument("endSessions", new BsonArray { used }), "admin"));
        AssertOk(await RunAsync(new BsonDocument("endSessions", new BsonArray()), "admin"));
    }
}
