using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>insert, update, delete, find/getMore/killCursors, count, distinct and findAndModify: reply shapes and error codes.</summary>
public sealed class CrudCommandTests : CommandTestBase
{
    private const string Db = "crud";

    private async Task SeedAsync(string documents) => AssertOk(await RunAsync($"{{ insert: 'c', documents: {documents} }}", Db));

    private async Task<List<BsonDocument>> AllAsync(string sort = "{ _id: 1 }") =>
        FirstBatch(await RunAsync($"{{ find: 'c', sort: {sort} }}", Db));

    // ----- insert -----

    [Fact]
    public async Task Insert_generates_an_ObjectId_id_first_when_missing()
    {
        var reply = await RunAsync("{ insert: 'c', documents: [ { x: 1 } ] }", Db);
        AssertOk(reply);
        Assert.Equal(1, reply["n"].ToInt32());
        Assert.False(reply.Contains("writeErrors"));

        var stored = Assert.Single(await AllAsync());
        Assert.Equal("_id", stored.GetElement(0).Name);
        Assert.Equal(BsonType.ObjectId, stored["_id"].BsonType);
        Assert.Equal(1, stored["x"].ToInt32());
    }

    [Fact]
    public async Task An_ordered_insert_stops_at_a_duplicate_in_the_middle()
    {
        var reply = await RunAsync("{ insert: 'c', documents: [ { _id: 1 }, { _id: 1 }, { _id: 2 } ] }", Db);
        AssertOk(reply);
        Assert.Equal(1, reply["n"].ToInt32());
        var error = Assert.Single(reply["writeErrors"].AsBsonArray).AsBsonDocument;
        Assert.Equal(1, error["index"].ToInt32());
        Assert.Equal(11000, error["code"].ToInt32());
        Assert.Contains("E11000 duplicate key error", error["errmsg"].AsString, StringComparison.Ordinal);
        Assert.Equal([1], (await AllAsync()).Select(d => d["_id"].ToInt32()));
    }

    [Fact]
    public async Task An_unordered_insert_goes_past_a_duplicate_in_the_middle()
    {
        var reply = await RunAsync("{ insert: 'c', documents: [ { _id: 1 }, { _id: 1 }, { _id: 2 } ], ordered: false }", Db);
        AssertOk(reply);
        Assert.Equal(2, reply["n"].ToInt32());
        var error = Assert.Single(reply["writeErrors"].AsBsonArray).AsBsonDocument;
        Assert.Equal(1, error["index"].ToInt32());
        Assert.Equal(11000, error["code"].ToInt32());
        Assert.Equal([1, 2], (await AllAsync()).Select(d => d["_id"].ToInt32()));
    }

    // ----- update -----

    [Fact]
    public async Task Update_replaces_a_document_keeping_its_id()
    {
        await SeedAsync("[ { _id: 1, a: 1, b: 2 } ]");
        var reply = await RunAsync("{ update: 'c', updates: [ { q: { _id: 1 }, u: { z: 9 } } ] }", Db);
        AssertOk(reply);
        Assert.Equal(1, reply["n"].ToInt32());
        Assert.Equal(1, reply["nModified"].ToInt32());
        Assert.Equal(Doc("{ _id: 1, z: 9 }"), Assert.Single(await AllAsync()));
    }

    [Fact]
    public async Task Update_operators_set_inc_and_unset_fields()
    {
        await SeedAsync("[ { _id: 1, a: 1, b: 2, c: 3 } ]");
        var reply =
            await RunAsync("{ update: 'c', updates: [ { q: { _id: 1 }, u: { $set: { a: 10 }, $inc: { b: 5 }, $unset: { c: '' } } } ] }",
                Db);
        AssertOk(reply);
        Assert.Equal(Doc("{ _id: 1, a: 10, b: 7 }"), Assert.Single(await AllAsync()));
    }

    [Fact]
    public async Task Update_counts_matched_and_modified_separately()
    {
        await SeedAsync("[ { _id: 1, a: 1 }, { _id: 2, a: 2 }, { _id: 3, a: 1 } ]");
        var reply = await RunAsync("{ update: 'c', updates: [ { q: {}, u: { $set: { a: 1 } }, multi: true } ] }", Db);
        AssertOk(reply);
        Assert.Equal(3, reply["n"].ToInt32());
        Assert.Equal(1, reply["nModified"].ToInt32());

        var single = await RunAsync("{ update: 'c', updates: [ { q: { a: 1 }, u: { $set: { b: true } } } ] }", Db);
        Assert.Equal(1, single["n"].ToInt32());
        Assert.Equal(1, single["nModified"].ToInt32());
        Assert.Equal(1, (await AllAsync()).Count(d => d.Contains("b")));

        var multi = await RunAsync("{ update: 'c', updates: [ { q: { a: 1 }, u: { $set: { b: true } }, multi: true } ] }", Db);
        Assert.Equal(3, multi["n"].ToInt32());
        Assert.Equal(2, multi["nModified"].ToInt32());
    }

    [Fact]
    public async Task Update_with_upsert_reports_the_upserted_id_and_index()
    {
        await SeedAsync("[ { _id: 1, a: 1 } ]");
        var reply =
            await RunAsync(
                "{ update: 'c', updates: [ { q: { _id: 1 }, u: { $set: { a: 2 } }, upsert: true }, { q: { _id: 7 }, u: { $set: { a: 7 } " +
                    "}, upsert: true } ] }", Db);
        AssertOk(reply);
        Assert.Equal(2, reply["n"].ToInt32());
        Assert.Equal(1, reply["nModified"].ToInt32());
        var upserted = Assert.Single(reply["upserted"].AsBsonArray).AsBsonDocument;
        Assert.Equal(Doc("{ index: 1, _id: 7 }"), upserted);
        Assert.Equal(Doc("{ _id: 7, a: 7 }"), (await AllAsync())[1]);

        var generated = await RunAsync("{ update: 'c', updates: [ { q: { name: 'new' }, u: { $inc: { n: 1 } }, upsert: true } ] }", Db);
        Assert.Equal(BsonType.ObjectId, generated["upserted"][0]["_id"].BsonType);
        var created = FirstBatch(await RunAsync("{ find: 'c', filter: { name: 'new' } }", Db)).Single();
        Assert.Equal(1, created["n"].ToInt32());
        Assert.Equal(generated["upserted"][0]["_id"], created["_id"]);
    }

    [Fact]
    public async Task Update_with_arrayFilters_changes_only_the_matching_elements()
    {
        await SeedAsync("[ { _id: 1, grades: [ 95, 92, 90 ] }, { _id: 2, grades: [ 98, 100, 102 ] } ]");
        var reply =
            await RunAsync(
                "{ update: 'c', updates: [ { q: {}, u: { $set: { 'grades.$[element]': 100 } }, multi: true, arrayFilters: [ { element: { " +
                    "$gte: 100 } } ] } ] }", Db);
        AssertOk(reply);
        Assert.Equal(2, reply["n"].ToInt32());
        Assert.Equal(1, reply["nModified"].ToInt32());
        var all = await AllAsync();
        Assert.Equal(new BsonArray { 95, 92, 90 }, all[0]["grades"].AsBsonArray);
        Assert.Equal(new BsonArray { 98, 100, 100 }, all[1]["grades"].AsBsonArray);
    }

    // ----- delete -----

    [Fact]
    public async Task Delete_removes_one_with_limit_1_and_all_with_limit_0()
    {
        await SeedAsync("[ { _id: 1, a: 1 }, { _id: 2, a: 1 }, { _id: 3, a: 1 }, { _id: 4, a: 2 } ]");
        var one = await RunAsync("{ delete: 'c', deletes: [ { q: { a: 1 }, limit: 1 } ] }", Db);
        AssertOk(one);
        Assert.Equal(1, one["n"].ToInt32());
        Assert.Equal(3, (await AllAsync()).Count);

        var all = await RunAsync("{ delete: 'c', deletes: [ { q: { a: 1 }, limit: 0 } ] }", Db);
        Assert.Equal(2, all["n"].ToInt32());
        Assert.Equal([4], (await AllAsync()).Select(d => d["_id"].ToInt32()));

        var none = await RunAsync("{ delete: 'c', deletes: [ { q: { a: 99 }, limit: 0 } ] }", Db);
        AssertOk(none);
        Assert.Equal(0, none["n"].ToInt32());
    }

    [Fact]
    public async Task Delete_rejects_a_limit_other_than_0_or_1_before_deleting_anything()
    {
        await SeedAsync("[ { _id: 1 }, { _id: 2 } ]");
        var reply = await RunAsync("{ delete: 'c', deletes: [ { q: { _id: 1 }, limit: 1 }, { q: {}, limit: 5 } ] }", Db);
        AssertError(reply, 9, "FailedToParse");
        Assert.Equal(2, (await AllAsync()).Count);
    }

    // ----- find, getMore, killCursors -----

    [Fact]
    public async Task Find_applies_filter_sort_skip_limit_and_projection()
    {
        await SeedAsync(
            "[ { _id: 1, a: 5, b: 'x' }, { _id: 2, a: 3, b: 'y' }, { _id: 3, a: 9, b: 'z' }, { _id: 4, a: 1, b: 'w' }, { _id: 5, a: 7, " +
                "b: 'v' } ]");
        var reply =
            await RunAsync("{ find: 'c', filter: { a: { $gt: 1 } }, sort: { a: -1 }, skip: 1, limit: 2, projection: { a: 1, _id: 0 } }",
                Db);
        Assert.Equal([Doc("{ a: 7 }"), Doc("{ a: 5 }")], FirstBatch(reply));
        Assert.Equal(0L, reply["cursor"]["id"].ToInt64());
        Assert.Equal("crud.c", reply["cursor"]["ns"].AsString);
    }

    [Fact]
    public async Task Find_with_batchSize_pages_through_getMore_until_exhausted()
    {
        await SeedAsync("[ { _id: 1 }, { _id: 2 }, { _id: 3 }, { _id: 4 }, { _id: 5 } ]");
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await TestSupport.RawCommandClient.ConnectAsync(primary.Port);
        var first = await raw.RunAsync(Doc("{ find: 'c', sort: { _id: 1 }, batchSize: 2 }"), Db);
        var seen = FirstBatch(first).Select(d => d["_id"].ToInt32()).ToList();
        Assert.Equal([1, 2], seen);
        var cursorId = first["cursor"]["id"].ToInt64();
        Assert.NotEqual(0L, cursorId);
        Assert.Equal(BsonType.Int64, first["cursor"]["id"].BsonType);

        var batches = 1;
        while (cursorId != 0)
        {
            var more = await raw.RunAsync(new BsonDocument { { "getMore", cursorId }, { "collection", "c" }, { "batchSize", 2 } }, Db);
            AssertOk(more);
            Assert.Equal("crud.c", more["cursor"]["ns"].AsString);
            seen.AddRange(more["cursor"]["nextBatch"].AsBsonArray.Select(d => d["_id"].ToInt32()));
            cursorId = more["cursor"]["id"].ToInt64();
            Assert.True(++batches <= 3, "the cursor did not end after the last document");
        }

        Assert.Equal([1, 2, 3, 4, 5], seen);
        Assert.Equal(3, batches);
    }

    [Fact]
    public async Task GetMore_rejects_a_negative_batchSize_and_keeps_the_cursor()
    {
        await SeedAsync("[ { _id: 1 }, { _id: 2 }, { _id: 3 } ]");
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await TestSupport.RawCommandClient.ConnectAsync(primary.Port);
        var first = await raw.RunAsync(Doc("{ find: 'c', sort: { _id: 1 }, batchSize: 1 }"), Db);
        var id = first["cursor"]["id"].ToInt64();

        var negative = await raw.RunAsync(new BsonDocument { { "getMore", id }, { "collection", "c" }, { "batchSize", -1 } }, Db);
        AssertError(negative, 51024, "Location51024");

        var rest = await raw.RunAsync(new BsonDocument { { "getMore", id }, { "collection", "c" } }, Db);
        AssertOk(rest);
        Assert.Equal([2, 3], rest["cursor"]["nextBatch"].AsBsonArray.Select(d => d["_id"].ToInt32()));
        Assert.Equal(0L, rest["cursor"]["id"].ToInt64());
    }

    [Fact]
    public async Task Find_with_singleBatch_closes_the_cursor_after_the_first_batch()
    {
        await SeedAsync("[ { _id: 1 }, { _id: 2 }, { _id: 3 } ]");
        var reply = await RunAsync("{ find: 'c', batchSize: 2, singleBatch: true }", Db);
        Assert.Equal(2, FirstBatch(reply).Count);
        Assert.Equal(0L, reply["cursor"]["id"].ToInt64());

        var limited = await RunAsync("{ find: 'c', limit: 1, singleBatch: true }", Db);
        Assert.Single(FirstBatch(limited));
        Assert.Equal(0L, limited["cursor"]["id"].ToInt64());
    }

    [Fact]
    public async Task Find_rejects_negative_limit_skip_and_batchSize_as_mongod_7_does()
    {
        // Drivers turn a legacy negative limit into limit + singleBatch; the find command itself refuses it.
        await SeedAsync("[ { _id: 1 } ]");
        AssertError(await RunAsync("{ find: 'c', limit: -1 }", Db), 51024, "Location51024");
        AssertError(await RunAsync("{ find: 'c', skip: -1 }", Db), 51024, "Location51024");
        AssertError(await RunAsync("{ find: 'c', batchSize: -1 }", Db), 51024, "Location51024");
    }

    [Fact]
    public async Task Find_rejects_arguments_of_the_wrong_type_with_TypeMismatch()
    {
        await SeedAsync("[ { _id: 1 } ]");
        AssertError(await RunAsync("{ find: 'c', filter: 5 }", Db), 14, "TypeMismatch");
        AssertError(await RunAsync("{ find: 'c', sort: 'a' }", Db), 14, "TypeMismatch");
        AssertError(await RunAsync("{ find: 'c', projection: [ 1 ] }", Db), 14, "TypeMismatch");
        AssertError(await RunAsync("{ find: 'c', limit: 'ten' }", Db), 14, "TypeMismatch");
        AssertError(await RunAsync("{ find: 'c', skip: { } }", Db), 14, "TypeMismatch");
        AssertError(await RunAsync("{ insert: 'c', documents: { _id: 2 } }", Db), 14, "TypeMismatch");
    }

    [Fact]
    public async Task A_hint_naming_a_missing_index_is_BadValue()
    {
        await SeedAsync("[ { _id: 1 } ]");
        AssertError(await RunAsync("{ find: 'c', hint: 'no_such_index' }", Db), 2, "BadValue");
        AssertError(await RunAsync("{ find: 'c', hint: { nope: 1 } }", Db), 2, "BadValue");
        AssertError(await RunAsync("{ count: 'c', hint: 'no_such_index' }", Db), 2, "BadValue");
        Assert.Single(FirstBatch(await RunAsync("{ find: 'c', hint: '_id_' }", Db)));
        Assert.Single(FirstBatch(await RunAsync("{ find: 'c', hint: { _id: 1 } }", Db)));
    }

    [Fact]
    public async Task GetMore_of_an_unknown_cursor_is_CursorNotFound()
    {
        await SeedAsync("[ { _id: 1 } ]");
        var reply = await RunAsync("{ getMore: NumberLong('123456789'), collection: 'c' }", Db);
        AssertError(reply, 43, "CursorNotFound");
    }

    [Fact]
    public async Task KillCursors_reports_killed_and_unknown_cursors()
    {
        await SeedAsync("[ { _id: 1 }, { _id: 2 }, { _id: 3 } ]");
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await TestSupport.RawCommandClient.ConnectAsync(primary.Port);
        var open = await raw.RunAsync(Doc("{ find: 'c', batchSize: 1 }"), Db);
        var id = open["cursor"]["id"].AsInt64;
        Assert.NotEqual(0L, id);
        var unknown = id == 42L ? 43L : 42L;

        var killed = await raw.RunAsync(new BsonDocument { { "killCursors", "c" }, { "cursors", new BsonArray { id, unknown } } }, Db);
        AssertOk(killed);
        Assert.Equal(new BsonArray { id }, killed["cursorsKilled"].AsBsonArray);
        Assert.Equal(new BsonArray { unknown }, killed["cursorsNotFound"].AsBsonArray);
        Assert.Empty(killed["cursorsAlive"].AsBsonArray);
        Assert.Empty(killed["cursorsUnknown"].AsBsonArray);

        var after = await raw.RunAsync(new BsonDocument { { "getMore", id }, { "collection", "c" } }, Db);
        AssertError(after, 43, "CursorNotFound");
    }

    // ----- count, distinct -----

    [Fact]
    public async Task Count_applies_query_skip_and_limit()
    {
        await SeedAsync("[ { _id: 1, a: 1 }, { _id: 2, a: 1 }, { _id: 3, a: 1 }, { _id: 4, a: 2 } ]");
        Assert.Equal(4, (await RunOkAsync("{ count: 'c' }", Db))["n"].ToInt32());
        Assert.Equal(3, (await RunOkAsync("{ count: 'c', query: { a: 1 } }", Db))["n"].ToInt32());
        Assert.Equal(2, (await RunOkAsync("{ count: 'c', query: { a: 1 }, skip: 1 }", Db))["n"].ToInt32());
        Assert.Equal(1, (await RunOkAsync("{ count: 'c', query: { a: 1 }, skip: 1, limit: 1 }", Db))["n"].ToInt32());
        Assert.Equal(0, (await RunOkAsync("{ count: 'missing' }", Db))["n"].ToInt32());
    }

    [Fact]
    public async Task Distinct_unwinds_array_values()
    {
        await SeedAsync("[ { _id: 1, tags: [ 'a', 'b' ] }, { _id: 2, tags: 'c' }, { _id: 3, tags: [ 'b', 'c', 'd' ] }, { _id: 4 } ]");
        var reply = await RunOkAsync("{ distinct: 'c', key: 'tags' }", Db);
        Assert.Equal(new[] { "a", "b", "c", "d" }, reply["values"].AsBsonArray.Select(v => v.AsString).Order());

        var filtered = await RunOkAsync("{ distinct: 'c', key: 'tags', query: { _id: { $lte: 2 } } }", Db);
        Assert.Equal(new[] { "a", "b", "c" }, filtered["values"].AsBsonArray.Select(v => v.AsString).Order());
    }

    // ----- findAndModify -----

    [Fact]
    public async Task FindAndModify_returns_the_old_or_new_document_of_the_first_by_sort()
    {
        await SeedAsync("[ { _id: 1, a: 1, n: 0 }, { _id: 2, a: 1, n: 0 } ]");
        var old = await RunOkAsync("{ findAndModify: 'c', query: { a: 1 }, sort: { _id: -1 }, update: { $inc: { n: 1 } } }", Db);
        Assert.Equal(Doc("{ _id: 2, a: 1, n: 0 }"), old["value"].AsBsonDocument);
        Assert.Equal(1, old["lastErrorObject"]["n"].ToInt32());
        Assert.True(old["lastErrorObject"]["updatedExisting"].AsBoolean);

        var updated =
            await RunOkAsync(
                "{ findAndModify: 'c', query: { a: 1 }, sort: { _id: -1 }, update: { $inc: { n: 1 } }, new: true, fields: { n: 1, _id: 0 " +
                    "} }", Db);
        Assert.Equal(Doc("{ n: 2 }"), updated["value"].AsBsonDocument);
        Assert.Equal(0, (await AllAsync())[0]["n"].ToInt32());
    }

    [Fact]
    public async Task FindAndModify_removes_and_upserts()
    {
        await SeedAsync("[ { _id: 1, a: 1 }, { _id: 2, a: 2 } ]");
        var removed = await RunOkAsync("{ findAndModify: 'c', query: { a: 2 }, remove: true }", Db);
        Assert.Equal(Doc("{ _id: 2, a: 2 }"), removed["value"].AsBsonDocument);
        Assert.Equal(1, removed["lastErrorObject"]["n"].ToInt32());
        Assert.Equal([1], (await AllAsync()).Select(d => d["_id"].ToInt32()));

        var upserted =
            await RunOkAsync("{ findAndModify: 'c', query: { _id: 5 }, update: { $set: { a: 5 } }, upsert: true, new: true }", Db);
        Assert.Equal(Doc("{ _id: 5, a: 5 }"), upserted["value"].AsBsonDocument);
        Assert.False(upserted["lastErrorObject"]["updatedExisting"].AsBoolean);
        Assert.Equal(5, upserted["lastErrorObject"]["upserted"].ToInt32());
        Assert.Equal(1, upserted["lastErrorObject"]["n"].ToInt32());

        var upsertOld = await RunOkAsync("{ findAndModify: 'c', query: { _id: 6 }, update: { $set: { a: 6 } }, upsert: true }", Db);
        Assert.Equal(BsonNull.Value, upsertOld["value"]);

        var nothing = await RunOkAsync("{ findAndModify: 'c', query: { a: 99 }, remove: true }", Db);
        Assert.Equal(BsonNull.Value, nothing["value"]);
        Assert.Equal(0, nothing["lastErrorObject"]["n"].ToInt32());
    }

    [Fact]
    public async Task FindAndModify_refuses_update_and_remove_together()
    {
        await SeedAsync("[ { _id: 1 } ]");
        AssertError(await RunAsync("{ findAndModify: 'c', query: {}, remove: true, update: { $set: { a: 1 } } }", Db), 9, "FailedToParse");
        AssertError(await RunAsync("{ findAndModify: 'c', query: {} }", Db), 9, "FailedToParse");
    }
}
