using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Expressions;
using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class CoreExpressionTests
{
    [Theory]
    [InlineData("5", "'$a'", "{a: 5}")]
    [InlineData("2", "'$a.b.c'", "{a: {b: {c: 2}}}")]
    [InlineData("[1, 2]", "'$a.b'", "{a: [{b: 1}, {c: 3}, {b: 2}]}")]
    [InlineData("[[1], 2]", "'$a.b'", "{a: [[{b: 1}], {b: 2}, 7]}")]
    [InlineData("[]", "'$a.b'", "{a: [1, 2]}")]
    [InlineData("{a: 1}", "'$$ROOT'", "{a: 1}")]
    [InlineData("1", "'$$CURRENT.a'", "{a: 1}")]
    [InlineData("'abc'", "'abc'", "{}")]
    [InlineData("{x: 1, y: 'b'}", "{x: '$a', y: 'b', z: '$missing'}", "{a: 1}")]
    [InlineData("[1, null, 'x']", "['$a', '$missing', 'x']", "{a: 1}")]
    [InlineData("{$gt: 1}", "{$literal: {$gt: 1}}", "{}")]
    [InlineData("'$a'", "{$literal: '$a'}", "{a: 5}")]
    [InlineData("ISODate('2024-05-06T07:08:09.123Z')", "'$$NOW'", "{}")]
    public void Values(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Missing_paths_and_remove_evaluate_to_missing()
    {
        AssertMissing("'$a.b'", "{a: 5}");
        AssertMissing("'$nope'");
        AssertMissing("'$$REMOVE'");
    }

    [Fact]
    public void Unknown_operator_is_invalid_pipeline_operator()
    {
        var error = AssertError(ErrorCodes.InvalidPipelineOperator, "{$foo: 1}");
        Assert.Equal("Unrecognized expression '$foo'", error.Message);
    }

    [Fact]
    public void Operator_objects_must_have_one_field() => AssertError(15983, "{$add: [1], $multiply: [2]}");

    [Fact]
    public void Undefined_variable_is_an_error() => AssertError(17276, "'$$nothere'");

    [Fact]
    public void Scope_variables_are_visible_and_now_comes_from_the_scope()
    {
        var scope = new ExpressionScope { Now = new DateTime(2000, 1, 2, 0, 0, 0, DateTimeKind.Utc) };
        scope.Set("limit", new BsonInt32(3));
        Assert.Equal(new BsonInt32(4), Evaluate("{$add: ['$$limit', 1]}", scope: scope));
        Assert.Equal(new BsonInt32(2000), Evaluate("{$year: '$$NOW'}", scope: scope));
    }

    [Fact]
    public void Let_binds_variables_for_its_body()
    {
        AssertEvaluates("9.0",
            "{$let: {vars: {total: {$add: ['$price', '$tax']}, discounted: {$cond: ['$applyDiscount', 0.9, 1]}}, in: {$multiply: " +
                "['$$total', '$$discounted']}}}", "{price: 10, tax: 0, applyDiscount: true}");
        AssertError(16867, "{$let: {vars: {Bad: 1}, in: 1}}");
    }

    [Fact]
    public void Truthiness_follows_mongodb()
    {
        Assert.False(AggregationExpression.IsTruthy(null));
        Assert.False(AggregationExpression.IsTruthy(BsonNull.Value));
        Assert.False(AggregationExpression.IsTruthy(new BsonInt32(0)));
        Assert.False(AggregationExpression.IsTruthy(new BsonDecimal128(Decimal128.Parse("0"))));
        Assert.True(AggregationExpression.IsTruthy(new BsonString("")));
        Assert.True(AggregationExpression.IsTruthy(new BsonArray()));
    }

    [Fact]
    public void Literal_documents_are_not_shared_between_evaluations()
    {
        var compiled = AggregationExpression.Compile(Value("{$literal: {a: 1}}"));
        var first = compiled.Evaluate([])!.AsBsonDocument;
        first["a"] = 2;
        Assert.Equal(1, compiled.Evaluate([])!["a"].AsInt32);
    }

    [Theory]
    [InlineData("true", "{$eq: ['$qty', 250]}", "{qty: 250}")]
    [InlineData("true", "{$eq: [250, 250.0]}", "{}")]
    [InlineData("false", "{$eq: ['$missing', null]}", "{}")]
    [InlineData("true", "{$lt: ['$missing', null]}", "{}")]
    [InlineData("true", "{$ne: ['$qty', 250]}", "{qty: 200}")]
    [InlineData("true", "{$gt: ['a', 5]}", "{}")]
    [InlineData("false", "{$gte: [null, 0]}", "{}")]
    [InlineData("true", "{$lte: [[1, 2], [1, 3]]}", "{}")]
    [InlineData("-1", "{$cmp: ['$qty', 250]}", "{qty: 200}")]
    [InlineData("1", "{$cmp: ['$qty', 250]}", "{qty: 300}")]
    [InlineData("0", "{$cmp: [{a: 1}, {a: 1.0}]}", "{}")]
    public void Comparison(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Comparison_uses_the_collation()
    {
        Assert.Equal(BsonBoolean.True, Evaluate("{$eq: ['abc', 'ABC']}", collation: new Collation("en", 2)));
        Assert.Equal(BsonBoolean.False, Evaluate("{$eq: ['abc', 'ABC']}"));
    }

    [Fact]
    public void Comparison_needs_two_arguments() => AssertError(16020, "{$eq: [1]}");

    [Theory]
    [InlineData("true", "{$and: [{$gt: ['$qty', 100]}, {$lt: ['$qty', 250]}]}", "{qty: 200}")]
    [InlineData("false", "{$and: [1, 'x', null]}", "{}")]
    [InlineData("true", "{$and: []}", "{}")]
    [InlineData("true", "{$and: [1, 'x', []]}", "{}")]
    [InlineData("false", "{$or: [0, null, '$missing']}", "{}")]
    [InlineData("true", "{$or: [0, [false]]}", "{}")]
    [InlineData("false", "{$or: []}", "{}")]
    [InlineData("true", "{$not: [0]}", "{}")]
    [InlineData("false", "{$not: [[false]]}", "{}")]
    [InlineData("true", "{$not: ['$missing']}", "{}")]
    public void Boolean(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void And_short_circuits()
    {
        // The division by zero on the right is never evaluated.
        AssertEvaluates("false", "{$and: [false, {$divide: [1, 0]}]}");
        AssertEvaluates("true", "{$or: [true, {$divide: [1, 0]}]}");
    }

    [Theory]
    [InlineData("30", "{$cond: {if: {$gte: ['$qty', 250]}, then: 30, else: 20}}", "{qty: 300}")]
    [InlineData("20", "{$cond: [{$gte: ['$qty', 250]}, 30, 20]}", "{qty: 200}")]
    [InlineData("20", "{$cond: ['$missing', 30, 20]}", "{}")]
    [InlineData("'Unspecified'", "{$ifNull: ['$description', 'Unspecified']}", "{description: null}")]
    [InlineData("'x'", "{$ifNull: ['$description', 'Unspecified']}", "{description: 'x'}")]
    [InlineData("'b'", "{$ifNull: ['$a', '$b', 'default']}", "{b: 'b'}")]
    [InlineData("null", "{$ifNull: ['$a', null]}", "{}")]
    [InlineData("'B'",
        "{$switch: {branches: [{case: {$gte: ['$s', 90]}, then: 'A'}, {case: {$gte: ['$s', 80]}, then: 'B'}], default: 'F'}}", "{s: 85}")]
    [InlineData("'F'", "{$switch: {branches: [{case: {$gte: ['$s', 90]}, then: 'A'}], default: 'F'}}", "{s: 5}")]
    public void Conditionals(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Conditional_errors()
    {
        AssertError(40066, "{$switch: {branches: [{case: false, then: 1}]}}");
        AssertError(17080, "{$cond: {then: 1, else: 2}}");
        AssertError(17083, "{$cond: {if: 1, then: 1, else: 2, other: 3}}");
        AssertError(16021, "{$ifNull: ['$a']}");
        AssertError(40068, "{$switch: {branches: []}}");
    }

    [Fact]
    public void Ifnull_returns_missing_when_the_fallback_is_missing() => AssertMissing("{$ifNull: ['$a', '$b']}");
}
