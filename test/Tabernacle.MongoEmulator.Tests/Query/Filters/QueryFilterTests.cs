using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Tests.Query.Filters;

public class QueryFilterTests
{
    private static bool Matches(string filter, string document, Collation? collation = null) =>
        QueryFilter.Compile(BsonDocument.Parse(filter), collation).Matches(BsonDocument.Parse(document));

    private static MongoErrorException CompileError(string filter) =>
        Assert.Throws<MongoErrorException>(() => QueryFilter.Compile(BsonDocument.Parse(filter)));

    [Theory]
    // Equality, including numbers of different BSON types.
    [InlineData("{a: 1}", "{a: 1}", true)]
    [InlineData("{a: 1}", "{a: NumberLong(1)}", true)]
    [InlineData("{a: 1}", "{a: 1.0}", true)]
    [InlineData("{a: 1}", "{a: NumberDecimal('1.00')}", true)]
    [InlineData("{a: 1}", "{a: '1'}", false)]
    [InlineData("{a: 1}", "{b: 1}", false)]
    [InlineData("{a: 'x'}", "{a: 'x'}", true)]
    [InlineData("{a: 'x'}", "{a: 'X'}", false)]
    [InlineData("{a: true}", "{a: 1}", false)]
    // Embedded documents: whole-document equality is exact, including field order.
    [InlineData("{a: {b: 1, c: 2}}", "{a: {b: 1, c: 2}}", true)]
    [InlineData("{a: {b: 1, c: 2}}", "{a: {c: 2, b: 1}}", false)]
    [InlineData("{a: {b: 1}}", "{a: {b: 1, c: 2}}", false)]
    // Arrays: element match, whole-array match, and arrays of arrays.
    [InlineData("{tags: 'red'}", "{tags: ['blank', 'red']}", true)]
    [InlineData("{tags: ['red', 'blank']}", "{tags: ['red', 'blank']}", true)]
    [InlineData("{tags: ['red', 'blank']}", "{tags: ['blank', 'red']}", false)]
    [InlineData("{tags: ['red', 'blank']}", "{tags: [['red', 'blank'], 'x']}", true)]
    [InlineData("{tags: 'red'}", "{tags: [['red']]}", false)]
    [InlineData("{a: []}", "{a: []}", true)]
    [InlineData("{a: []}", "{a: [[]]}", true)]
    // Dotted paths through documents and arrays.
    [InlineData("{'a.b': 1}", "{a: {b: 1}}", true)]
    [InlineData("{'a.b': 1}", "{a: [{b: 2}, {b: 1}]}", true)]
    [InlineData("{'a.b': 1}", "{a: [{b: [0, 1]}]}", true)]
    [InlineData("{'a.b': 1}", "{a: [[{b: 1}]]}", false)]
    [InlineData("{'a.b.c': 1}", "{a: [{b: [{c: 1}]}]}", true)]
    [InlineData("{'a.0': 5}", "{a: [5, 6]}", true)]
    [InlineData("{'a.1': 5}", "{a: [5, 6]}", false)]
    [InlineData("{'a.0.b': 1}", "{a: [{b: 1}, {b: 2}]}", true)]
    [InlineData("{'a.1.b': 1}", "{a: [{b: 1}, {b: 2}]}", false)]
    [InlineData("{'a.0': 5}", "{a: [[5]]}", true)]
    [InlineData("{'a.0': 1}", "{a: {'0': 1}}", true)]
    [InlineData("{'a.0': 1}", "{a: [{'0': 1}]}", true)]
    [InlineData("{'a.b': 1}", "{a: 1}", false)]
    // null matches null, undefined and missing (MongoDB 7.0), but not through arrays of scalars.
    [InlineData("{a: null}", "{a: null}", true)]
    [InlineData("{a: null}", "{}", true)]
    [InlineData("{a: null}", "{a: undefined}", true)]
    [InlineData("{a: null}", "{a: 0}", false)]
    [InlineData("{a: null}", "{a: []}", false)]
    [InlineData("{a: null}", "{a: [null]}", true)]
    [InlineData("{'a.b': null}", "{a: 4}", true)]
    [InlineData("{'a.b': null}", "{a: {}}", true)]
    [InlineData("{'a.b': null}", "{a: [{b: 5}]}", false)]
    [InlineData("{'a.b': null}", "{a: [{}]}", true)]
    [InlineData("{'a.b': null}", "{a: []}", false)]
    [InlineData("{'a.b': null}", "{a: [{}, {b: 5}]}", true)]
    [InlineData("{'a.b': null}", "{a: [5, {b: 5}]}", false)]
    [InlineData("{'a.b': {$in: [null]}}", "{a: [{}, {b: 5}]}", true)]
    [InlineData("{'a.b': {$in: [null]}}", "{a: [5, {b: 5}]}", false)]
    [InlineData("{a: {$ne: null}}", "{a: 1}", true)]
    [InlineData("{a: {$ne: null}}", "{}", false)]
    [InlineData("{a: {$ne: null}}", "{a: null}", false)]
    [InlineData("{a: {$ne: null}}", "{a: [1, null]}", false)]
    public void Equality_and_paths(string filter, string document, bool expected) => Assert.Equal(expected, Matches(filter, document));

    [Theory]
    [InlineData("{qty: {$eq: 20}}", "{qty: 20}", true)]
    [InlineData("{qty: {$eq: 20}}", "{qty: 25}", false)]
    [InlineData("{'item.name': {$eq: 'ab'}}", "{item: {name: 'ab', code: '123'}}", true)]
    [InlineData("{tags: {$eq: 'B'}}", "{tags: ['A', 'B']}", true)]
    [InlineData("{tags: {$eq: ['A', 'B']}}", "{tags: ['A', 'B']}", true)]
    [InlineData("{tags: {$eq: ['A', 'B']}}", "{tags: [['A', 'B'], 'C']}", true)]
    [InlineData("{a: {$eq: /abc/}}", "{a: 'abc'}", false)]
    [InlineData("{a: {$eq: /abc/}}", "{a: /abc/}", true)]
    [InlineData("{qty: {$ne: 20}}", "{qty: 25}", true)]
    [InlineData("{qty: {$ne: 20}}", "{}", true)]
    [InlineData("{qty: {$ne: 20}}", "{qty: [20, 30]}", false)]
    [InlineData("{'a.b': {$ne: 1}}", "{a: [{b: 1}, {b: 2}]}", false)]
    [InlineData("{qty: {$gt: 20}}", "{qty: 25}", true)]
    [InlineData("{qty: {$gt: 20}}", "{qty: 20}", false)]
    [InlineData("{qty: {$gte: 20}}", "{qty: 20}", true)]
    [InlineData("{qty: {$lt: 20}}", "{qty: 5}", true)]
    [InlineData("{qty: {$lt: 20}}", "{qty: 20}", false)]
    [InlineData("{qty: {$lte: 20}}", "{qty: 20}", true)]
    [InlineData("{qty: {$gt: 20}}", "{qty: '25'}", false)]
    [InlineData("{qty: {$lt: 20}}", "{qty: 'a'}", false)]
    [InlineData("{qty: {$lt: 20}}", "{qty: null}", false)]
    [InlineData("{qty: {$lt: 20}}", "{}", false)]
    [InlineData("{qty: {$gt: 'a'}}", "{qty: 'b'}", true)]
    [InlineData("{qty: {$gt: 'a'}}", "{qty: 5}", false)]
    [InlineData("{qty: {$gt: 5}}", "{qty: NumberLong(6)}", true)]
    [InlineData("{qty: {$gt: 5}}", "{qty: 5.5}", true)]
    [InlineData("{qty: {$lt: 5.5}}", "{qty: NumberDecimal('5.4')}", true)]
    [InlineData("{qty: {$gt: 20}}", "{qty: [5, 25]}", true)]
    [InlineData("{qty: {$gt: 20, $lt: 10}}", "{qty: [5, 25]}", true)]
    [InlineData("{qty: {$gt: 20, $lt: 10}}", "{qty: 15}", false)]
    [InlineData("{qty: {$gte: null}}", "{}", true)]
    [InlineData("{qty: {$gte: null}}", "{qty: null}", true)]
    [InlineData("{qty: {$gt: null}}", "{qty: null}", false)]
    [InlineData("{qty: {$lte: null}}", "{qty: 1}", false)]
    [InlineData("{qty: {$gt: NaN}}", "{qty: 1}", false)]
    [InlineData("{qty: {$lt: 1}}", "{qty: NaN}", false)]
    [InlineData("{qty: {$gte: NaN}}", "{qty: NaN}", true)]
    [InlineData("{qty: {$gt: {$minKey: 1}}}", "{qty: 'x'}", true)]
    [InlineData("{qty: {$lt: {$maxKey: 1}}}", "{qty: {a: 1}}", true)]
    [InlineData("{d: {$gt: ISODate('2020-01-01')}}", "{d: ISODate('2021-01-01')}", true)]
    [InlineData("{d: {$gt: ISODate('2020-01-01')}}", "{d: 5}", false)]
    [InlineData("{a: {$gt: [1]}}", "{a: [2]}", true)]
    [InlineData("{a: {$gt: [1]}}", "{a: 2}", false)]
    [InlineData("{a: {$gt: [1]}}", "{a: [[2]]}", true)]
    [InlineData("{a: {$gte: {x: 1}}}", "{a: {x: 2}}", true)]
    public void Comparison_operators(string filter, string document, bool expected) => Assert.Equal(expected, Matches(filter, document));

    /// <summary>
    /// Builds <c>{field: {$regex: pattern, $options: options}}</c> by hand: the shell-JSON reader would turn a
    /// <c>{$regex, $options}</c> document into a regex literal, but the wire delivers the operator form.
    /// </summary>
    private static BsonDocument RegexFilter(BsonValue pattern, string? options)
    {
        var operators = new BsonDocument("$regex", pattern);
        if (options is not null)
        {
            operators.Add("$options", options);
        }

        return new BsonDocument("f", operators);
    }

    [Theory]
    [InlineData("789$", null, "abc789", true)]
    [InlineData("789$", null, "abc7890", false)]
    [InlineData("^ABC", "i", "abc123", true)]
    [InlineData("^ABC", null, "abc123", false)]
    [InlineData("^S", "m", "First line\nSecond line", true)]
    [InlineData("^S", null, "First line\nSecond line", false)]
    [InlineData("m.*line", "si", "Multiple\nline", true)]
    [InlineData("m.*line", "i", "Multiple\nline", false)]
    [InlineData("abc #comment\n 123", "x", "abc123", true)]
    [InlineData("abc 123", null, "abc123", false)]
    public void Regex_operator_with_options(string pattern, string? options, string value, bool expected)
    {
        var unescape = (string s) => s.Replace("\\n", "\n", StringComparison.Ordinal);
        var filter = QueryFilter.Compile(RegexFilter(unescape(pattern), options));
        Assert.Equal(expected, filter.Matches(new BsonDocument("f", unescape(value))));
    }

    [Theory]
    [InlineData("^ABC", "i", "abc", true)]
    [InlineData("^ABC", "", "abc", false)]
    public void Regex_operator_accepts_a_bson_regex(string pattern, string options, string value, bool expected)
    {
        var filter = QueryFilter.Compile(RegexFilter(new BsonRegularExpression(pattern, options), null));
        Assert.Equal(expected, filter.Matches(new BsonDocument("f", value)));
    }

    [Fact]
    public void Regex_options_cannot_be_given_twice()
    {
        var error = Assert.Throws<MongoErrorException>(() => QueryFilter.Compile(RegexFilter(new BsonRegularExpression("x", "i"), "m")));
        Assert.Equal(51075, error.Code);
    }

    [Fact]
    public void Regex_options_must_be_known()
    {
        var error = Assert.Throws<MongoErrorException>(() => QueryFilter.Compile(RegexFilter("x", "z")));
        Assert.Equal(51108, error.Code);
    }

    [Fact]
    public void Not_accepts_a_regex_operator_document()
    {
        var filter = QueryFilter.Compile(new BsonDocument("item", new BsonDocument("$not", new BsonDocument("$regex", "^p.*"))));
        Assert.False(filter.Matches(BsonDocument.Parse("{item: 'pear'}")));
        Assert.True(filter.Matches(BsonDocument.Parse("{item: 'apple'}")));
    }

    [Theory]
    [InlineData("{qty: {$in: [5, 15]}}", "{qty: 15}", true)]
    [InlineData("{qty: {$in: [5, 15]}}", "{qty: 10}", false)]
    [InlineData("{qty: {$in: [5, 15]}}", "{qty: [1, 5]}", true)]
    [InlineData("{qty: {$in: [5, 15]}}", "{qty: NumberLong(5)}", true)]
    [InlineData("{qty: {$in: []}}", "{qty: 5}", false)]
    [InlineData("{qty: {$in: [null]}}", "{}", true)]
    [InlineData("{qty: {$in: [[1, 2]]}}", "{qty: [1, 2]}", true)]
    [InlineData("{tags: {$in: [/^be/, /^st/]}}", "{tags: ['school', 'stuff']}", true)]
    [InlineData("{tags: {$in: [/^be/, /^st/]}}", "{tags: ['school']}", false)]
    [InlineData("{tags: {$in: [/^be/, 'school']}}", "{tags: ['school']}", true)]
    [InlineData("{qty: {$nin: [5, 15]}}", "{qty: 10}", true)]
    [InlineData("{qty: {$nin: [5, 15]}}", "{}", true)]
    [InlineData("{qty: {$nin: [5, 15]}}", "{qty: [1, 5]}", false)]
    [InlineData("{qty: {$nin: [null]}}", "{}", false)]
    public void In_and_nin(string filter, string document, bool expected) => Assert.Equal(expected, Matches(filter, document));

    [Theory]
    [InlineData("{$and: [{a: 1}, {b: 2}]}", "{a: 1, b: 2}", true)]
    [InlineData("{$and: [{a: 1}, {b: 2}]}", "{a: 1, b: 3}", false)]
    [InlineData("{$and: [{a: {$ne: 1}}, {a: {$exists: true}}]}", "{a: 2}", true)]
    [InlineData("{$or: [{a: 1}, {b: 2}]}", "{b: 2}", true)]
    [InlineData("{$or: [{a: 1}, {b: 2}]}", "{a: 2, b: 1}", false)]
    [InlineData("{$or: [{a: 1}]}", "{a: 1}", true)]
    [InlineData("{$nor: [{price: 1.99}, {sale: true}]}", "{price: 2, sale: false}", true)]
    [InlineData("{$nor: [{price: 1.99}, {sale: true}]}", "{}", true)]
    [InlineData("{$nor: [{price: 1.99}, {sale: true}]}", "{price: 1.99}", false)]
    [InlineData("{price: {$not: {$gt: 1.99}}}", "{price: 1.5}", true)]
    [InlineData("{price: {$not: {$gt: 1.99}}}", "{}", true)]
    [InlineData("{price: {$not: {$gt: 1.99}}}", "{price: 2.5}", false)]
    [InlineData("{price: {$not: {$gt: 1.99}}}", "{price: 'abc'}", true)]
    [InlineData("{item: {$not: /^p.*/}}", "{item: 'apple'}", true)]
    [InlineData("{item: {$not: /^p.*/}}", "{item: 'pear'}", false)]
    [InlineData("{a: {$not: {$gt: 1, $lt: 5}}}", "{a: 3}", false)]
    [InlineData("{a: {$not: {$gt: 1, $lt: 5}}}", "{a: 7}", true)]
    [InlineData("{$comment: 'hello', a: 1}", "{a: 1}", true)]
    [InlineData("{}", "{a: 1}", true)]
    public void Logical_operators(string filter, string document, bool expected) => Assert.Equal(expected, Matches(filter, document));

    [Theory]
    [InlineData("{qty: {$exists: true}}", "{qty: null}", true)]
    [InlineData("{qty: {$exists: true}}", "{}", false)]
    [InlineData("{qty: {$exists: false}}", "{}", true)]
    [InlineData("{qty: {$exists: false}}", "{qty: 0}", false)]
    [InlineData("{qty: {$exists: 1}}", "{qty: 0}", true)]
    [InlineData("{qty: {$exists: 0}}", "{qty: 0}", false)]
    [InlineData("{'a.b': {$exists: true}}", "{a: [{c: 1}, {b: 1}]}", true)]
    [InlineData("{'a.b': {$exists: false}}", "{a: [{c: 1}, {b: 1}]}", false)]
    [InlineData("{'a.b': {$exists: false}}", "{a: []}", true)]
    [InlineData("{a: {$exists: true}}", "{a: []}", true)]
    [InlineData("{a: {$type: 2}}", "{a: 'x'}", true)]
    [InlineData("{a: {$type: 'string'}}", "{a: 'x'}", true)]
    [InlineData("{a: {$type: 'string'}}", "{a: 1}", false)]
    [InlineData("{a: {$type: 'number'}}", "{a: 1}", true)]
    [InlineData("{a: {$type: 'number'}}", "{a: NumberLong(1)}", true)]
    [InlineData("{a: {$type: 'number'}}", "{a: 1.5}", true)]
    [InlineData("{a: {$type: 'number'}}", "{a: NumberDecimal('1')}", true)]
    [InlineData("{a: {$type: 'number'}}", "{a: '1'}", false)]
    [InlineData("{a: {$type: 'int'}}", "{a: 1.5}", false)]
    [InlineData("{a: {$type: 'double'}}", "{a: 1.5}", true)]
    [InlineData("{a: {$type: 'long'}}", "{a: NumberLong(2)}", true)]
    [InlineData("{a: {$type: 'decimal'}}", "{a: NumberDecimal('2')}", true)]
    [InlineData("{a: {$type: 'array'}}", "{a: []}", true)]
    [InlineData("{a: {$type: 'array'}}", "{a: [1]}", true)]
    [InlineData("{a: {$type: 'array'}}", "{a: 1}", false)]
    [InlineData("{a: {$type: 'int'}}", "{a: [1.5, 2]}", true)]
    [InlineData("{a: {$type: 'null'}}", "{a: null}", true)]
    [InlineData("{a: {$type: 'null'}}", "{}", false)]
    [InlineData("{a: {$type: 'object'}}", "{a: {}}", true)]
    [InlineData("{a: {$type: 'bool'}}", "{a: false}", true)]
    [InlineData("{a: {$type: 'date'}}", "{a: ISODate('2020-01-01')}", true)]
    [InlineData("{a: {$type: 'objectId'}}", "{a: ObjectId('507f1f77bcf86cd799439011')}", true)]
    [InlineData("{a: {$type: 'regex'}}", "{a: /x/}", true)]
    [InlineData("{a: {$type: 'minKey'}}", "{a: {$minKey: 1}}", true)]
    [InlineData("{a: {$type: -1}}", "{a: {$minKey: 1}}", true)]
    [InlineData("{a: {$type: 127}}", "{a: {$maxKey: 1}}", true)]
    [InlineData("{a: {$type: ['string', 'int']}}", "{a: 3}", true)]
    [InlineData("{a: {$type: ['string', 'int']}}", "{a: 3.5}", false)]
    [InlineData("{a: {$type: []}}", "{a: 3.5}", false)]
    [InlineData("{a: {$type: 16.0}}", "{a: 3}", true)]
    public void Element_operators(string filter, string document, bool expected) => Assert.Equal(expected, Matches(filter, document));

    [Theory]
    [InlineData("{sku: /^ABC/i}", "{sku: 'abc123'}", true)]
    [InlineData("{sku: /^ABC/i}", "{sku: ['x', 'abc123']}", true)]
    [InlineData("{sku: /abc/}", "{sku: 5}", false)]
    [InlineData("{sku: /abc/}", "{}", false)]
    [InlineData("{sku: /abc/}", "{sku: /abc/}", true)]
    [InlineData("{qty: {$mod: [4, 0]}}", "{qty: 8}", true)]
    [InlineData("{qty: {$mod: [4, 0]}}", "{qty: 9}", false)]
    [InlineData("{qty: {$mod: [4, 0]}}", "{qty: 12.9}", true)]
    [InlineData("{qty: {$mod: [4.5, 0]}}", "{qty: 8}", true)]
    [InlineData("{qty: {$mod: [4, 1]}}", "{qty: NumberLong(5)}", true)]
    [InlineData("{qty: {$mod: [4, -1]}}", "{qty: -5}", true)]
    [InlineData("{qty: {$mod: [4, 0]}}", "{qty: '8'}", false)]
    [InlineData("{qty: {$mod: [4, 0]}}", "{qty: [3, 8]}", true)]
    public void Evaluation_operators(string filter, string document, bool expected) => Assert.Equal(expected, Matches(filter, document));

    [Theory]
    [InlineData("{tags: {$all: ['ssl', 'security']}}", "{tags: ['appliance', 'ssl', 'security']}", true)]
    [InlineData("{tags: {$all: ['ssl', 'security']}}", "{tags: ['ssl']}", false)]
    [InlineData("{tags: {$all: ['ssl']}}", "{tags: 'ssl'}", true)]
    [InlineData("{tags: {$all: [['ssl', 'security']]}}", "{tags: [['ssl', 'security'], 'x']}", true)]
    [InlineData("{tags: {$all: [['ssl', 'security']]}}", "{tags: ['ssl', 'security']}", true)]
    [InlineData("{tags: {$all: []}}", "{tags: []}", false)]
    [InlineData("{tags: {$all: [/^s/]}}", "{tags: ['x', 'ssl']}", true)]
    [InlineData("{qty: {$all: [{$elemMatch: {size: 'M', num: {$gt: 50}}}, {$elemMatch: {num: 100, color: 'green'}}]}}",
        "{qty: [{size: 'S', num: 10, color: 'blue'}, {size: 'M', num: 100, color: 'blue'}, {size: 'L', num: 100, color: 'green'}]}", true)]
    [InlineData("{qty: {$all: [{$elemMatch: {size: 'M', num: {$gt: 50}}}, {$elemMatch: {num: 100, color: 'green'}}]}}",
        "{qty: [{size: 'M', num: 100, color: 'blue'}]}", false)]
    [InlineData("{results: {$elemMatch: {$gte: 80, $lt: 85}}}", "{results: [82, 85, 88]}", true)]
    [InlineData("{results: {$elemMatch: {$gte: 80, $lt: 85}}}", "{results: [75, 88, 89]}", false)]
    [InlineData("{results: {$gte: 80, $lt: 85}}", "{results: [75, 88, 89]}", true)]
    [InlineData("{results: {$elemMatch: {product: 'xyz', score: {$gte: 8}}}}",
        "{results: [{product: 'abc', score: 10}, {product: 'xyz', score: 5}]}", false)]
    [InlineData("{results: {$elemMatch: {product: 'xyz', score: {$gte: 8}}}}",
        "{results: [{product: 'abc', score: 8}, {product: 'xyz', score: 7}, {product: 'xyz', score: 9}]}", true)]
    [InlineData("{'results.product': 'xyz', 'results.score': {$gte: 8}}",
        "{results: [{product: 'abc', score: 10}, {product: 'xyz', score: 5}]}", true)]
    [InlineData("{results: {$elemMatch: {product: {$ne: 'xyz'}}}}", "{results: [{product: 'xyz'}, {product: 'abc'}]}", true)]
    [InlineData("{results: {$elemMatch: {product: {$ne: 'xyz'}}}}", "{results: [{product: 'xyz'}]}", false)]
    [InlineData("{results: {$elemMatch: {$ne: 1}}}", "{results: [1, 2]}", true)]
    [InlineData("{results: {$elemMatch: {$ne: 1}}}", "{results: [1]}", false)]
    [InlineData("{results: {$elemMatch: {$gt: 1}}}", "{results: 5}", false)]
    [InlineData("{results: {$elemMatch: {$gt: 1}}}", "{results: [[5]]}", false)]
    [InlineData("{a: {$elemMatch: {b: null}}}", "{a: [{}]}", true)]
    [InlineData("{a: {$elemMatch: {b: null}}}", "{a: [1]}", false)]
    [InlineData("{a: {$elemMatch: {}}}", "{a: [1, {}]}", true)]
    [InlineData("{a: {$elemMatch: {$or: [{b: 1}, {c: 1}]}}}", "{a: [{c: 1}]}", true)]
    [InlineData("{'a.b': {$elemMatch: {$eq: 2}}}", "{a: [{b: [1, 2]}]}", true)]
    [InlineData("{a: {$size: 2}}", "{a: [1, 2]}", true)]
    [InlineData("{a: {$size: 2}}", "{a: [1, 2, 3]}", false)]
    [InlineData("{a: {$size: 1}}", "{a: [[1, 2]]}", true)]
    [InlineData("{a: {$size: 0}}", "{a: []}", true)]
    [InlineData("{a: {$size: 0}}", "{}", false)]
    [InlineData("{a: {$size: 1}}", "{a: 'x'}", false)]
    [InlineData("{a: {$size: 1}}", "{a: {b: 1}}", false)]
    [InlineData("{'a.b': {$size: 1}}", "{a: [{b: [1]}, {b: 1}]}", true)]
    public void Array_operators(string filter, string document, bool expected) => Assert.Equal(expected, Matches(filter, document));

    [Theory]
    [InlineData("{a: 'cafe'}", "{a: 'CAFE'}", 2, true)]
    [InlineData("{a: 'cafe'}", "{a: 'CAFE'}", 3, false)]
    [InlineData("{a: 'cafe'}", "{a: 'café'}", 1, true)]
    [InlineData("{a: 'cafe'}", "{a: 'café'}", 2, false)]
    [InlineData("{a: {$in: ['X', 'y']}}", "{a: 'x'}", 2, true)]
    [InlineData("{a: {$gt: 'a'}}", "{a: 'B'}", 2, true)]
    [InlineData("{a: {$ne: 'A'}}", "{a: 'a'}", 2, false)]
    public void Collation_applies_to_string_comparisons(string filter, string document, int strength, bool expected) =>
        Assert.Equal(expected, Matches(filter, document, new Collation("en", strength)));

    [Fact]
    public void Regex_ignores_collation()
    {
        Assert.False(Matches("{a: /^X/}", "{a: 'x'}", new Collation("en", 2)));
    }

    [Theory]
    [InlineData("{a: {$foo: 1}}", ErrorCodes.BadValue, "unknown operator: $foo")]
    [InlineData("{a: {$gt: 1, b: 2}}", ErrorCodes.BadValue, "unknown operator: b")]
    [InlineData("{$xyz: 1}", ErrorCodes.BadValue, "unknown top level operator: $xyz")]
    [InlineData("{a: {$in: 1}}", ErrorCodes.BadValue, "$in needs an array")]
    [InlineData("{a: {$nin: 1}}", ErrorCodes.BadValue, "$nin needs an array")]
    [InlineData("{a: {$all: 1}}", ErrorCodes.BadValue, "$all needs an array")]
    [InlineData("{a: {$in: [{$gt: 1}]}}", ErrorCodes.BadValue, "cannot nest $ under $in")]
    [InlineData("{$and: []}", ErrorCodes.BadValue, "$and argument must be a non-empty array")]
    [InlineData("{$or: {}}", ErrorCodes.BadValue, "$or argument must be a non-empty array")]
    [InlineData("{$nor: [1]}", ErrorCodes.BadValue, "$nor argument's entries must be objects")]
    [InlineData("{a: {$not: 1}}", ErrorCodes.BadValue, "$not needs a regex or a document")]
    [InlineData("{a: {$not: {}}}", ErrorCodes.BadValue, "$not cannot be empty")]
    [InlineData("{a: {$not: {b: 1}}}", ErrorCodes.BadValue, "unknown operator: b")]
    [InlineData("{a: {$size: 'x'}}", ErrorCodes.BadValue, "$size needs a number")]
    [InlineData("{a: {$size: -1}}", ErrorCodes.BadValue, "$size may not be negative")]
    [InlineData("{a: {$size: 1.5}}", ErrorCodes.BadValue, "$size must be a whole number")]
    [InlineData("{a: {$mod: 4}}", ErrorCodes.BadValue, "malformed mod, needs to be an array")]
    [InlineData("{a: {$mod: [4]}}", ErrorCodes.BadValue, "malformed mod, not enough elements")]
    [InlineData("{a: {$mod: [4, 1, 2]}}", ErrorCodes.BadValue, "malformed mod, too many elements")]
    [InlineData("{a: {$mod: [0, 1]}}", ErrorCodes.BadValue, "divisor cannot be 0")]
    [InlineData("{a: {$type: 'foo'}}", ErrorCodes.BadValue, "Unknown type name alias: foo")]
    [InlineData("{a: {$type: 100}}", ErrorCodes.BadValue, "Invalid numerical type code: 100")]
    [InlineData("{a: {$elemMatch: 1}}", ErrorCodes.BadValue, "$elemMatch needs an Object")]
    [InlineData("{a: {$ne: /x/}}", ErrorCodes.BadValue, "Can't have regex as arg to $ne.")]
    [InlineData("{a: {$all: [{$elemMatch: {b: 1}}, 2]}}", ErrorCodes.BadValue, "$all/$elemMatch has to be consistent")]
    public void Invalid_filters_fail_with_mongodb_errors(string filter, int code, string message)
    {
        var error = CompileError(filter);
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("{a: [1, 2, 3]}", "{a: 2}", 1)]
    [InlineData("{a: [{b: 1}, {b: 2}]}", "{'a.b': 2}", 1)]
    [InlineData("{a: [{b: 1}, {b: 2}]}", "{a: {$elemMatch: {b: 2}}}", 1)]
    [InlineData("{a: [{b: [5, 6]}, {b: [7, 8]}]}", "{'a.b': 8}", 1)]
    [InlineData("{a: [5, 15, 25]}", "{a: {$gt: 10}}", 1)]
    [InlineData("{a: 5}", "{a: 5}", null)]
    public void Match_details_report_the_matching_array_position(string document, string filter, int? expected)
    {
        var details = new MatchDetails();
        Assert.True(QueryFilter.Compile(BsonDocument.Parse(filter)).Matches(BsonDocument.Parse(document), details));
        Assert.Equal(expected, details.ElemMatchIndex);
    }

    [Fact]
    public void Equality_conditions_include_top_level_and_and_equalities()
    {
        var filter =
            QueryFilter.Compile(
                BsonDocument.Parse(
                    "{_id: 1, 'a.b': {$eq: 'x'}, c: {$gt: 5}, $and: [{d: {e: 1}}, {f: {$in: [1, 2]}}], $or: [{g: 1}, {h: 1}]}"));
        Assert.Equal(["_id", "a.b", "d"], filter.EqualityConditions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new BsonInt32(1), filter.EqualityConditions["_id"]);
        Assert.Equal(new BsonString("x"), filter.EqualityConditions["a.b"]);
        Assert.Equal(BsonDocument.Parse("{e: 1}"), filter.EqualityConditions["d"]);
    }

    [Fact]
    public void Regex_and_negations_are_not_equality_conditions()
    {
        var filter =
            QueryFilter.Compile(BsonDocument.Parse("{a: /x/, b: {$ne: 1}, c: {$not: {$eq: 1}}, d: {$elemMatch: {e: 1}}, f: {$all: [1]}}"));
        Assert.Empty(filter.EqualityConditions);
    }

    [Fact]
    public void Indexable_conditions_give_points_and_one_sided_ranges()
    {
        var filter = QueryFilter.Compile(BsonDocument.Parse("{a: 5, b: {$in: [1, 2]}, c: {$gte: 3, $lt: 9}, d: {$in: [/x/]}, e: null}"));
        Assert.Equal([new BsonInt32(5)], filter.IndexableConditions["a"].Points);
        Assert.Equal([new BsonInt32(1), new BsonInt32(2)], filter.IndexableConditions["b"].Points);
        var c = filter.IndexableConditions["c"];
        Assert.Null(c.Points);
        Assert.Equal(new BsonInt32(3), c.Lower);
        Assert.True(c.LowerInclusive);
        Assert.False(filter.IndexableConditions.ContainsKey("d"));
        Assert.False(filter.IndexableConditions.ContainsKey("e"));
    }

    [Fact]
    public void Conflicting_equalities_are_reported_as_ambiguous()
    {
        var filter = QueryFilter.Compile(BsonDocument.Parse("{a: 1, $and: [{a: 2}]}"));
        Assert.Contains("a", filter.AmbiguousEqualityPaths);
    }

    [Fact]
    public void Match_all_matches_everything()
    {
        Assert.True(QueryFilter.MatchAll.Matches(BsonDocument.Parse("{a: 1}")));
        Assert.Empty(QueryFilter.MatchAll.EqualityConditions);
    }

    [Fact]
    public void Large_in_lists_use_hashing_and_keep_numeric_equivalence()
    {
        var values = new BsonArray(Enumerable.Range(0, 1000).Select(i => (BsonValue)(long)i));
        var filter = QueryFilter.Compile(new BsonDocument("a", new BsonDocument("$in", values)));
        Assert.True(filter.Matches(new BsonDocument("a", 999.0)));
        Assert.False(filter.Matches(new BsonDocument("a", 1000)));
    }
}
