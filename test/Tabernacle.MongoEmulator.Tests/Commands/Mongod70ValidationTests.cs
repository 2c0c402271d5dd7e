using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>Requests that MongoDB 7.0 refuses are refused, with its codes: sort on single updates, $-prefixed names inside _id.</summary>
public sealed class Mongod70ValidationTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    [Fact]
    public async Task An_update_statement_with_sort_is_an_unknown_field_in_7_0()
    {
        var database = Client.GetDatabase("validation");
        await database.GetCollection<BsonDocument>("items").InsertOneAsync(new BsonDocument("_id", 1));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => database.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            { "update", "items" },
            { "updates",
                new BsonArray { new BsonDocument { { "q", new BsonDocument() }, { "u", BsonDocument.Parse("{ $set: { x: 1 } }") },
                    { "sort", new BsonDocument("_id", -1) } } } },
        }));
        Assert.Equal(40415, error.Code);
        Assert.Equal("IDLUnknownField", error.CodeName); // mongod names its IDL location codes (error_codes.yml)
        Assert.Contains("update.updates.sort", error.Message, StringComparison.Ordinal);
        Assert.False((await database.GetCollection<BsonDocument>("items").Find(new BsonDocument("_id", 1)).SingleAsync()).Contains("x"));
    }

    [Theory]
    [InlineData("{ _id: { $a: 1 } }", "$a")]
    [InlineData("{ _id: { a: { $b: 1 } } }", "$b")]
    public async Task An_id_object_with_a_dollar_prefixed_field_is_not_valid_for_storage(string json, string field)
    {
        var collection = Client.GetDatabase("validation").GetCollection<BsonDocument>("ids");
        var error = await Assert.ThrowsAsync<MongoWriteException>(() => collection.InsertOneAsync(BsonDocument.Parse(json)));
        Assert.Equal(52, error.WriteError.Code);
        Assert.Equal($"_id fields may not contain '$'-prefixed fields: {field} is not valid for storage.", error.WriteError.Message);
        await collection.InsertOneAsync(BsonDocument.Parse("{ _id: { $ref: 'other', $id: 1 } }"));
        Assert.Equal(1, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }
}
