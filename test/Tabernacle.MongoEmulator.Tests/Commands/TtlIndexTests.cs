using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>TTL indexes: the primary's monitor deletes expired documents and the deletes replicate to every member.</summary>
public sealed class TtlIndexTests : CommandTestBase
{
    [Fact]
    public async Task ExpireAfterSeconds_0_removes_expired_documents_on_every_member()
    {
        var past = DateTime.UtcNow.AddMinutes(-5);
        var future = DateTime.UtcNow.AddDays(1);
        AssertOk(
            await RunAsync(
                "{ createIndexes: 'sessions', indexes: [ { key: { expiresAt: 1 }, name: 'expiresAt_1', expireAfterSeconds: 0 } ] }",
                    "ttl"));
        var insert = new BsonDocument
        {
            { "insert", "sessions" },
            {
                "documents", new BsonArray
                {
                    new BsonDocument { { "_id", "expired" }, { "expiresAt", past } },
                    new BsonDocument { { "_id", "expiredInArray" }, { "expiresAt", new BsonArray { future, past } } },
                    new BsonDocument { { "_id", "future" }, { "expiresAt", future } },
                    new BsonDocument { { "_id", "notADate" }, { "expiresAt", "yesterday" } },
                    new BsonDocument { { "_id", "noField" } },
                }
            },
        };
        AssertOk(await RunAsync(insert, "ttl"));

        var listed = FirstBatch(await RunOkAsync("{ listIndexes: 'sessions' }", "ttl")).Single(i => i["name"] == "expiresAt_1");
        Assert.Equal(0, listed["expireAfterSeconds"].ToInt32());

        string[] survivors = ["future", "notADate", "noField"];
        foreach (var member in Emulator.Members)
        {
            await WaitUntilAsync(
                () => member.GetDocuments("ttl", "sessions").Select(d => d["_id"].AsString).Order().SequenceEqual(survivors.Order()),
                TimeSpan.FromSeconds(20),
                $"expired documents removed on {member.Host}, leaving {string.Join(", ", survivors)}");
        }
    }
}
