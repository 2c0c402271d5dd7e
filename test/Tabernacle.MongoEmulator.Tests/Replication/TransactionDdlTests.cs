using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>Collections and indexes created inside a transaction stay invisible to others until it commits, as on mongod.</summary>
public sealed class TransactionDdlTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    private IMongoDatabase Database => Client.GetDatabase("ddl");

    private async Task<List<string>> CollectionNamesAsync() => await (await Database.ListCollectionNamesAsync()).ToListAsync();

    [Fact]
    public async Task A_collection_and_index_created_in_a_transaction_appear_only_at_commit()
    {
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Database.CreateCollectionAsync(session, "fresh");
        var fresh = Database.GetCollection<BsonDocument>("fresh");
        await fresh.Indexes.CreateOneAsync(session, new CreateIndexModel<BsonDocument>(Doc("{ sku: 1 }"),
            new CreateIndexOptions { Unique = true }));
        await fresh.InsertOneAsync(session, Doc("{ _id: 1, sku: 'a' }"));
        Assert.Single(await fresh.Find(session, FilterDefinition<BsonDocument>.Empty).ToListAsync());

        Assert.DoesNotContain("fresh", await CollectionNamesAsync());
        Assert.Empty(await (await fresh.Indexes.ListAsync()).ToListAsync());

        await session.CommitTransactionAsync();
        Assert.Contains("fresh", await CollectionNamesAsync());
        var indexes = await (await fresh.Indexes.ListAsync()).ToListAsync();
        Assert.Contains(indexes, i => i["name"] == "sku_1" && i["unique"].ToBoolean());
        Assert.Single(await fresh.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync());
        var duplicate = await Assert.ThrowsAsync<MongoWriteException>(() => fresh.InsertOneAsync(Doc("{ _id: 2, sku: 'a' }")));
        Assert.Equal(11000, duplicate.WriteError.Code);
    }

    [Fact]
    public async Task An_aborted_transaction_leaves_no_collection_and_existing_collections_take_no_new_index()
    {
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await Database.CreateCollectionAsync(session, "gone");
        await Database.GetCollection<BsonDocument>("gone").Indexes.CreateOneAsync(session,
            new CreateIndexModel<BsonDocument>(Doc("{ a: 1 }")));
        await session.AbortTransactionAsync();
        Assert.DoesNotContain("gone", await CollectionNamesAsync());

        var existing = Database.GetCollection<BsonDocument>("existing");
        await existing.InsertOneAsync(Doc("{ _id: 1 }"));
        session.StartTransaction();
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => existing.Indexes.CreateOneAsync(
            session, new CreateIndexModel<BsonDocument>(Doc("{ a: 1 }"))));
        Assert.Equal(263, error.Code);
        var exists = await Assert.ThrowsAsync<MongoCommandException>(() => Database.CreateCollectionAsync(session, "existing"));
        Assert.Equal(48, exists.Code);
    }
}
