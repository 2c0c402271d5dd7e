using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>
/// What the C# driver's unified specification tests found missing, through the driver: counts and writes on views,
/// <c>$rand</c>, <c>$listLocalSessions</c> and the <c>onPrimaryTransactionalWrite</c> fail point of retryable writes.
/// </summary>
public sealed class DriverSpecFindingsTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    private IMongoDatabase Database => Client.GetDatabase("findings");

    private async Task<IMongoCollection<BsonDocument>> SeedWithViewAsync()
    {
        var items = Database.GetCollection<BsonDocument>("items");
        await items.InsertManyAsync(Enumerable.Range(0, 10).Select(i => new BsonDocument { { "_id", i }, { "even", i % 2 == 0 } }));
        await Database.CreateViewAsync<BsonDocument, BsonDocument>("evens", "items",
            new EmptyPipelineDefinition<BsonDocument>().Match(Doc("{ even: true }")));
        return items;
    }

    [Fact]
    public async Task Counting_a_view_counts_what_the_view_yields()
    {
        await SeedWithViewAsync();
        var evens = Database.GetCollection<BsonDocument>("evens");
        Assert.Equal(5, await evens.EstimatedDocumentCountAsync());
        Assert.Equal(2, await evens.CountDocumentsAsync(Doc("{ _id: { $lt: 4 } }")));
        var counted = await Database.RunCommandAsync<BsonDocument>(
            Doc("{ count: 'evens', query: { _id: { $gte: 2 } }, skip: 1, limit: 2 }"));
        Assert.Equal(2, counted["n"].ToInt32());
    }

    [Fact]
    public async Task Writes_to_a_view_are_refused_with_CommandNotSupportedOnView()
    {
        var items = await SeedWithViewAsync();
        var evens = Database.GetCollection<BsonDocument>("evens");

        var insert = await Assert.ThrowsAsync<MongoWriteException>(() => evens.InsertOneAsync(Doc("{ _id: 100 }")));
        Assert.Equal(166, insert.WriteError.Code);
        Assert.Equal("Namespace findings.evens is a view, not a collection", insert.WriteError.Message);
        var update = await Assert.ThrowsAsync<MongoWriteException>(() => evens.UpdateOneAsync(Doc("{ _id: 0 }"),
            Doc("{ $set: { x: 1 } }")));
        Assert.Equal(166, update.WriteError.Code);
        var delete = await Assert.ThrowsAsync<MongoWriteException>(() => evens.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(166, delete.WriteError.Code);
        var findAndModify = await Assert.ThrowsAsync<MongoCommandException>(()
            => evens.FindOneAndDeleteAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(166, findAndModify.Code);
        Assert.Equal("CommandNotSupportedOnView", findAndModify.CodeName);

        Assert.Equal(10, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.Equal(5, await evens.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task Rand_gives_a_fresh_double_in_the_unit_interval_per_document()
    {
        var items = await SeedWithViewAsync();
        var values = (await items.Aggregate().Project(Doc("{ r: { $rand: {} } }")).ToListAsync()).Select(d => d["r"]).ToList();
        Assert.All(values, v => Assert.True(v.IsDouble && v.AsDouble is >= 0 and < 1, v.ToString()));
        Assert.True(values.Distinct().Count() > 1, "each document gets its own value");

        var error = await Assert.ThrowsAsync<MongoCommandException>(()
            => items.Aggregate().Project(Doc("{ r: { $rand: { a: 1 } } }")).ToListAsync());
        Assert.Equal(3040500, error.Code);
    }

    [Fact]
    public async Task ListLocalSessions_lists_the_sessions_used_until_they_end()
    {
        var admin = Client.GetDatabase("admin");
        using var session = await Client.StartSessionAsync();
        await Database.GetCollection<BsonDocument>("items").InsertOneAsync(session, Doc("{ _id: 1 }"));
        var id = session.ServerSession.Id["id"];

        async Task<List<BsonDocument>> ListAsync() => await admin.Aggregate<BsonDocument>(
            new EmptyPipelineDefinition<NoPipelineInput>().AppendStage<NoPipelineInput, NoPipelineInput, BsonDocument>(
                Doc("{ $listLocalSessions: { allUsers: true } }"))).ToListAsync();

        var listed = await ListAsync();
        var mine = Assert.Single(listed, s => s["_id"]["id"] == id);
        Assert.Equal(32, mine["_id"]["uid"].AsBsonBinaryData.Bytes.Length);
        Assert.IsType<BsonDateTime>(mine["lastUse"]);

        await admin.RunCommandAsync<BsonDocument>(new BsonDocument("endSessions", new BsonArray { session.ServerSession.Id }));
        Assert.DoesNotContain(await ListAsync(), s => s["_id"]["id"] == id);

        var onCollection = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(
            Doc("{ aggregate: 'items', pipeline: [{ $listLocalSessions: {} }], cursor: {} }")));
        Assert.Equal(73, onCollection.Code);
    }

    [Fact]
    public async Task OnPrimaryTransactionalWrite_closes_the_connection_after_the_write_and_the_retry_answers_it_once()
    {
        var admin = Client.GetDatabase("admin");
        var items = Database.GetCollection<BsonDocument>("items");
        await items.InsertOneAsync(Doc("{ _id: 0 }"));

        // closeConnection (the default): the write commits, the reply is lost, the driver retries and gets the result.
        await admin.RunCommandAsync<BsonDocument>(Doc("{ configureFailPoint: 'onPrimaryTransactionalWrite', mode: { times: 1 } }"));
        await items.InsertOneAsync(Doc("{ _id: 1 }"));
        var updated = await items.UpdateOneAsync(Doc("{ _id: 0 }"), Doc("{ $inc: { n: 1 } }"));
        Assert.Equal(1, updated.ModifiedCount);
        await admin.RunCommandAsync<BsonDocument>(Doc("{ configureFailPoint: 'onPrimaryTransactionalWrite', mode: { times: 1 } }"));
        updated = await items.UpdateOneAsync(Doc("{ _id: 0 }"), Doc("{ $inc: { n: 1 } }"));
        Assert.Equal(1, updated.ModifiedCount);
        Assert.Equal(2, (await items.Find(Doc("{ _id: 0 }")).SingleAsync())["n"].AsInt32);

        // failBeforeCommitExceptionCode on every attempt: the write never commits, and the driver reports the failure.
        await admin.RunCommandAsync<BsonDocument>(Doc(
            "{ configureFailPoint: 'onPrimaryTransactionalWrite', mode: 'alwaysOn', data: { failBeforeCommitExceptionCode: 1 } }"));
        await Assert.ThrowsAnyAsync<MongoException>(() => items.InsertOneAsync(Doc("{ _id: 2 }")));
        await admin.RunCommandAsync<BsonDocument>(Doc(
            "{ configureFailPoint: 'onPrimaryTransactionalWrite', mode: 'alwaysOn', data: { closeConnection: false, "
            + "failBeforeCommitExceptionCode: 96 } }"));
        var failed = await Assert.ThrowsAsync<MongoCommandException>(() => items.InsertOneAsync(Doc("{ _id: 3 }")));
        Assert.Equal(96, failed.Code);
        await admin.RunCommandAsync<BsonDocument>(Doc("{ configureFailPoint: 'onPrimaryTransactionalWrite', mode: 'off' }"));

        Assert.Equal([0, 1], (await items.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync()).Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task MapReduce_answers_as_mongod_without_server_side_javascript()
    {
        var items = await SeedWithViewAsync();
        const string map = "function() { emit(this.even, 1); }";
        const string reduce = "function(k, v) { return Array.sum(v); }";

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "mapReduce", "items" }, { "map", new BsonJavaScript(map) }, { "reduce", new BsonJavaScript(reduce) }, { "out",
                new BsonDocument("inline", 1) },
        }));
        Assert.Equal(31246, error.Code);
        Assert.Contains("javascript engine", error.Message, StringComparison.Ordinal);

        // No input document: the map function never runs, and the outputs are empty.
        var inline = await Database.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "mapReduce", "items" }, { "map", new BsonJavaScript(map) }, { "reduce", new BsonJavaScript(reduce) },
            { "query", Doc("{ _id: -1 }") }, { "out", new BsonDocument("inline", 1) },
        });
        Assert.Empty(inline["results"].AsBsonArray);
        await Database.GetCollection<BsonDocument>("mrOut").InsertOneAsync(Doc("{ _id: 'stale' }"));
        var replaced = await Database.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "mapReduce", "items" }, { "map", new BsonJavaScript(map) }, { "reduce", new BsonJavaScript(reduce) },
            { "query", Doc("{ _id: -1 }") }, { "out", "mrOut" },
        });
        Assert.Equal("mrOut", replaced["result"].AsString);
        Assert.Equal(0, await Database.GetCollection<BsonDocument>("mrOut").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        // The other server-side JavaScript answers as mongod's with JavaScript disabled too.
        var where = await Assert.ThrowsAsync<MongoCommandException>(() => items.Find(Doc("{ $where: 'this.even' }")).ToListAsync());
        Assert.Equal(2, where.Code);
        Assert.Equal("no globalScriptEngine in $where parsing", where.ErrorMessage);
        var function = await Assert.ThrowsAsync<MongoCommandException>(() => items.Aggregate()
            .Project(Doc("{ r: { $function: { body: 'function() { return 1; }', args: [], lang: 'js' } } }")).ToListAsync());
        Assert.Equal(31264, function.Code);
        var accumulator = await Assert.ThrowsAsync<MongoCommandException>(() => items.Aggregate().Group(Doc(
            "{ _id: null, a: { $accumulator: { init: 'function() { return 0; }', accumulate: 'function(s) { return s; }', "
            + "accumulateArgs: [], merge: 'function(a, b) { return a; }', lang: 'js' } } }")).ToListAsync());
        Assert.Equal(31264, accumulator.Code);

        var missing = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "mapReduce", "items" }, { "map", new BsonJavaScript(map) }, { "out", "x" } }));
        Assert.Equal(40414, missing.Code);
        Assert.Equal("IDLFailedToParse", missing.CodeName);
        Assert.Equal(10, await items.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }
}
