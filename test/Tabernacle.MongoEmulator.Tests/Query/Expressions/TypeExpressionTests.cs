using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class TypeExpressionTests
{
    [Theory]
    [InlineData("'int'", "{$type: 1}")]
    [InlineData("'double'", "{$type: 1.5}")]
    [InlineData("'long'", "{$type: NumberLong(1)}")]
    [InlineData("'decimal'", "{$type: NumberDecimal('1')}")]
    [InlineData("'string'", "{$type: 'a'}")]
    [InlineData("'object'", "{$type: {$literal: {}}}")]
    [InlineData("'array'", "{$type: [[1]]}")]
    [InlineData("'bool'", "{$type: true}")]
    [InlineData("'date'", "{$type: ISODate('2020-01-01T00:00:00Z')}")]
    [InlineData("'objectId'", "{$type: ObjectId('5ab9cbfa31c2ab715d42129e')}")]
    [InlineData("'null'", "{$type: null}")]
    [InlineData("'missing'", "{$type: '$nope'}")]
    [InlineData("'regex'", "{$type: /a/}")]
    [InlineData("'timestamp'", "{$type: Timestamp(1, 1)}")]
    [InlineData("'minKey'", "{$type: {$minKey: 1}}")]
    [InlineData("true", "{$isNumber: NumberLong(5)}")]
    [InlineData("false", "{$isNumber: '5'}")]
    [InlineData("false", "{$isNumber: '$missing'}")]
    public void Type_and_is_number(string expected, string expression) => AssertEvaluates(expected, expression);

    [Theory]
    [InlineData("'2.5'", "{$toString: 2.5}")]
    [InlineData("'1'", "{$toString: 1}")]
    [InlineData("'1'", "{$toString: 1.0}")]
    [InlineData("'true'", "{$toString: true}")]
    [InlineData("'2018-03-10T00:00:00.000Z'", "{$toString: ISODate('2018-03-10T00:00:00Z')}")]
    [InlineData("'5ab9cbfa31c2ab715d42129e'", "{$toString: ObjectId('5ab9cbfa31c2ab715d42129e')}")]
    [InlineData("'1.50'", "{$toString: NumberDecimal('1.50')}")]
    [InlineData("null", "{$toString: null}")]
    [InlineData("5", "{$toInt: 5.5}")]
    [InlineData("-5", "{$toInt: -5.9}")]
    [InlineData("100", "{$toInt: '100'}")]
    [InlineData("1", "{$toInt: true}")]
    [InlineData("NumberLong(5000000000)", "{$toLong: 5000000000.9}")]
    [InlineData("NumberLong(1522039108044)", "{$toLong: ISODate('2018-03-26T04:38:28.044Z')}")]
    [InlineData("NumberLong(-100)", "{$toLong: '-100'}")]
    [InlineData("5.5", "{$toDouble: '5.5'}")]
    [InlineData("1.0", "{$toDouble: true}")]
    [InlineData("1522039108044.0", "{$toDouble: ISODate('2018-03-26T04:38:28.044Z')}")]
    [InlineData("NumberDecimal('2.50000000000000')", "{$toDecimal: 2.5}")]
    [InlineData("NumberDecimal('1')", "{$toDecimal: true}")]
    [InlineData("NumberDecimal('-5.5')", "{$toDecimal: '-5.5'}")]
    [InlineData("NumberDecimal('1522039108044')", "{$toDecimal: ISODate('2018-03-26T04:38:28.044Z')}")]
    [InlineData("false", "{$toBool: 0}")]
    [InlineData("true", "{$toBool: 'false'}")]
    [InlineData("true", "{$toBool: ''}")]
    [InlineData("true", "{$toBool: ISODate('2018-03-26T04:38:28.044Z')}")]
    [InlineData("null", "{$toBool: '$missing'}")]
    [InlineData("ISODate('1973-10-20T21:20:00Z')", "{$toDate: 120000000000.5}")]
    [InlineData("ISODate('2009-09-19T14:53:56Z')", "{$toDate: NumberDecimal('1253372036000.50')}")]
    [InlineData("ISODate('2004-11-09T11:33:20Z')", "{$toDate: NumberLong('1100000000000')}")]
    [InlineData("ISODate('2018-03-03T00:00:00Z')", "{$toDate: '2018-03-03'}")]
    [InlineData("ISODate('2018-03-27T04:43:38Z')", "{$toDate: ObjectId('5ab9cbfa31c2ab715d42129e')}")]
    [InlineData("ObjectId('5ab9cbfa31c2ab715d42129e')", "{$toObjectId: '5ab9cbfa31c2ab715d42129e'}")]
    public void Conversions(string expected, string expression) => AssertEvaluates(expected, expression);

    [Theory]
    [InlineData(241, "{$toInt: '5.5'}")]
    [InlineData(241, "{$toInt: NumberLong('5000000000')}")]
    [InlineData(241, "{$toInt: {$literal: {a: 1}}}")]
    [InlineData(241, "{$toDate: 5}")]
    [InlineData(241, "{$toObjectId: 'abc'}")]
    [InlineData(241, "{$toDouble: 'x1'}")]
    [InlineData(241, "{$toInt: ' 5'}")]
    [InlineData(241, "{$convert: {input: 1.9, to: 'objectId'}}")]
    [InlineData(241, "{$convert: {input: 1.9, to: 'minKey'}}")]
    [InlineData(241, "{$convert: {input: 1.9, to: 'missing'}}")]
    [InlineData(241, "{$convert: {input: 1.9, to: 'timestamp'}}")]
    [InlineData(241, "{$convert: {input: false, to: 'date'}}")]
    [InlineData(241, "{$convert: {input: ISODate('1970-01-01T00:00:00.123Z'), to: 'int'}}")]
    [InlineData(241, "{$convert: {input: ObjectId('0123456789abcdef01234567'), to: 'double'}}")]
    public void Conversion_failures(int code, string expression) => AssertError(code, expression);

    [Theory]
    [InlineData("NumberDecimal('0')", "{$convert: {input: '$price', to: 'decimal', onError: 'Error', onNull: NumberDecimal('0')}}", "{}")]
    [InlineData("'Error'", "{$convert: {input: '$price', to: 'decimal', onError: 'Error', onNull: NumberDecimal('0')}}", "{price: 'abc'}")]
    [InlineData("NumberDecimal('10')", "{$convert: {input: '$price', to: 'decimal', onError: 'Error'}}", "{price: 10}")]
    [InlineData("5", "{$convert: {input: '$qty', to: 16}}", "{qty: '5'}")]
    [InlineData("null", "{$convert: {input: '$qty', to: 'int'}}", "{}")]
    [InlineData("'5'", "{$convert: {input: 5, to: 'string'}}", "{}")]
    [InlineData("ISODate('1970-01-01T00:00:00.001Z')", "{$convert: {input: 1.9, to: 'date'}}", "{}")]
    [InlineData("NumberDecimal('1.90000000000000')", "{$convert: {input: 1.9, to: 'decimal'}}", "{}")]
    [InlineData("NumberDecimal('1.9')", "{$convert: {input: '1.9', to: 'decimal'}}", "{}")]
    [InlineData("ISODate('1970-08-09T22:25:43Z')", "{$convert: {input: ObjectId('0123456789abcdef01234567'), to: 'date'}}", "{}")]
    [InlineData("ISODate('1970-01-01T00:00:01Z')", "{$convert: {input: Timestamp(1, 1), to: 'date'}}", "{}")]
    [InlineData("'unconvertible'", "{$convert: {input: 1.9, to: 'objectId', onError: 'unconvertible'}}", "{}")]
    public void Convert(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Convert_errors()
    {
        AssertError(2, "{$convert: {input: 1, to: 'nope'}}");
        AssertError(46457, "{$convert: {input: 1, to: 'int', other: 1}}");
        AssertError(46458, "{$convert: {input: 1}}");
    }
}
