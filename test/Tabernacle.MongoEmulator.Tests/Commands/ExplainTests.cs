using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary><c>explain</c> of find reports the plan the engine really runs, and what running it examined.</summary>
public sealed class ExplainTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    private async Task<BsonDocument> ExplainAsync(IMongoDatabase database, BsonDocument find, string verbosity = "executionStats") =>
        await database.RunCommandAsync<BsonDocument>(new BsonDocument { { "explain", find }, { "verbosity", verbosity } });

    [Fact]
    public async Task Explain_find_reports_IXSCAN_or_COLLSCAN_bounds_SORT_and_what_was_examined()
    {
        var database = Client.GetDatabase("explain");
        var items = database.GetCollection<BsonDocument>("items");
        await items.InsertManyAsync(Enumerable.Range(0, 1000).Select(i => new BsonDocument { { "_id", i }, { "price", i % 100 }, { "group", i % 7 } }));
        await items.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("price", 1)));

        var point = await ExplainAsync(database, BsonDocument.Parse("{ find: 'items', filter: { price: 42 } }"));
        var fetch = point["queryPlanner"]["winningPlan"];
        Assert.Equal("FETCH", fetch["stage"].AsString);
        Assert.Equal("IXSCAN", fetch["inputStage"]["stage"].AsString);
        Assert.Equal("price_1", fetch["inputStage"]["indexName"].AsString);
        Assert.Equal(new BsonArray { "[42, 42]" }, fetch["inputStage"]["indexBounds"]["price"]);
        Assert.Equal(10, point["executionStats"]["nReturned"].AsInt32);
        Assert.Equal(10L, point["executionStats"]["totalDocsExamined"].ToInt64());
        Assert.Equal(10L, point["executionStats"]["totalKeysExamined"].ToInt64());
        Assert.Equal("explain.items", point["queryPlanner"]["namespace"].AsString);

        var scan = await ExplainAsync(database, BsonDocument.Parse("{ find: 'items', filter: { group: 3 } }"));
        Assert.Equal("COLLSCAN", scan["queryPlanner"]["winningPlan"]["stage"].AsString);
        Assert.Equal(1000L, scan["executionStats"]["totalDocsExamined"].ToInt64());
        Assert.Equal(0L, scan["executionStats"]["totalKeysExamined"].ToInt64());

        var byIndex = await ExplainAsync(database, BsonDocument.Parse("{ find: 'items', filter: {}, sort: { price: -1 }, limit: 5 }"));
        var limitStage = byIndex["queryPlanner"]["winningPlan"];
        Assert.Equal("LIMIT", limitStage["stage"].AsString);
        Assert.Equal("backward", limitStage["inputStage"]["inputStage"]["direction"].AsString);
        Assert.Equal(5L, byIndex["executionStats"]["totalDocsExamined"].ToInt64());

        var sorted = await ExplainAsync(database, BsonDocument.Parse("{ find: 'items', filter: { group: 1 }, sort: { _id: -1, group: 1 }, limit: 3 }"), "queryPlanner");
        Assert.Equal("SORT", sorted["queryPlanner"]["winningPlan"]["stage"].AsString);
        Assert.Equal(3L, sorted["queryPlanner"]["winningPlan"]["limitAmount"].ToInt64());
        Assert.False(sorted.Contains("executionStats"));

        var range = await ExplainAsync(database, BsonDocument.Parse("{ find: 'items', filter: { price: { $gte: 10, $lt: 20 } } }"), "queryPlanner");
        Assert.Equal(new BsonArray { "[10, 20)" }, range["queryPlanner"]["winningPlan"]["inputStage"]["indexBounds"]["price"]);
    }
}
