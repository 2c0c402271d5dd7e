using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Tests.Storage;

/// <summary>
/// A collection stored as BSON bytes in chunked indexes: an update changes only the index entries whose keys it
/// changes, finds by _id through the _id index, and every index still answers and enforces uniqueness afterwards.
/// </summary>
public sealed class CollectionStoreTests
{
    private static CollectionStore Store()
    {
        var store = new CollectionStore(new VersionHistory(), "db", "items");
        store.CreateIndex(new BsonDocument { { "v", 2 }, { "key", new BsonDocument("sku", 1) }, { "name", "sku_1" }, { "unique", true } });
        store.CreateIndex(new BsonDocument { { "v", 2 }, { "key", new BsonDocument("price", 1) }, { "name", "price_1" } });
        store.Insert(new BsonDocument { { "_id", 1 }, { "sku", "a" }, { "price", 5 } });
        store.Insert(new BsonDocument { { "_id", 2 }, { "sku", "b" }, { "price", 7 } });
        return store;
    }

    private static List<int> Ids(CollectionStore store, string filter) =>
        store.Candidates(QueryFilter.Compile(BsonDocument.Parse(filter))).Select(d => d["_id"].AsInt32).ToList();

    [Fact]
    public void Updating_one_indexed_field_moves_its_entries_and_leaves_the_other_indexes_answering()
    {
        var store = Store();

        store.Replace(1, new BsonDocument { { "_id", 1 }, { "sku", "a" }, { "price", 9 } });

        Assert.Equal([1], Ids(store, "{ price: 9 }"));
        Assert.Empty(Ids(store, "{ price: 5 }"));
        Assert.Equal([1], Ids(store, "{ sku: 'a' }"));
        Assert.Equal(9, store.FindById(1)!["price"].AsInt32);
        Assert.All(store.Indexes, index => Assert.Equal(2, index.EntryCount));
        var duplicate = new BsonDocument { { "_id", 2 }, { "sku", "a" }, { "price", 7 } };
        var error = Assert.Throws<MongoErrorException>(() => store.Replace(2, duplicate));
        Assert.Equal(ErrorCodes.DuplicateKey, error.Code);
        Assert.Equal("b", store.FindById(2)!["sku"].AsString);
    }

    [Fact]
    public void A_key_that_changes_only_its_type_is_stored_with_the_new_type()
    {
        var store = Store();

        store.Replace(1, new BsonDocument { { "_id", 1 }, { "sku", "a" }, { "price", 5.0 } });

        Assert.Equal(BsonType.Double, store.FindById(1)!["price"].BsonType);
        Assert.Equal([1], Ids(store, "{ price: 5 }"));
        var entry = store.Plan(QueryFilter.Compile(BsonDocument.Parse("{ price: 5 }")), null).Index!.Scan(null, forward: true).First();
        Assert.Equal(BsonType.Double, entry[0].BsonType);
    }

    [Fact]
    public void Find_delete_and_contains_go_through_the_id_index()
    {
        var store = Store();

        Assert.True(store.Contains(2));
        Assert.Null(store.FindById(3));
        Assert.True(store.Delete(2));
        Assert.False(store.Delete(2));
        Assert.False(store.Contains(2));
        Assert.Equal([1], store.Documents.Select(d => d["_id"].AsInt32));
        store.Upsert(new BsonDocument { { "_id", 2 }, { "sku", "c" }, { "price", 1 } });
        Assert.Equal([1, 2], store.Documents.Select(d => d["_id"].AsInt32));
        Assert.Equal(store.Documents.Sum(d => (long)d.ToBson().Length), store.DataSize);
    }
}
