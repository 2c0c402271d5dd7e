using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class ObjectExpressionTests
{
    [Theory]
    [InlineData("{a: 1, b: 2}", "{$mergeObjects: [{a: 1}, '$x']}", "{x: {b: 2}}")]
    [InlineData("{a: 2}", "{$mergeObjects: [{a: 1}, {a: 2}]}", "{}")]
    [InlineData("{a: 1}", "{$mergeObjects: [{a: 1}, null, '$missing']}", "{}")]
    [InlineData("{}", "{$mergeObjects: [null]}", "{}")]
    [InlineData("[{k: 'item', v: 'foo'}, {k: 'qty', v: 25}]", "{$objectToArray: '$d'}", "{d: {item: 'foo', qty: 25}}")]
    [InlineData("null", "{$objectToArray: '$missing'}", "{}")]
    [InlineData("{item: 'abc123', qty: 25}", "{$arrayToObject: [[['item', 'abc123'], ['qty', 25]]]}", "{}")]
    [InlineData("{item: 'abc123', qty: 25}", "{$arrayToObject: '$d'}", "{d: [{k: 'item', v: 'abc123'}, {k: 'qty', v: 25}]}")]
    [InlineData("{a: 2}", "{$arrayToObject: [[['a', 1], ['a', 2]]]}", "{}")]
    [InlineData("{}", "{$arrayToObject: [[]]}", "{}")]
    [InlineData("null", "{$arrayToObject: '$missing'}", "{}")]
    [InlineData("5", "{$getField: 'price.usd'}", "{'price.usd': 5, price: {usd: 9}}")]
    [InlineData("7", "{$getField: {$literal: '$small'}}", "{'$small': 7}")]
    [InlineData("3", "{$getField: {field: 'qty', input: '$item'}}", "{item: {qty: 3}}")]
    [InlineData("null", "{$getField: {field: 'qty', input: '$missing'}}", "{}")]
    [InlineData("{a: 1, 'price.usd': 5}", "{$setField: {field: 'price.usd', input: '$$ROOT', value: 5}}", "{a: 1}")]
    [InlineData("{b: 2}", "{$setField: {field: 'a', input: '$$ROOT', value: '$$REMOVE'}}", "{a: 1, b: 2}")]
    [InlineData("{b: 2}", "{$unsetField: {field: 'a', input: {a: 1, b: 2}}}", "{}")]
    [InlineData("null", "{$unsetField: {field: 'a', input: null}}", "{}")]
    public void Object_operators(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Get_field_of_an_absent_field_or_a_non_object_is_missing()
    {
        AssertMissing("{$getField: 'nope'}", "{a: 1}");
        AssertMissing("{$getField: {field: 'a', input: 5}}");
    }

    [Theory]
    [InlineData(40400, "{$mergeObjects: [{a: 1}, 5]}")]
    [InlineData(40390, "{$objectToArray: 5}")]
    [InlineData(40386, "{$arrayToObject: 5}")]
    [InlineData(40397, "{$arrayToObject: [[['a', 1, 2]]]}")]
    [InlineData(40395, "{$arrayToObject: [[[1, 1]]]}")]
    [InlineData(40391, "{$arrayToObject: [[['a', 1], {k: 'b', v: 2}]]}")]
    [InlineData(4161105, "{$setField: {field: 'a', input: 5, value: 1}}")]
    public void Object_errors(int code, string expression) => AssertError(code, expression);
}
