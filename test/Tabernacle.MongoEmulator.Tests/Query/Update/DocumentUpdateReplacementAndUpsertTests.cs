using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Update;
using static Tabernacle.MongoEmulator.Tests.Query.Update.UpdateTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Update;

public class DocumentUpdateReplacementAndUpsertTests
{
    private static BsonDocument Upsert(string filter, string update) =>
        DocumentUpdate.Compile(ParseUpdate(update)).CreateUpsertDocument(QueryFilter.Compile(BsonDocument.Parse(filter)), Now);

    [Theory]
    [InlineData("{_id: 1, a: 1, b: 2}", "{c: 3}", "{_id: 1, c: 3}")]
    [InlineData("{_id: 1, a: 1}", "{c: 3, _id: 1}", "{_id: 1, c: 3}")]
    [InlineData("{_id: 1, a: 1}", "{}", "{_id: 1}")]
    [InlineData("{_id: 1, a: 1}", "{'x.y': 1}", "{_id: 1, 'x.y': 1}")]
    public void Replacement_keeps_the_id(string document, string replacement, string expected)
    {
        var update = DocumentUpdate.Compile(BsonDocument.Parse(replacement));
        Assert.True(update.IsReplacement);
        Assert.Equal(Canonical(expected), Json(update.Apply(BsonDocument.Parse(document), null, false, Now)));
    }

    [Fact]
    public void Replacement_cannot_change_the_id()
    {
        var error = Assert.Throws<MongoErrorException>(() => Apply("{_id: 1, a: 1}", "{_id: 2, a: 1}"));
        Assert.Equal(ErrorCodes.ImmutableField, error.Code);
        Assert.Equal("Performing an update on the path '_id' would modify the immutable field '_id'", error.Message);
    }

    [Fact]
    public void Replacement_cannot_contain_operators()
    {
        var error = Assert.Throws<MongoErrorException>(() => DocumentUpdate.Compile(BsonDocument.Parse("{a: 1, $set: {b: 1}}")));
        Assert.Equal(ErrorCodes.DollarPrefixedFieldName, error.Code);
    }

    [Fact]
    public void Operator_updates_are_not_replacements() =>
        Assert.False(DocumentUpdate.Compile(BsonDocument.Parse("{$set: {a: 1}}")).IsReplacement);

    [Theory]
    [InlineData("{_id: 5}", "{$set: {a: 1}}", "{_id: 5, a: 1}")]
    [InlineData("{a: 1, 'b.c': 2, _id: 7}", "{$inc: {n: 1}}", "{_id: 7, a: 1, b: {c: 2}, n: 1}")]
    [InlineData("{'b.c': 2, 'b.d': 3, _id: 7}", "{$set: {x: 1}}", "{_id: 7, b: {c: 2, d: 3}, x: 1}")]
    [InlineData("{_id: 7, a: {$eq: 3}, b: {$gt: 1}}", "{$set: {x: 1}}", "{_id: 7, a: 3, x: 1}")]
    [InlineData("{_id: 7, $and: [{a: 1}, {c: 'x'}]}", "{$set: {x: 1}}", "{_id: 7, a: 1, c: 'x', x: 1}")]
    [InlineData("{_id: 7, $or: [{a: 1}, {c: 'x'}]}", "{$set: {x: 1}}", "{_id: 7, x: 1}")]
    [InlineData("{_id: 7, a: 1}", "{$setOnInsert: {b: 2}, $set: {a: 3}}", "{_id: 7, a: 3, b: 2}")]
    [InlineData("{_id: 7, a: 1}", "{b: 2}", "{_id: 7, b: 2}")]
    [InlineData("{_id: 7}", "{_id: 7, b: 2}", "{_id: 7, b: 2}")]
    [InlineData("{a: 1}", "{$set: {_id: 9}}", "{_id: 9, a: 1}")]
    public void Upsert_documents_are_seeded_from_the_filter(string filter, string update, string expected) =>
        Assert.Equal(Canonical(expected), Json(Upsert(filter, update)));

    [Fact]
    public void Upsert_without_an_id_generates_one_first()
    {
        var document = Upsert("{a: 1}", "{$set: {b: 2}}");
        Assert.Equal("_id", document.GetElement(0).Name);
        Assert.Equal(BsonType.ObjectId, document["_id"].BsonType);
        Assert.Equal(1, document["a"].AsInt32);
        Assert.Equal(2, document["b"].AsInt32);
    }

    [Fact]
    public void Upsert_cannot_change_the_filter_id() =>
        Assert.Equal(ErrorCodes.ImmutableField, Assert.Throws<MongoErrorException>(() => Upsert("{_id: 1}", "{$set: {_id: 2}}")).Code);

    [Theory]
    [InlineData("{a: 1, $and: [{a: 2}]}")]
    [InlineData("{a: 1, 'a.b': 2}")]
    public void Upsert_cannot_seed_ambiguous_paths(string filter) =>
        Assert.Equal(ErrorCodes.NotSingleValueField, Assert.Throws<MongoErrorException>(() => Upsert(filter, "{$set: {x: 1}}")).Code);

    [Fact]
    public void Upsert_with_a_positional_update_fails()
    {
        var error = Assert.Throws<MongoErrorException>(() => Upsert("{a: 1}", "{$set: {'a.$': 2}}"));
        Assert.Equal(ErrorCodes.BadValue, error.Code);
    }

    [Theory]
    [InlineData("[{$group: {_id: null}}]", ErrorCodes.InvalidOptions)]
    [InlineData("[{$match: {a: 1}}]", ErrorCodes.InvalidOptions)]
    [InlineData("[{$lookup: {from: 'x', as: 'y', pipeline: []}}]", ErrorCodes.InvalidOptions)]
    [InlineData("[1]", ErrorCodes.TypeMismatch)]
    public void Update_pipelines_allow_only_shaping_stages(string pipeline, int code) =>
        Assert.Equal(code, Assert.Throws<MongoErrorException>(() => DocumentUpdate.Compile(BsonSerializer(pipeline))).Code);

    [Fact]
    public void Update_pipelines_reject_array_filters() =>
        Assert.Equal(ErrorCodes.FailedToParse,
            Assert.Throws<MongoErrorException>(() =>
                DocumentUpdate.Compile(BsonSerializer("[{$set: {a: 1}}]"), BsonSerializer("[{x: 1}]"))).Code);

    [Theory]
    [InlineData("{_id: 1, a: 1}", "[{$set: {b: {$add: ['$a', 1]}}}]", "{_id: 1, a: 1, b: 2}")]
    [InlineData("{_id: 1, a: 1, b: 2}", "[{$unset: 'b'}]", "{_id: 1, a: 1}")]
    [InlineData("{_id: 1, a: {x: 5}}", "[{$replaceWith: '$a'}]", "{_id: 1, x: 5}")]
    [InlineData("{_id: 1, a: 1, b: 2}", "[{$project: {a: 1}}]", "{_id: 1, a: 1}")]
    public void Update_pipelines_run_through_the_aggregation_engine(string document, string pipeline, string expected) =>
        Assert.Equal(Canonical(expected), Json(Apply(document, pipeline)));
}
