using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>listDatabases, listCollections, create, drop, dropDatabase, createIndexes (unique variants), listIndexes and
/// dropIndexes.</summary>
public sealed class CatalogCommandTests : CommandTestBase
{
    private const string Db = "catalog";

    private async Task CreateIndexAsync(string spec) =>
        AssertOk(await RunAsync($"{{ createIndexes: 'c', indexes: [ {spec} ] }}", Db));

    private async Task<List<string>> IndexNamesAsync() =>
        FirstBatch(await RunAsync("{ listIndexes: 'c' }", Db)).Select(i => i["name"].AsString).ToList();

    private static BsonDocument SingleWriteError(BsonDocument reply)
    {
        AssertOk(reply);
        return Assert.Single(reply["writeErrors"].AsBsonArray).AsBsonDocument;
    }

    private static void AssertDuplicateKey(BsonDocument writeError, string index, BsonDocument keyPattern, BsonDocument keyValue)
    {
        Assert.Equal(11000, writeError["code"].ToInt32());
        var message = writeError["errmsg"].AsString;
        Assert.StartsWith("E11000 duplicate key error collection: catalog.c", message, StringComparison.Ordinal);
        Assert.Contains($"index: {index} dup key: ", message, StringComparison.Ordinal);
        foreach (var element in keyValue)
        {
            Assert.Contains(element.Name, message, StringComparison.Ordinal);
        }

        Assert.Equal(keyPattern, writeError["keyPattern"].AsBsonDocument);
        Assert.Equal(keyValue, writeError["keyValue"].AsBsonDocument);
    }

    [Fact]
    public async Task ListDatabases_lists_databases_with_data_and_supports_nameOnly()
    {
        AssertOk(await RunAsync("{ insert: 'c', documents: [ { a: 1 } ] }", Db));
        var full = await RunOkAsync("{ listDatabases: 1 }", "admin");
        var entry = Assert.Single(full["databases"].AsBsonArray, d => d["name"] == Db).AsBsonDocument;
        Assert.False(entry["empty"].AsBoolean);
        Assert.True(entry["sizeOnDisk"].IsNumeric);
        Assert.True(full["totalSize"].IsNumeric);

        var names = await RunOkAsync("{ listDatabases: 1, nameOnly: true }", "admin");
        var named = Assert.Single(names["databases"].AsBsonArray, d => d["name"] == Db).AsBsonDocument;
        Assert.Equal(new BsonDocument("name", Db), named);

        var filtered = await RunOkAsync("{ listDatabases: 1, nameOnly: true, filter: { name: 'catalog' } }", "admin");
        Assert.Equal(Db, Assert.Single(filtered["databases"].AsBsonArray)["name"].AsString);

        AssertError(await RunAsync("{ listDatabases: 1 }", Db), 13, "Unauthorized");
    }

    [Fact]
    public async Task ListCollections_supports_nameOnly_and_a_name_filter()
    {
        AssertOk(await RunAsync("{ create: 'b' }", Db));
        AssertOk(await RunAsync("{ insert: 'a', documents: [ { x: 1 } ] }", Db));

        var all = await RunOkAsync("{ listCollections: 1 }", Db);
        Assert.Equal("catalog.$cmd.listCollections", all["cursor"]["ns"].AsString);
        var entries = FirstBatch(all);
        Assert.Equal(["a", "b"], entries.Select(e => e["name"].AsString).Order());
        Assert.All(entries, e => Assert.Equal("collection", e["type"].AsString));
        Assert.All(entries, e => Assert.Equal(BsonBinarySubType.UuidStandard, e["info"]["uuid"].AsBsonBinaryData.SubType));

        var nameOnly = FirstBatch(await RunOkAsync("{ listCollections: 1, nameOnly: true }", Db));
        Assert.All(nameOnly, e => Assert.Equal(["name", "type"], e.Names.Order()));

        var filtered = FirstBatch(await RunOkAsync("{ listCollections: 1, filter: { name: 'b' } }", Db));
        Assert.Equal("b", Assert.Single(filtered)["name"].AsString);

        Assert.Empty(FirstBatch(await RunOkAsync("{ listCollections: 1 }", "emptyDatabase")));
    }

    [Fact]
    public async Task Create_refuses_an_existing_collection_and_drop_accepts_a_missing_one()
    {
        AssertOk(await RunAsync("{ create: 'c' }", Db));
        AssertError(await RunAsync("{ create: 'c' }", Db), 48, "NamespaceExists");

        var dropped = await RunOkAsync("{ drop: 'c' }", Db);
        Assert.Equal("catalog.c", dropped["ns"].AsString);
        Assert.Equal(1, dropped["nIndexesWas"].ToInt32());
        Assert.Empty(FirstBatch(await RunOkAsync("{ listCollections: 1 }", Db)));

        // MongoDB 7.0 answers ok for a collection that does not exist.
        AssertOk(await RunAsync("{ drop: 'neverExisted' }", Db));
    }

    [Fact]
    public async Task DropDatabase_removes_the_database_on_every_member()
    {
        AssertOk(await RunAsync("{ insert: 'c', documents: [ { a: 1 } ] }", Db));
        await Emulator.WaitForReplicationAsync();
        AssertOk(await RunAsync("{ dropDatabase: 1 }", Db));
        var names = await RunOkAsync("{ listDatabases: 1, nameOnly: true }", "admin");
        Assert.DoesNotContain(names["databases"].AsBsonArray, d => d["name"] == Db);

        await Emulator.WaitForReplicationAsync();
        Assert.All(Emulator.Members, m => Assert.Empty(m.GetDocuments(Db, "c")));
        AssertOk(await RunAsync("{ dropDatabase: 1 }", "neverExisted"));
    }

    [Fact]
    public async Task A_unique_index_refuses_duplicates_from_insert_update_and_upsert()
    {
        await CreateIndexAsync("{ key: { email: 1 }, name: 'email_1', unique: true }");
        AssertOk(await RunAsync("{ insert: 'c', documents: [ { _id: 1, email: 'a@x' }, { _id: 2, email: 'b@x' } ] }", Db));

        var insert = SingleWriteError(await RunAsync("{ insert: 'c', documents: [ { _id: 3, email: 'a@x' } ] }", Db));
        AssertDuplicateKey(insert, "email_1", Doc("{ email: 1 }"), Doc("{ email: 'a@x' }"));
        Assert.Equal(0, insert["index"].ToInt32());

        var update = SingleWriteError(await RunAsync("{ update: 'c', updates: [ { q: { _id: 2 }, u: { $set: { email: 'a@x' } } } ] }", Db));
        AssertDuplicateKey(update, "email_1", Doc("{ email: 1 }"), Doc("{ email: 'a@x' }"));

        var upsert =
            SingleWriteError(
                await RunAsync("{ update: 'c', updates: [ { q: { _id: 9 }, u: { $set: { email: 'b@x' } }, upsert: true } ] }", Db));
        AssertDuplicateKey(upsert, "email_1", Doc("{ email: 1 }"), Doc("{ email: 'b@x' }"));

        var documents = FirstBatch(await RunOkAsync("{ find: 'c', sort: { _id: 1 } }", Db));
        Assert.Equal([Doc("{ _id: 1, email: 'a@x' }"), Doc("{ _id: 2, email: 'b@x' }")], documents);
    }

    [Fact]
    public async Task A_duplicate_id_names_the_id_index()
    {
        AssertOk(await RunAsync("{ insert: 'c', documents: [ { _id: 1 } ] }", Db));
        var error = SingleWriteError(await RunAsync("{ insert: 'c', documents: [ { _id: 1 } ] }", Db));
        AssertDuplicateKey(error, "_id_", Doc("{ _id: 1 }"), Doc("{ _id: 1 }"));
    }

    [Fact]
    public async Task A_compound_unique_index_refuses_only_the_same_combination()
    {
        await CreateIndexAsync("{ key: { a: 1, b: -1 }, name: 'a_1_b_-1', unique: true }");
        AssertOk(
            await RunAsync("{ insert: 'c', documents: [ { _id: 1, a: 1, b: 1 }, { _id: 2, a: 1, b: 2 }, { _id: 3, a: 2, b: 1 } ] }", Db));
        var error = SingleWriteError(await RunAsync("{ insert: 'c', documents: [ { _id: 4, a: 1, b: 2 } ] }", Db));
        AssertDuplicateKey(error, "a_1_b_-1", Doc("{ a: 1, b: -1 }"), Doc("{ a: 1, b: 2 }"));
    }

    [Fact]
    public async Task A_sparse_unique_index_allows_several_documents_without_the_field()
    {
        await CreateIndexAsync("{ key: { code: 1 }, name: 'code_1', unique: true, sparse: true }");
        var reply = await RunOkAsync("{ insert: 'c', documents: [ { _id: 1 }, { _id: 2 }, { _id: 3, code: 'x' } ] }", Db);
        Assert.Equal(3, reply["n"].ToInt32());
        SingleWriteError(await RunAsync("{ insert: 'c', documents: [ { _id: 4, code: 'x' } ] }", Db));

        // Without sparse, a missing field indexes as null: building such an index over these documents fails,
        // and on a collection with one document missing the field, a second one is a duplicate.
        AssertOk(await RunAsync("{ insert: 'existing', documents: [ { _id: 1 }, { _id: 2 } ] }", Db));
        var build = await RunAsync("{ createIndexes: 'existing', indexes: [ { key: { code: 1 }, name: 'code_1', unique: true } ] }", Db);
        AssertError(build, 11000, "DuplicateKey");
        Assert.Equal(["_id_"], FirstBatch(await RunOkAsync("{ listIndexes: 'existing' }", Db)).Select(i => i["name"].AsString));

        AssertOk(await RunAsync("{ createIndexes: 'dense', indexes: [ { key: { code: 1 }, name: 'code_1', unique: true } ] }", Db));
        AssertOk(await RunAsync("{ insert: 'dense', documents: [ { _id: 1 } ] }", Db));
        var second = await RunAsync("{ insert: 'dense', documents: [ { _id: 2 } ] }", Db);
        var error = Assert.Single(second["writeErrors"].AsBsonArray).AsBsonDocument;
        Assert.Equal(11000, error["code"].ToInt32());
        Assert.Equal(Doc("{ code: null }"), error["keyValue"].AsBsonDocument);
    }

    [Fact]
    public async Task A_partial_unique_index_applies_only_to_matching_documents()
    {
        await CreateIndexAsync("{ key: { email: 1 }, name: 'active_email', unique: true, partialFilterExpression: { active: true } }");
        var reply =
            await RunOkAsync(
                "{ insert: 'c', documents: [ { _id: 1, email: 'a', active: false }, { _id: 2, email: 'a', active: false }, { _id: 3, " +
                    "email: 'a', active: true } ] }", Db);
        Assert.Equal(3, reply["n"].ToInt32());

        var error = SingleWriteError(await RunAsync("{ insert: 'c', documents: [ { _id: 4, email: 'a', active: true } ] }", Db));
        AssertDuplicateKey(error, "active_email", Doc("{ email: 1 }"), Doc("{ email: 'a' }"));

        // Turning an inactive duplicate active brings it under the index.
        SingleWriteError(await RunAsync("{ update: 'c', updates: [ { q: { _id: 1 }, u: { $set: { active: true } } } ] }", Db));
    }

    [Fact]
    public async Task CreateIndexes_conflicts_use_codes_85_and_86()
    {
        await CreateIndexAsync("{ key: { a: 1 }, name: 'a_1' }");

        var again = await RunOkAsync("{ createIndexes: 'c', indexes: [ { key: { a: 1 }, name: 'a_1' } ] }", Db);
        Assert.Equal(again["numIndexesBefore"], again["numIndexesAfter"]);

        AssertError(await RunAsync("{ createIndexes: 'c', indexes: [ { key: { a: 1 }, name: 'other_name' } ] }", Db), 85,
            "IndexOptionsConflict");
        AssertError(await RunAsync("{ createIndexes: 'c', indexes: [ { key: { b: 1 }, name: 'a_1' } ] }", Db), 86, "IndexKeySpecsConflict");
        Assert.Equal(["_id_", "a_1"], await IndexNamesAsync());
    }

    [Fact]
    public async Task CreateIndexes_reports_counts_and_creates_the_collection()
    {
        var reply = await RunOkAsync("{ createIndexes: 'c', indexes: [ { key: { a: 1 }, name: 'a_1' }, { key: { b: -1 } } ] }", Db);
        Assert.Equal(1, reply["numIndexesBefore"].ToInt32());
        Assert.Equal(3, reply["numIndexesAfter"].ToInt32());
        Assert.True(reply["createdCollectionAutomatically"].AsBoolean);
        Assert.Equal(["_id_", "a_1", "b_-1"], await IndexNamesAsync());
    }

    [Fact]
    public async Task ListIndexes_of_a_missing_collection_is_NamespaceNotFound()
    {
        AssertError(await RunAsync("{ listIndexes: 'missing' }", Db), 26, "NamespaceNotFound");

        AssertOk(await RunAsync("{ create: 'c' }", Db));
        var id = Assert.Single(FirstBatch(await RunOkAsync("{ listIndexes: 'c' }", Db)));
        Assert.Equal("_id_", id["name"].AsString);
        Assert.Equal(Doc("{ _id: 1 }"), id["key"].AsBsonDocument);
        Assert.Equal(2, id["v"].ToInt32());
    }

    [Fact]
    public async Task DropIndexes_by_name_by_key_and_star_and_its_errors()
    {
        await CreateIndexAsync("{ key: { a: 1 }, name: 'a_1' }");
        await CreateIndexAsync("{ key: { b: 1 }, name: 'b_1' }");
        await CreateIndexAsync("{ key: { c: 1 }, name: 'c_1' }");
        await CreateIndexAsync("{ key: { d: 1 }, name: 'd_1' }");

        var byName = await RunOkAsync("{ dropIndexes: 'c', index: 'a_1' }", Db);
        Assert.Equal(5, byName["nIndexesWas"].ToInt32());
        Assert.Equal(["_id_", "b_1", "c_1", "d_1"], await IndexNamesAsync());

        await RunOkAsync("{ dropIndexes: 'c', index: { b: 1 } }", Db);
        Assert.Equal(["_id_", "c_1", "d_1"], await IndexNamesAsync());

        AssertError(await RunAsync("{ dropIndexes: 'c', index: 'no_such_index' }", Db), 27, "IndexNotFound");
        AssertError(await RunAsync("{ dropIndexes: 'c', index: { zz: 1 } }", Db), 27, "IndexNotFound");
        AssertError(await RunAsync("{ dropIndexes: 'c', index: '_id_' }", Db), 72, "InvalidOptions");
        Assert.Equal(["_id_", "c_1", "d_1"], await IndexNamesAsync());

        await RunOkAsync("{ dropIndexes: 'c', index: '*' }", Db);
        Assert.Equal(["_id_"], await IndexNamesAsync());

        AssertError(await RunAsync("{ dropIndexes: 'missing', index: '*' }", Db), 26, "NamespaceNotFound");
    }

    [Fact]
    public async Task Dropping_a_unique_index_lifts_its_constraint()
    {
        await CreateIndexAsync("{ key: { a: 1 }, name: 'a_1', unique: true }");
        AssertOk(await RunAsync("{ insert: 'c', documents: [ { a: 1 } ] }", Db));
        SingleWriteError(await RunAsync("{ insert: 'c', documents: [ { a: 1 } ] }", Db));
        await RunOkAsync("{ dropIndexes: 'c', index: 'a_1' }", Db);
        var reply = await RunOkAsync("{ insert: 'c', documents: [ { a: 1 } ] }", Db);
        Assert.False(reply.Contains("writeErrors"));
    }
}
