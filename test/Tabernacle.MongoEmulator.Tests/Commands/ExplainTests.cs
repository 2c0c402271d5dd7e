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
        await items.InsertManyAsync(
            Enumerable.Range(0, 1000).Select(i => new BsonDocument { { "_id", i }, { "price", i % 100 }, { "group", i % 7 } }));
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

        var sorted =
            await ExplainAsync(database,
                BsonDocument.Parse("{ find: 'items', filter: { group: 1 }, sort: { _id: -1, group: 1 }, limit: 3 }"), "queryPlanner");
        Assert.Equal("SORT", sorted["queryPlanner"]["winningPlan"]["stage"].AsString);
        Assert.Equal(3L, sorted["queryPlanner"]["winningPlan"]["limitAmount"].ToInt64());
        Assert.False(sorted.Contains("executionStats"));

        var all = await ExplainAsync(database, BsonDocument.Parse("{ find: 'items', filter: { price: 3 } }"), "allPlansExecution");
        Assert.Empty(all["executionStats"]["allPlansExecution"].AsBsonArray);
        Assert.False(point["executionStats"].AsBsonDocument.Contains("allPlansExecution"));

        var range =
            await ExplainAsync(database, BsonDocument.Parse("{ find: 'items', filter: { price: { $gte: 10, $lt: 20 } } }"), "queryPlanner");
        Assert.Equal(new BsonArray { "[10, 20)" }, range["queryPlanner"]["winningPlan"]["inputStage"]["indexBounds"]["price"]);
    }

    private async Task<IMongoCollection<BsonDocument>> SeedAsync(IMongoDatabase database)
    {
        var items = database.GetCollection<BsonDocument>("items");
        await items.InsertManyAsync(Enumerable.Range(0, 1000).Select(i => new BsonDocument { { "_id", i }, { "price", i % 100 },
            { "group", i % 7 } }));
        await items.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(new BsonDocument("price", 1)));
        return items;
    }

    [Fact]
    public async Task Explain_aggregate_reports_the_cursor_plan_and_what_each_stage_returned()
    {
        var database = Client.GetDatabase("explain");
        await SeedAsync(database);

        var grouped = await ExplainAsync(database,
            Doc("{aggregate: 'items', pipeline: [{$match: {price: 42}}, {$group: {_id: '$group', n: {$sum: 1}}}], cursor: {}}"));
        var stages = grouped["stages"].AsBsonArray;
        var cursor = stages[0]["$cursor"];
        Assert.Equal("FETCH", cursor["queryPlanner"]["winningPlan"]["stage"].AsString);
        Assert.Equal("price_1", cursor["queryPlanner"]["winningPlan"]["inputStage"]["indexName"].AsString);
        Assert.Equal(10L, cursor["executionStats"]["totalKeysExamined"].ToInt64());
        Assert.Equal(10L, stages[0]["nReturned"].ToInt64());
        Assert.True(stages[1].AsBsonDocument.Contains("$group"));
        Assert.Equal(7L, stages[1]["nReturned"].ToInt64());

        // A pipeline that is only a $match is a query, explained as a find is.
        var matchOnly = await ExplainAsync(database, Doc("{aggregate: 'items', pipeline: [{$match: {group: 3}}], cursor: {}}"));
        Assert.Equal("COLLSCAN", matchOnly["queryPlanner"]["winningPlan"]["stage"].AsString);
        Assert.Equal(143, matchOnly["executionStats"]["nReturned"].AsInt32);
        Assert.Equal(1000, matchOnly["executionStats"]["executionStages"]["docsExamined"].AsInt32);

        // The legacy aggregate option explain: true answers the plan without running it.
        var legacy = await database.RunCommandAsync<BsonDocument>(
            Doc("{aggregate: 'items', pipeline: [{$match: {price: 1}}, {$limit: 2}], explain: true}"));
        Assert.Equal("IXSCAN", legacy["stages"][0]["$cursor"]["queryPlanner"]["winningPlan"]["inputStage"]["stage"].AsString);
        Assert.False(legacy["stages"][0]["$cursor"].AsBsonDocument.Contains("executionStats"));
    }

    [Fact]
    public async Task Explain_count_and_distinct_wrap_the_plan_in_their_own_stage()
    {
        var database = Client.GetDatabase("explain");
        await SeedAsync(database);

        var count = await ExplainAsync(database, Doc("{count: 'items', query: {price: {$lt: 5}}, skip: 10}"));
        var countPlan = count["queryPlanner"]["winningPlan"];
        Assert.Equal("COUNT", countPlan["stage"].AsString);
        Assert.Equal("IXSCAN", countPlan["inputStage"]["inputStage"]["stage"].AsString);
        Assert.Equal(new BsonArray { "[-inf.0, 5)" }, countPlan["inputStage"]["inputStage"]["indexBounds"]["price"]);
        Assert.Equal(40, count["executionStats"]["executionStages"]["nCounted"].AsInt32);
        Assert.Equal(0, count["executionStats"]["nReturned"].AsInt32);
        Assert.Equal(50, count["executionStats"]["totalKeysExamined"].AsInt32);

        var scanCount = await ExplainAsync(database, Doc("{count: 'items', query: {group: 2}}"));
        Assert.Equal("COLLSCAN", scanCount["queryPlanner"]["winningPlan"]["inputStage"]["stage"].AsString);
        Assert.Equal(1000, scanCount["executionStats"]["totalDocsExamined"].AsInt32);

        var distinct = await ExplainAsync(database, Doc("{distinct: 'items', key: 'group', query: {price: 42}}"));
        var distinctPlan = distinct["queryPlanner"]["winningPlan"];
        Assert.Equal("PROJECTION_SIMPLE", distinctPlan["stage"].AsString);
        Assert.Equal(Doc("{group: 1, _id: 0}"), distinctPlan["transformBy"]);
        Assert.Equal("price_1", distinctPlan["inputStage"]["inputStage"]["indexName"].AsString);
        Assert.Equal(10, distinct["executionStats"]["totalDocsExamined"].AsInt32);

        // An unfiltered count is answered from the collection's size, without reading a document.
        var fast = await ExplainAsync(database, Doc("{count: 'items'}"));
        Assert.Equal("RECORD_STORE_FAST_COUNT", fast["queryPlanner"]["winningPlan"]["stage"].AsString);
        Assert.Equal(1000, fast["executionStats"]["executionStages"]["nCounted"].AsInt32);
        Assert.Equal(0, fast["executionStats"]["totalDocsExamined"].AsInt32);
        Assert.Equal(1000L, await database.GetCollection<BsonDocument>("items").EstimatedDocumentCountAsync());

        var missing = await ExplainAsync(database, Doc("{count: 'nothing', query: {a: 1}}"), "queryPlanner");
        Assert.Equal("EOF", missing["queryPlanner"]["winningPlan"]["inputStage"]["stage"].AsString);
    }

    [Fact]
    public async Task Explain_of_writes_reports_the_plan_and_what_would_change_and_changes_nothing()
    {
        var database = Client.GetDatabase("explain");
        var items = await SeedAsync(database);

        var update = await ExplainAsync(database, Doc("{update: 'items', updates: [{q: {_id: 5}, u: {$set: {x: 1}}}]}"));
        var updatePlan = update["queryPlanner"]["winningPlan"];
        Assert.Equal("UPDATE", updatePlan["stage"].AsString);
        Assert.Equal("IDHACK", updatePlan["inputStage"]["stage"].AsString);
        var updateStage = update["executionStats"]["executionStages"];
        Assert.Equal(1, updateStage["nMatched"].AsInt32);
        Assert.Equal(1, updateStage["nWouldModify"].AsInt32);
        Assert.Equal(0, updateStage["nWouldUpsert"].AsInt32);
        Assert.Equal(1, update["executionStats"]["totalDocsExamined"].AsInt32);

        var many = await ExplainAsync(database,
            Doc("{update: 'items', updates: [{q: {price: {$gte: 90}}, u: {$set: {price: 0}}, multi: true}]}"));
        Assert.Equal("price_1", many["queryPlanner"]["winningPlan"]["inputStage"]["inputStage"]["indexName"].AsString);
        Assert.Equal(100, many["executionStats"]["executionStages"]["nMatched"].AsInt32);
        Assert.Equal(100, many["executionStats"]["executionStages"]["nWouldModify"].AsInt32);

        var upsert = await ExplainAsync(database, Doc("{update: 'items', updates: [{q: {_id: -1}, u: {$set: {x: 1}}, upsert: true}]}"));
        Assert.Equal(1, upsert["executionStats"]["executionStages"]["nWouldUpsert"].AsInt32);

        var delete = await ExplainAsync(database, Doc("{delete: 'items', deletes: [{q: {group: 1}, limit: 0}]}"));
        Assert.Equal("DELETE", delete["queryPlanner"]["winningPlan"]["stage"].AsString);
        Assert.Equal("COLLSCAN", delete["queryPlanner"]["winningPlan"]["inputStage"]["stage"].AsString);
        Assert.Equal(143, delete["executionStats"]["executionStages"]["nWouldDelete"].AsInt32);

        var findAndModify = await ExplainAsync(database, Doc("{findAndModify: 'items', query: {price: 7}, sort: {_id: -1}, remove: true}"));
        var famPlan = findAndModify["queryPlanner"]["winningPlan"];
        Assert.Equal("DELETE", famPlan["stage"].AsString);
        Assert.Equal("SORT", famPlan["inputStage"]["stage"].AsString);
        Assert.Equal("IXSCAN", famPlan["inputStage"]["inputStage"]["inputStage"]["stage"].AsString);
        Assert.Equal(1, findAndModify["executionStats"]["executionStages"]["nWouldDelete"].AsInt32);

        var famUpdate = await ExplainAsync(database, Doc("{findAndModify: 'items', query: {_id: 3}, update: {$set: {price: 3}}}"));
        Assert.Equal(0, famUpdate["executionStats"]["executionStages"]["nWouldModify"].AsInt32);

        var batch = await Assert.ThrowsAsync<MongoCommandException>(() => ExplainAsync(database,
            Doc("{delete: 'items', deletes: [{q: {}, limit: 0}, {q: {}, limit: 0}]}")));
        Assert.Equal(16, batch.Code);

        // Nothing was written.
        Assert.Equal(1000, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(0, await items.CountDocumentsAsync(Doc("{x: {$exists: true}}")));
        Assert.Equal(10, await items.CountDocumentsAsync(Doc("{price: 95}")));
    }
}
