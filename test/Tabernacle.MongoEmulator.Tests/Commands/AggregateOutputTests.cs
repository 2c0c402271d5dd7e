using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary><c>$out</c> and <c>$merge</c> through the C# driver, with mongod 7.0's semantics and error codes.</summary>
public sealed class AggregateOutputTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    private IMongoDatabase Database => Client.GetDatabase("output");

    private async Task<IMongoCollection<BsonDocument>> SourceAsync()
    {
        var source = Database.GetCollection<BsonDocument>("source");
        await source.InsertManyAsync(Enumerable.Range(1, 6).Select(i => new BsonDocument { { "_id", i }, { "group", i % 3 }, { "v",
            i * 10 } }));
        return source;
    }

    private static async Task<List<BsonDocument>> AllAsync(IMongoCollection<BsonDocument> collection) =>
        await collection.Find(FilterDefinition<BsonDocument>.Empty).Sort(Doc("{ _id: 1 }")).ToListAsync();

    [Fact]
    public async Task Out_replaces_the_target_keeping_its_indexes_and_leaves_it_untouched_on_a_duplicate_key()
    {
        var source = await SourceAsync();
        var target = Database.GetCollection<BsonDocument>("totals");
        await target.InsertOneAsync(Doc("{ _id: 'old', total: -1 }"));
        await target.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(Doc("{ total: 1 }"),
            new CreateIndexOptions { Unique = true }));

        var results = await source.Aggregate().Group(Doc("{ _id: '$group', total: { $sum: '$v' } }")).Out(target).ToListAsync();
        Assert.Equal([0, 1, 2], results.Select(d => d["_id"].AsInt32).Order());
        Assert.Equal([90, 50, 70], (await AllAsync(target)).Select(d => d["total"].AsInt32));
        Assert.Contains(await (await target.Indexes.ListAsync()).ToListAsync(), i => i["name"] == "total_1" && i["unique"].ToBoolean());

        // Two results with one total break the target's unique index: the stage fails and the target stays as it was.
        var duplicate = await Assert.ThrowsAsync<MongoCommandException>(() => source.Aggregate()
            .Project(Doc("{ total: { $literal: 5 } }")).Out(target).ToListAsync());
        Assert.Equal(11000, duplicate.Code);
        Assert.Equal([90, 50, 70], (await AllAsync(target)).Select(d => d["total"].AsInt32));

        var notLast = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(
            Doc("{ aggregate: 'source', pipeline: [{ $out: 'x' }, { $match: {} }], cursor: {} }")));
        Assert.Equal(40601, notLast.Code);

        var linearizable = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(
            Doc("{ aggregate: 'source', pipeline: [{ $out: 'x' }], cursor: {}, readConcern: { level: 'linearizable' } }")));
        Assert.Equal(72, linearizable.Code);
        var special = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(
            Doc("{ aggregate: 'source', pipeline: [{ $merge: { into: 'system.x' } }], cursor: {} }")));
        Assert.Equal(51180, special.Code);
        Assert.DoesNotContain("x", await (await Database.ListCollectionNamesAsync()).ToListAsync());
    }

    [Fact]
    public async Task Out_is_refused_in_a_transaction()
    {
        var source = await SourceAsync();
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => source.Aggregate(session).Out("copy").ToListAsync());
        Assert.Equal(263, error.Code);
        await session.AbortTransactionAsync();
        Assert.DoesNotContain("copy", await (await Database.ListCollectionNamesAsync()).ToListAsync());
    }

    [Fact]
    public async Task Merge_applies_whenMatched_and_whenNotMatched_on_id_or_a_unique_key()
    {
        var source = await SourceAsync();
        var target = Database.GetCollection<BsonDocument>("merged");
        await target.InsertManyAsync([Doc("{ _id: 1, v: 0, keep: true }"), Doc("{ _id: 2, v: 0, keep: true }")]);

        // Defaults: whenMatched merge (fields set, others kept), whenNotMatched insert.
        await source.Aggregate().Match(Doc("{ _id: { $lte: 3 } }")).MergeAsync(target);
        var merged = await AllAsync(target);
        Assert.Equal([1, 2, 3], merged.Select(d => d["_id"].AsInt32));
        Assert.Equal([10, 20, 30], merged.Select(d => d["v"].AsInt32));
        Assert.True(merged[0]["keep"].AsBoolean);

        // replace drops the fields the result lacks; discard ignores results with no match.
        await source.Aggregate().Match(Doc("{ _id: { $in: [1, 5] } }")).Project(Doc("{ v: 1 }")).MergeAsync(target,
            new MergeStageOptions<BsonDocument> { WhenMatched = MergeStageWhenMatched.Replace,
                WhenNotMatched = MergeStageWhenNotMatched.Discard });
        merged = await AllAsync(target);
        Assert.Equal([1, 2, 3], merged.Select(d => d["_id"].AsInt32));
        Assert.False(merged[0].Contains("keep"));

        // An update pipeline sees the result as $$new.
        await Database.RunCommandAsync<BsonDocument>(Doc(
            "{ aggregate: 'source', pipeline: [{ $match: { _id: 2 } }, { $merge: { into: 'merged', "
            + "whenMatched: [{ $set: { v: { $add: ['$v', '$$new.v'] } } }] } }], cursor: {} }"));
        Assert.Equal(40, (await target.Find(Doc("{ _id: 2 }")).SingleAsync())["v"].AsInt32);

        // whenMatched fail is an insert: a match is a duplicate key (11000), and what came before it stays.
        var failed = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(Doc(
            "{ aggregate: 'source', pipeline: [{ $match: { _id: { $in: [3, 4] } } }, { $sort: { _id: -1 } }, "
            + "{ $merge: { into: 'merged', whenMatched: 'fail' } }], cursor: {} }")));
        Assert.Equal(11000, failed.Code);
        Assert.Equal([1, 2, 3, 4], (await AllAsync(target)).Select(d => d["_id"].AsInt32));

        var notMatched = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(Doc(
            "{ aggregate: 'source', pipeline: [{ $match: { _id: 6 } }, { $merge: { into: 'merged', "
            + "whenNotMatched: 'fail' } }], cursor: {} }")));
        Assert.Equal(13113, notMatched.Code);

        // Another key needs a unique index on it.
        var noIndex = await Assert.ThrowsAsync<MongoCommandException>(() => Database.RunCommandAsync<BsonDocument>(Doc(
            "{ aggregate: 'source', pipeline: [{ $project: { _id: 0, group: 1 } }, { $merge: { into: 'byGroup', "
            + "on: 'group' } }], cursor: {} }")));
        Assert.Equal(51183, noIndex.Code);
        var byGroup = Database.GetCollection<BsonDocument>("byGroup");
        await byGroup.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(Doc("{ group: 1 }"),
            new CreateIndexOptions { Unique = true }));
        await Database.RunCommandAsync<BsonDocument>(Doc(
            "{ aggregate: 'source', pipeline: [{ $group: { _id: '$group', n: { $sum: 1 } } }, { $project: { _id: 0, "
            + "group: '$_id', n: 1 } }, { $merge: { into: 'byGroup', on: 'group' } }], cursor: {} }"));
        Assert.Equal(3, await byGroup.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
        Assert.All(await AllAsync(byGroup), d => Assert.Equal(2, d["n"].AsInt32));
    }
}

/// <summary>mongod 5.0+ runs an aggregate with <c>$out</c> or <c>$merge</c> on a secondary, writing to the primary.</summary>
public sealed class AggregateOutputOnSecondaryTests : EmulatorTestBase
{
    [Fact]
    public async Task Out_and_merge_with_a_secondary_read_preference_read_there_and_write_through_the_primary()
    {
        var database = Client.GetDatabase("output");
        var source = database.GetCollection<BsonDocument>("source").WithWriteConcern(new WriteConcern(3));
        await source.InsertManyAsync(Enumerable.Range(1, 4).Select(i => new BsonDocument { { "_id", i }, { "v", i } }));

        var onSecondary = source.WithReadPreference(ReadPreference.Secondary);
        await onSecondary.Aggregate().Match(Doc("{ v: { $gt: 2 } }")).Out("copied").ToListAsync();
        await onSecondary.Aggregate().Match(Doc("{ v: 1 }")).MergeAsync(database.GetCollection<BsonDocument>("copied"));

        var copied = await database.GetCollection<BsonDocument>("copied").Find(FilterDefinition<BsonDocument>.Empty)
            .Sort(Doc("{ _id: 1 }")).ToListAsync();
        Assert.Equal([1, 3, 4], copied.Select(d => d["_id"].AsInt32));
    }
}
