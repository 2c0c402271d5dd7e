using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Update;
using static Tabernacle.MongoEmulator.Tests.Query.Update.UpdateTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Update;

public class DocumentUpdateOperatorTests
{
    private static void AssertUpdate(string document, string update, string expected, string? arrayFilters = null, string? filter = null) =>
        Assert.Equal(Canonical(expected), Json(Apply(document, update, arrayFilters, filter)));

    private static MongoErrorException ApplyError(string document, string update, string? arrayFilters = null) =>
        Assert.Throws<MongoErrorException>(() => Apply(document, update, arrayFilters));

    private static MongoErrorException CompileError(string update, string? arrayFilters = null) =>
        Assert.Throws<MongoErrorException>(() =>
            DocumentUpdate.Compile(ParseUpdate(update), arrayFilters is null ? null : BsonSerializer(arrayFilters)));

    [Theory]
    [InlineData("{_id: 1, a: 1}", "{$set: {a: 2}}", "{_id: 1, a: 2}")]
    [InlineData("{_id: 1, a: 1, b: 1}", "{$set: {a: 'x'}}", "{_id: 1, a: 'x', b: 1}")]
    [InlineData("{_id: 1}", "{$set: {b: 1, a: 2}}", "{_id: 1, a: 2, b: 1}")]
    [InlineData("{_id: 1, z: 0}", "{$set: {b: 1}, $inc: {a: 1}}", "{_id: 1, z: 0, a: 1, b: 1}")]
    [InlineData("{_id: 1}", "{$set: {'a.b.c': 1}}", "{_id: 1, a: {b: {c: 1}}}")]
    [InlineData("{_id: 1, a: {x: 1}}", "{$set: {'a.b': 2}}", "{_id: 1, a: {x: 1, b: 2}}")]
    [InlineData("{_id: 1}", "{$set: {'a.c': 1, 'a.b': 2}}", "{_id: 1, a: {b: 2, c: 1}}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$set: {'a.1': 5}}", "{_id: 1, a: [1, 5, 3]}")]
    [InlineData("{_id: 1, a: [1]}", "{$set: {'a.3': 5}}", "{_id: 1, a: [1, null, null, 5]}")]
    [InlineData("{_id: 1, a: [{b: 1}, {b: 2}]}", "{$set: {'a.1.b': 5}}", "{_id: 1, a: [{b: 1}, {b: 5}]}")]
    [InlineData("{_id: 1}", "{$set: {'a.0': 5}}", "{_id: 1, a: {'0': 5}}")]
    [InlineData("{_id: 1}", "{$set: {'a.10': 1, 'a.9': 2}}", "{_id: 1, a: {'9': 2, '10': 1}}")]
    [InlineData("{_id: 1, a: 1}", "{$set: {a: {b: [1, {c: 2}]}}}", "{_id: 1, a: {b: [1, {c: 2}]}}")]
    [InlineData("{_id: 1, a: 1}", "{$set: {}}", "{_id: 1, a: 1}")]
    [InlineData("{_id: 1, a: 1}", "{$set: {_id: 1}}", "{_id: 1, a: 1}")]
    public void Set(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Theory]
    [InlineData("{_id: 1, a: 1, b: 2}", "{$unset: {a: ''}}", "{_id: 1, b: 2}")]
    [InlineData("{_id: 1, a: 1}", "{$unset: {b: 1}}", "{_id: 1, a: 1}")]
    [InlineData("{_id: 1, a: {b: 1, c: 2}}", "{$unset: {'a.b': 1}}", "{_id: 1, a: {c: 2}}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$unset: {'a.1': 1}}", "{_id: 1, a: [1, null, 3]}")]
    [InlineData("{_id: 1, a: 5}", "{$unset: {'a.b': 1}}", "{_id: 1, a: 5}")]
    [InlineData("{_id: 1}", "{$unset: {'a.b': 1}}", "{_id: 1}")]
    public void Unset(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Theory]
    [InlineData("{_id: 1, a: 1}", "{$inc: {a: 2}}", "{_id: 1, a: 3}")]
    [InlineData("{_id: 1, a: 1}", "{$inc: {a: -2}}", "{_id: 1, a: -1}")]
    [InlineData("{_id: 1}", "{$inc: {a: 2}}", "{_id: 1, a: 2}")]
    [InlineData("{_id: 1, a: 2147483647}", "{$inc: {a: 1}}", "{_id: 1, a: NumberLong('2147483648')}")]
    [InlineData("{_id: 1, a: 1}", "{$inc: {a: 1.5}}", "{_id: 1, a: 2.5}")]
    [InlineData("{_id: 1, a: 1}", "{$inc: {a: NumberLong(1)}}", "{_id: 1, a: NumberLong(2)}")]
    [InlineData("{_id: 1, a: NumberLong(1)}", "{$inc: {a: 1}}", "{_id: 1, a: NumberLong(2)}")]
    [InlineData("{_id: 1, a: 1.5}", "{$inc: {a: 1}}", "{_id: 1, a: 2.5}")]
    [InlineData("{_id: 1, a: 1}", "{$inc: {a: NumberDecimal('1.5')}}", "{_id: 1, a: NumberDecimal('2.5')}")]
    [InlineData("{_id: 1, a: {b: 1}}", "{$inc: {'a.b': 1, 'a.c': 5}}", "{_id: 1, a: {b: 2, c: 5}}")]
    [InlineData("{_id: 1, a: [1, 2]}", "{$inc: {'a.0': 10}}", "{_id: 1, a: [11, 2]}")]
    [InlineData("{_id: 1, a: 5}", "{$mul: {a: 2}}", "{_id: 1, a: 10}")]
    [InlineData("{_id: 1, a: 5}", "{$mul: {a: 1.5}}", "{_id: 1, a: 7.5}")]
    [InlineData("{_id: 1}", "{$mul: {a: 5}}", "{_id: 1, a: 0}")]
    [InlineData("{_id: 1}", "{$mul: {a: NumberLong(5)}}", "{_id: 1, a: NumberLong(0)}")]
    [InlineData("{_id: 1}", "{$mul: {a: 2.5}}", "{_id: 1, a: 0.0}")]
    [InlineData("{_id: 1, a: 1073741824}", "{$mul: {a: 4}}", "{_id: 1, a: NumberLong('4294967296')}")]
    [InlineData("{_id: 1, a: NumberDecimal('2')}", "{$mul: {a: 3}}", "{_id: 1, a: NumberDecimal('6')}")]
    public void Inc_and_mul(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Fact]
    public void Inc_on_a_string_is_a_type_mismatch()
    {
        var error = ApplyError("{_id: 1, x: 'a'}", "{$inc: {x: 1}}");
        Assert.Equal(ErrorCodes.TypeMismatch, error.Code);
        Assert.Equal("Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'x' of non-numeric type string",
            error.Message);
    }

    [Fact]
    public void Mul_on_a_non_number_is_a_type_mismatch()
    {
        var error = ApplyError("{_id: 1, x: [1]}", "{$mul: {x: 2}}");
        Assert.Equal(ErrorCodes.TypeMismatch, error.Code);
        Assert.Contains("non-numeric type array", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{$inc: {x: 'a'}}", ErrorCodes.TypeMismatch)]
    [InlineData("{$mul: {x: null}}", ErrorCodes.TypeMismatch)]
    [InlineData("{$foo: {x: 1}}", ErrorCodes.FailedToParse)]
    [InlineData("{$set: 1}", ErrorCodes.FailedToParse)]
    [InlineData("{$set: {a: 1}, b: 2}", ErrorCodes.FailedToParse)]
    [InlineData("{$set: {'': 1}}", ErrorCodes.EmptyFieldName)]
    [InlineData("{$set: {'a..b': 1}}", ErrorCodes.EmptyFieldName)]
    [InlineData("{$set: {'a.$foo': 1}}", ErrorCodes.DollarPrefixedFieldName)]
    [InlineData("{$set: {'$': 1}}", ErrorCodes.BadValue)]
    [InlineData("{$set: {'a.$.b.$': 1}}", ErrorCodes.BadValue)]
    [InlineData("{$pop: {a: 2}}", ErrorCodes.FailedToParse)]
    [InlineData("{$pullAll: {a: 1}}", ErrorCodes.BadValue)]
    [InlineData("{$push: {a: {$each: 1}}}", ErrorCodes.BadValue)]
    [InlineData("{$push: {a: {$each: [1], $foo: 1}}}", ErrorCodes.BadValue)]
    [InlineData("{$push: {a: {$each: [1], $slice: 'x'}}}", ErrorCodes.BadValue)]
    [InlineData("{$push: {a: {$each: [1], $position: 1.5}}}", ErrorCodes.BadValue)]
    [InlineData("{$push: {a: {$each: [1], $sort: 2}}}", ErrorCodes.BadValue)]
    [InlineData("{$push: {a: {$each: [1], $sort: {}}}}", ErrorCodes.BadValue)]
    [InlineData("{$currentDate: {a: {$type: 'string'}}}", ErrorCodes.BadValue)]
    [InlineData("{$currentDate: {a: 1}}", ErrorCodes.BadValue)]
    [InlineData("{$rename: {a: 1}}", ErrorCodes.BadValue)]
    [InlineData("{$rename: {a: 'a'}}", ErrorCodes.BadValue)]
    [InlineData("{$rename: {a: 'a.b'}}", ErrorCodes.BadValue)]
    [InlineData("{$rename: {'a.$': 'b'}}", ErrorCodes.BadValue)]
    [InlineData("{$rename: {a: 'b.$[]'}}", ErrorCodes.BadValue)]
    [InlineData("{$addToSet: {a: {$each: 1}}}", ErrorCodes.TypeMismatch)]
    public void Invalid_updates_fail_to_compile(string update, int code) => Assert.Equal(code, CompileError(update).Code);

    [Fact]
    public void Unknown_modifier_names_itself()
    {
        var error = CompileError("{$foo: {x: 1}}");
        Assert.Equal("Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array",
            error.Message);
    }

    [Theory]
    [InlineData("{$set: {a: 1, 'a.b': 2}}", "Updating the path 'a.b' would create a conflict at 'a'")]
    [InlineData("{$set: {'a.b': 2, a: 1}}", "Updating the path 'a' would create a conflict at 'a'")]
    [InlineData("{$set: {a: 1}, $inc: {a: 1}}", "Updating the path 'a' would create a conflict at 'a'")]
    [InlineData("{$set: {a: 1}, $unset: {a: 1}}", "Updating the path 'a' would create a conflict at 'a'")]
    [InlineData("{$set: {'a.b.c': 1}, $setOnInsert: {'a.b': 1}}", "Updating the path 'a.b' would create a conflict at 'a.b'")]
    [InlineData("{$rename: {a: 'b'}, $set: {b: 1}}", "Updating the path 'b' would create a conflict at 'b'")]
    [InlineData("{$rename: {a: 'b'}, $set: {'a.c': 1}}", "Updating the path 'a.c' would create a conflict at 'a'")]
    [InlineData("{$set: {'a.$[]': 1, 'a.$[].b': 1}}", "Updating the path 'a.$[].b' would create a conflict at 'a.$[]'")]
    public void Conflicting_paths(string update, string message)
    {
        var error = CompileError(update);
        Assert.Equal(ErrorCodes.ConflictingUpdateOperators, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("{$set: {'a.b': 1}}", "{$set: {'a.c': 1}}")]
    [InlineData("{$set: {ab: 1}}", "{$set: {a: 1}}")]
    public void Sibling_paths_do_not_conflict(string first, string second)
    {
        var update = BsonDocument.Parse(first);
        update["$set"].AsBsonDocument.AddRange(BsonDocument.Parse(second)["$set"].AsBsonDocument);
        Assert.False(DocumentUpdate.Compile(update).IsReplacement);
    }

    [Theory]
    [InlineData("{_id: 1, a: 5}", "{$min: {a: 3}}", "{_id: 1, a: 3}")]
    [InlineData("{_id: 1, a: 5}", "{$min: {a: 7}}", "{_id: 1, a: 5}")]
    [InlineData("{_id: 1}", "{$min: {a: 7}}", "{_id: 1, a: 7}")]
    [InlineData("{_id: 1, a: 5}", "{$min: {a: 'x'}}", "{_id: 1, a: 5}")]
    [InlineData("{_id: 1, a: 5}", "{$min: {a: null}}", "{_id: 1, a: null}")]
    [InlineData("{_id: 1, a: 5}", "{$min: {a: 5.0}}", "{_id: 1, a: 5}")]
    [InlineData("{_id: 1, a: 5}", "{$max: {a: 7}}", "{_id: 1, a: 7}")]
    [InlineData("{_id: 1, a: 5}", "{$max: {a: 3}}", "{_id: 1, a: 5}")]
    [InlineData("{_id: 1, a: 5}", "{$max: {a: 'x'}}", "{_id: 1, a: 'x'}")]
    [InlineData("{_id: 1, d: ISODate('2020-01-01')}", "{$max: {d: ISODate('2021-01-01')}}", "{_id: 1, d: ISODate('2021-01-01')}")]
    public void Min_and_max(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Theory]
    [InlineData("{_id: 1, a: 1, b: 2}", "{$rename: {a: 'c'}}", "{_id: 1, b: 2, c: 1}")]
    [InlineData("{_id: 1, a: 1, b: 2}", "{$rename: {a: 'b'}}", "{_id: 1, b: 1}")]
    [InlineData("{_id: 1, b: 2}", "{$rename: {a: 'c'}}", "{_id: 1, b: 2}")]
    [InlineData("{_id: 1, a: {b: 1, c: 2}}", "{$rename: {'a.b': 'd.e'}}", "{_id: 1, a: {c: 2}, d: {e: 1}}")]
    [InlineData("{_id: 1, a: {b: 1}}", "{$rename: {'a.b': 'a.c'}}", "{_id: 1, a: {c: 1}}")]
    [InlineData("{_id: 1, z: 1, name: {first: 'a'}}", "{$rename: {name: 'alias', z: 'y'}}", "{_id: 1, alias: {first: 'a'}, y: 1}")]
    public void Rename(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Fact]
    public void Rename_source_inside_an_array_is_rejected()
    {
        var error = ApplyError("{_id: 1, a: [{b: 1}]}", "{$rename: {'a.0.b': 'c'}}");
        Assert.Equal(ErrorCodes.BadValue, error.Code);
    }

    [Fact]
    public void Rename_destination_inside_an_array_is_rejected()
    {
        var error = ApplyError("{_id: 1, a: 1, b: [{}]}", "{$rename: {a: 'b.0.c'}}");
        Assert.Equal(ErrorCodes.BadValue, error.Code);
    }

    [Theory]
    [InlineData("{_id: 1}", "{$setOnInsert: {a: 1}}", false, "{_id: 1}")]
    [InlineData("{_id: 1}", "{$setOnInsert: {a: 1}}", true, "{_id: 1, a: 1}")]
    [InlineData("{_id: 1}", "{$setOnInsert: {'a.b': 1}}", false, "{_id: 1}")]
    [InlineData("{_id: 1}", "{$set: {b: 1}, $setOnInsert: {a: 1}}", false, "{_id: 1, b: 1}")]
    public void Set_on_insert(string document, string update, bool insert, string expected) =>
        Assert.Equal(Canonical(expected), Json(Apply(document, update, upsertInsert: insert)));

    [Fact]
    public void Current_date_sets_the_update_time()
    {
        var result = Apply("{_id: 1}", "{$currentDate: {a: true, b: {$type: 'date'}, c: {$type: 'timestamp'}}}");
        Assert.Equal(new BsonDateTime(Now), result["a"]);
        Assert.Equal(new BsonDateTime(Now), result["b"]);
        Assert.Equal(new DateTimeOffset(Now).ToUnixTimeSeconds(), result["c"].AsBsonTimestamp.Timestamp);
    }

    [Theory]
    [InlineData("{_id: 1, a: [1]}", "{$push: {a: 2}}", "{_id: 1, a: [1, 2]}")]
    [InlineData("{_id: 1}", "{$push: {a: 2}}", "{_id: 1, a: [2]}")]
    [InlineData("{_id: 1, a: [1]}", "{$push: {a: [2, 3]}}", "{_id: 1, a: [1, [2, 3]]}")]
    [InlineData("{_id: 1, a: [1]}", "{$push: {a: {$each: [2, 3]}}}", "{_id: 1, a: [1, 2, 3]}")]
    [InlineData("{_id: 1, a: [1, 2]}", "{$push: {a: {$each: [9], $position: 0}}}", "{_id: 1, a: [9, 1, 2]}")]
    [InlineData("{_id: 1, a: [1, 2]}", "{$push: {a: {$each: [9], $position: -1}}}", "{_id: 1, a: [1, 9, 2]}")]
    [InlineData("{_id: 1, a: [1, 2]}", "{$push: {a: {$each: [9], $position: 10}}}", "{_id: 1, a: [1, 2, 9]}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$push: {a: {$each: [4], $slice: -2}}}", "{_id: 1, a: [3, 4]}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$push: {a: {$each: [4], $slice: 2}}}", "{_id: 1, a: [1, 2]}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$push: {a: {$each: [], $slice: 0}}}", "{_id: 1, a: []}")]
    [InlineData("{_id: 1, a: [3, 1]}", "{$push: {a: {$each: [2], $sort: 1}}}", "{_id: 1, a: [1, 2, 3]}")]
    [InlineData("{_id: 1, a: [3, 1]}", "{$push: {a: {$each: [2], $sort: -1}}}", "{_id: 1, a: [3, 2, 1]}")]
    [InlineData("{_id: 1, q: [{id: 1, score: 7}, {id: 2, score: 9}]}",
        "{$push: {q: {$each: [{id: 3, score: 8}, {id: 4, score: 6}], $sort: {score: -1}, $slice: 3}}}",
        "{_id: 1, q: [{id: 2, score: 9}, {id: 3, score: 8}, {id: 1, score: 7}]}")]
    [InlineData("{_id: 1, a: [{b: {c: 2}}, {b: {c: 1}}]}", "{$push: {a: {$each: [], $sort: {'b.c': 1}}}}",
        "{_id: 1, a: [{b: {c: 1}}, {b: {c: 2}}]}")]
    [InlineData("{_id: 1, a: ['b', 1, 'a']}", "{$push: {a: {$each: [], $sort: 1}}}", "{_id: 1, a: [1, 'a', 'b']}")]
    [InlineData("{_id: 1, a: {b: [1]}}", "{$push: {'a.b': 2}}", "{_id: 1, a: {b: [1, 2]}}")]
    public void Push(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Fact]
    public void Push_to_a_non_array_is_bad_value()
    {
        var error = ApplyError("{_id: 1, a: 1}", "{$push: {a: 2}}");
        Assert.Equal(ErrorCodes.BadValue, error.Code);
        Assert.Equal("The field 'a' must be an array but is of type int in document {_id: 1}", error.Message);
    }

    [Theory]
    [InlineData("{_id: 1, a: [1, 2]}", "{$addToSet: {a: 3}}", "{_id: 1, a: [1, 2, 3]}")]
    [InlineData("{_id: 1, a: [1, 2]}", "{$addToSet: {a: 2}}", "{_id: 1, a: [1, 2]}")]
    [InlineData("{_id: 1, a: [1, 2]}", "{$addToSet: {a: 2.0}}", "{_id: 1, a: [1, 2]}")]
    [InlineData("{_id: 1}", "{$addToSet: {a: 2}}", "{_id: 1, a: [2]}")]
    [InlineData("{_id: 1, a: ['x']}", "{$addToSet: {a: ['y', 'z']}}", "{_id: 1, a: ['x', ['y', 'z']]}")]
    [InlineData("{_id: 1, a: ['x']}", "{$addToSet: {a: {$each: ['y', 'x', 'y']}}}", "{_id: 1, a: ['x', 'y']}")]
    [InlineData("{_id: 1, a: [{b: 1, c: 2}]}", "{$addToSet: {a: {c: 2, b: 1}}}", "{_id: 1, a: [{b: 1, c: 2}, {c: 2, b: 1}]}")]
    [InlineData("{_id: 1, a: [{b: 1, c: 2}]}", "{$addToSet: {a: {b: 1, c: 2}}}", "{_id: 1, a: [{b: 1, c: 2}]}")]
    public void Add_to_set(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Fact]
    public void Add_to_set_on_a_non_array_is_bad_value() =>
        Assert.Equal(ErrorCodes.BadValue, ApplyError("{_id: 1, a: 1}", "{$addToSet: {a: 2}}").Code);

    [Theory]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$pop: {a: 1}}", "{_id: 1, a: [1, 2]}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$pop: {a: -1}}", "{_id: 1, a: [2, 3]}")]
    [InlineData("{_id: 1, a: []}", "{$pop: {a: 1}}", "{_id: 1, a: []}")]
    [InlineData("{_id: 1}", "{$pop: {a: 1}}", "{_id: 1}")]
    [InlineData("{_id: 1, a: [1]}", "{$pop: {a: 1}}", "{_id: 1, a: []}")]
    public void Pop(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Fact]
    public void Pop_on_a_non_array_is_a_type_mismatch() =>
        Assert.Equal(ErrorCodes.TypeMismatch, ApplyError("{_id: 1, a: 1}", "{$pop: {a: 1}}").Code);

    [Theory]
    [InlineData("{_id: 1, fruits: ['apples', 'pears', 'oranges', 'grapes'], vegetables: ['carrots', 'celery']}",
        "{$pull: {fruits: {$in: ['apples', 'oranges']}, vegetables: 'carrots'}}",
        "{_id: 1, fruits: ['pears', 'grapes'], vegetables: ['celery']}")]
    [InlineData("{_id: 1, votes: [3, 5, 6, 7, 7, 8]}", "{$pull: {votes: {$gte: 6}}}", "{_id: 1, votes: [3, 5]}")]
    [InlineData("{_id: 1, votes: [3, 5, 6]}", "{$pull: {votes: 5.0}}", "{_id: 1, votes: [3, 6]}")]
    [InlineData("{_id: 1, a: [[1, 2], [3]]}", "{$pull: {a: [1, 2]}}", "{_id: 1, a: [[3]]}")]
    [InlineData("{_id: 1, results: [{item: 'A', score: 5}, {item: 'B', score: 8}]}",
        "{$pull: {results: {score: 8, item: 'B'}}}", "{_id: 1, results: [{item: 'A', score: 5}]}")]
    [InlineData("{_id: 1, results: [{item: 'A', score: 5, x: 1}, {item: 'B', score: 8}]}",
        "{$pull: {results: {item: 'A'}}}", "{_id: 1, results: [{item: 'B', score: 8}]}")]
    [InlineData("{_id: 1, results: [{answers: [{q: 1, a: 4}, {q: 2, a: 6}]}, {answers: [{q: 1, a: 9}, {q: 2, a: 8}]}]}",
        "{$pull: {results: {answers: {$elemMatch: {q: 2, a: {$gte: 8}}}}}}",
            "{_id: 1, results: [{answers: [{q: 1, a: 4}, {q: 2, a: 6}]}]}")]
    [InlineData("{_id: 1, a: [1, {b: 1}]}", "{$pull: {a: {b: 1}}}", "{_id: 1, a: [1]}")]
    [InlineData("{_id: 1}", "{$pull: {a: 1}}", "{_id: 1}")]
    [InlineData("{_id: 1, a: ['ab', 'cd']}", "{$pull: {a: /^a/}}", "{_id: 1, a: ['cd']}")]
    [InlineData("{_id: 1, a: [0, 5, 5, 1]}", "{$pullAll: {a: [0, 5]}}", "{_id: 1, a: [1]}")]
    [InlineData("{_id: 1, a: [[1], 1]}", "{$pullAll: {a: [[1]]}}", "{_id: 1, a: [1]}")]
    public void Pull_and_pull_all(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Fact]
    public void Pull_on_a_non_array_is_bad_value() =>
        Assert.Equal(ErrorCodes.BadValue, ApplyError("{_id: 1, a: 1}", "{$pull: {a: 1}}").Code);

    [Theory]
    [InlineData("{_id: 1, grades: [85, 80, 80]}", "{grades: 80}", "{$set: {'grades.$': 82}}", "{_id: 1, grades: [85, 82, 80]}")]
    [InlineData("{_id: 4, grades: [{grade: 80, mean: 75}, {grade: 85, mean: 90}]}", "{'grades.grade': 85}", "{$set: {'grades.$.std': 6}}",
        "{_id: 4, grades: [{grade: 80, mean: 75}, {grade: 85, mean: 90, std: 6}]}")]
    [InlineData("{_id: 1, a: [{b: 1}, {b: 2}]}", "{a: {$elemMatch: {b: 2}}}", "{$inc: {'a.$.b': 10}}", "{_id: 1, a: [{b: 1}, {b: 12}]}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{a: 3}", "{$unset: {'a.$': 1}}", "{_id: 1, a: [1, 2, null]}")]
    public void Positional_operator(string document, string filter, string update, string expected) =>
        AssertUpdate(document, update, expected, filter: filter);

    [Fact]
    public void Positional_operator_without_a_match_is_bad_value()
    {
        var error = ApplyError("{_id: 1, a: [1]}", "{$set: {'a.$': 1}}");
        Assert.Equal(ErrorCodes.BadValue, error.Code);
        Assert.Equal("The positional operator did not find the match needed from the query.", error.Message);
    }

    [Theory]
    [InlineData("{_id: 1, grades: [85, 82, 80]}", "{$inc: {'grades.$[]': 10}}", "{_id: 1, grades: [95, 92, 90]}")]
    [InlineData("{_id: 1, a: [{b: 1}, {b: 2}]}", "{$set: {'a.$[].c': 0}}", "{_id: 1, a: [{b: 1, c: 0}, {b: 2, c: 0}]}")]
    [InlineData("{_id: 1, a: [[1, 2], [3]]}", "{$inc: {'a.$[].$[]': 1}}", "{_id: 1, a: [[2, 3], [4]]}")]
    [InlineData("{_id: 1, a: []}", "{$set: {'a.$[]': 1}}", "{_id: 1, a: []}")]
    public void All_positional_operator(string document, string update, string expected) => AssertUpdate(document, update, expected);

    [Theory]
    [InlineData("{_id: 1, grades: [95, 92, 90]}", "{$set: {'grades.$[element]': 100}}", "[{element: {$gte: 92}}]",
        "{_id: 1, grades: [100, 100, 90]}")]
    [InlineData("{_id: 1, grades: [{grade: 80, mean: 75}, {grade: 85, mean: 100}, {grade: 85, mean: 85}]}",
        "{$set: {'grades.$[elem].mean': 100}}", "[{'elem.grade': {$gte: 85}}]",
        "{_id: 1, grades: [{grade: 80, mean: 75}, {grade: 85, mean: 100}, {grade: 85, mean: 100}]}")]
    [InlineData("{_id: 1, grades: [{grade: 80, std: 6}, {grade: 85, std: 4}, {grade: 90, std: 6}]}",
        "{$inc: {'grades.$[elem].std': -1}}", "[{'elem.grade': {$gte: 80}, 'elem.std': {$gt: 5}}]",
        "{_id: 1, grades: [{grade: 80, std: 5}, {grade: 85, std: 4}, {grade: 90, std: 5}]}")]
    [InlineData("{_id: 1, a: [{b: [1, 5]}, {b: [7]}]}", "{$set: {'a.$[x].b.$[y]': 0}}", "[{'x.b': {$size: 2}}, {y: {$gt: 2}}]",
        "{_id: 1, a: [{b: [1, 0]}, {b: [7]}]}")]
    [InlineData("{_id: 1, a: [1, 2, 3]}", "{$set: {'a.$[x]': 0}}", "[{$or: [{x: 1}, {x: 3}]}]", "{_id: 1, a: [0, 2, 0]}")]
    public void Filtered_positional_operator(string document, string update, string arrayFilters, string expected) =>
        AssertUpdate(document, update, expected, arrayFilters);

    [Fact]
    public void Array_filter_identifiers_must_be_defined()
    {
        var error = CompileError("{$set: {'a.$[x]': 1}}");
        Assert.Equal(ErrorCodes.BadValue, error.Code);
        Assert.Equal("No array filter found for identifier 'x' in path 'a.$[x]'", error.Message);
    }

    [Fact]
    public void Array_filters_must_be_used()
    {
        var error = CompileError("{$set: {a: 1}}", "[{x: 1}]");
        Assert.Equal(ErrorCodes.FailedToParse, error.Code);
        Assert.StartsWith("The array filter for identifier 'x' was not used in the update", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{x: 1}, {x: 2}]", ErrorCodes.FailedToParse)]
    [InlineData("[{X: 1}]", ErrorCodes.BadValue)]
    [InlineData("[{x: 1, y: 2}]", ErrorCodes.FailedToParse)]
    [InlineData("[{}]", ErrorCodes.FailedToParse)]
    public void Invalid_array_filters(string arrayFilters, int code) =>
        Assert.Equal(code, CompileError("{$set: {'a.$[x]': 1}}", arrayFilters).Code);

    [Fact]
    public void Array_updates_need_the_array_to_exist()
    {
        var error = ApplyError("{_id: 1}", "{$set: {'a.$[]': 1}}");
        Assert.Equal(ErrorCodes.BadValue, error.Code);
        Assert.Equal("The path 'a' must exist in the document in order to apply array updates.", error.Message);
    }

    [Fact]
    public void Array_updates_on_a_non_array_are_bad_value() =>
        Assert.Equal(ErrorCodes.BadValue, ApplyError("{_id: 1, a: 5}", "{$set: {'a.$[]': 1}}").Code);

    [Theory]
    [InlineData("{_id: 1, a: 5}", "{$set: {'a.b': 1}}", "Cannot create field 'b' in element {a: 5}")]
    [InlineData("{_id: 1, a: [1]}", "{$set: {'a.b': 1}}", "Cannot create field 'b' in element {a: [1]}")]
    [InlineData("{_id: 1, a: 'x'}", "{$inc: {'a.b': 1}}", "Cannot create field 'b' in element {a: \"x\"}")]
    public void Paths_through_scalars_are_not_viable(string document, string update, string message)
    {
        var error = ApplyError(document, update);
        Assert.Equal(ErrorCodes.PathNotViable, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("{_id: 1, a: 1}", "{$set: {_id: 2}}")]
    [InlineData("{_id: 1, a: 1}", "{$unset: {_id: 1}}")]
    [InlineData("{_id: 1, a: 1}", "{$inc: {_id: 1}}")]
    [InlineData("{_id: 1, a: 1}", "{$rename: {_id: 'b'}}")]
    [InlineData("{_id: {x: 1}, a: 1}", "{$set: {'_id.x': 2}}")]
    [InlineData("{_id: 1, a: 1}", "{$set: {_id: 1.0}}")]
    public void Id_is_immutable(string document, string update)
    {
        var error = ApplyError(document, update);
        Assert.Equal(ErrorCodes.ImmutableField, error.Code);
        Assert.Equal("Performing an update on the path '_id' would modify the immutable field '_id'", error.Message);
    }

    [Fact]
    public void Original_document_is_never_mutated()
    {
        var original = BsonDocument.Parse("{_id: 1, a: [1, 2], b: {c: 1}}");
        var before = Json(original);
        var update = DocumentUpdate.Compile(BsonDocument.Parse("{$push: {a: 3}, $set: {'b.c': 2}, $pop: {x: 1}}"));
        update.Apply(original, null, false, Now);
        Assert.Equal(before, Json(original));
    }

    [Fact]
    public void Id_stays_first_when_set_by_an_update_on_a_document_without_one()
    {
        var result = Apply("{a: 1}", "{$set: {_id: 5}}");
        Assert.Equal("_id", result.GetElement(0).Name);
    }
}
