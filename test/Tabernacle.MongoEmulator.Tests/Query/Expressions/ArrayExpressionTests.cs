using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class ArrayExpressionTests
{
    [Theory]
    [InlineData("3", "{$size: '$colors'}", "{colors: ['blue', 'black', 'red']}")]
    [InlineData("0", "{$size: [[]]}", "{}")]
    [InlineData("1", "{$arrayElemAt: ['$favorites', 0]}", "{favorites: [1, 2, 3]}")]
    [InlineData("3", "{$arrayElemAt: ['$favorites', -1]}", "{favorites: [1, 2, 3]}")]
    [InlineData("null", "{$arrayElemAt: ['$missing', 0]}", "{}")]
    [InlineData("1", "{$first: '$a'}", "{a: [1, 2, 3]}")]
    [InlineData("3", "{$last: '$a'}", "{a: [1, 2, 3]}")]
    [InlineData("null", "{$first: '$missing'}", "{}")]
    [InlineData("[1, 2, 3, 'a']", "{$concatArrays: ['$a', [3], ['a']]}", "{a: [1, 2]}")]
    [InlineData("null", "{$concatArrays: ['$a', '$missing']}", "{a: [1]}")]
    [InlineData("[1, 2]", "{$slice: ['$a', 2]}", "{a: [1, 2, 3]}")]
    [InlineData("[2, 3]", "{$slice: ['$a', -2]}", "{a: [1, 2, 3]}")]
    [InlineData("[2]", "{$slice: ['$a', 1, 1]}", "{a: [1, 2, 3]}")]
    [InlineData("[2, 3]", "{$slice: ['$a', -2, 5]}", "{a: [1, 2, 3]}")]
    [InlineData("[]", "{$slice: ['$a', 15, 2]}", "{a: [1, 2, 3]}")]
    [InlineData("null", "{$slice: ['$missing', 1]}", "{}")]
    [InlineData("true", "{$isArray: ['$a']}", "{a: []}")]
    [InlineData("false", "{$isArray: ['$a']}", "{a: 'x'}")]
    [InlineData("[0, 1, 2, 3, 4]", "{$range: [0, 5]}", "{}")]
    [InlineData("[0, 2, 4]", "{$range: [0, 5, 2]}", "{}")]
    [InlineData("[10, 8, 6, 4, 2]", "{$range: [10, 0, -2]}", "{}")]
    [InlineData("[]", "{$range: [0, 10, -1]}", "{}")]
    [InlineData("[3, 2, 1]", "{$reverseArray: '$a'}", "{a: [1, 2, 3]}")]
    [InlineData("null", "{$reverseArray: '$missing'}", "{}")]
    [InlineData("1", "{$indexOfArray: [['a', 'abc', 'b'], 'abc']}", "{}")]
    [InlineData("-1", "{$indexOfArray: [[1, 2], 5]}", "{}")]
    [InlineData("3", "{$indexOfArray: [[1, 2, 3, 2], 2, 2]}", "{}")]
    [InlineData("null", "{$indexOfArray: [null, 5]}", "{}")]
    [InlineData("true", "{$in: ['bananas', '$in_stock']}", "{in_stock: ['apples', 'bananas']}")]
    [InlineData("true", "{$in: [2, [1, 2.0]]}", "{}")]
    [InlineData("false", "{$in: ['$missing', [null]]}", "{}")]
    [InlineData("true", "{$allElementsTrue: [[true, 1, 'someString']]}", "{}")]
    [InlineData("true", "{$allElementsTrue: [[[false]]]}", "{}")]
    [InlineData("true", "{$allElementsTrue: [[]]}", "{}")]
    [InlineData("false", "{$allElementsTrue: [[null, false, 0]]}", "{}")]
    [InlineData("true", "{$anyElementTrue: [[[false]]]}", "{}")]
    [InlineData("false", "{$anyElementTrue: [[null, false, 0]]}", "{}")]
    [InlineData("false", "{$anyElementTrue: [[]]}", "{}")]
    public void Simple_array_operators(string expected, string expression, string document) =>
        AssertEvaluates(expected, expression, document);

    [Fact]
    public void Element_past_the_end_and_first_of_empty_are_missing()
    {
        AssertMissing("{$arrayElemAt: [[1, 2], 15]}");
        AssertMissing("{$first: [[]]}");
    }

    [Theory]
    [InlineData(17124, "{$size: '$missing'}")]
    [InlineData(17124, "{$size: 5}")]
    [InlineData(28689, "{$arrayElemAt: ['x', 0]}")]
    [InlineData(28691, "{$arrayElemAt: [[1], 1.5]}")]
    [InlineData(28689, "{$first: 5}")]
    [InlineData(28664, "{$concatArrays: [[1], 'x']}")]
    [InlineData(28724, "{$slice: ['x', 1]}")]
    [InlineData(28729, "{$slice: [[1], 0, 0]}")]
    [InlineData(34449, "{$range: [0, 5, 0]}")]
    [InlineData(34443, "{$range: ['a', 5]}")]
    [InlineData(34435, "{$reverseArray: 'x'}")]
    [InlineData(40081, "{$in: [1, '$missing']}")]
    [InlineData(40090, "{$indexOfArray: ['x', 1]}")]
    [InlineData(17040, "{$allElementsTrue: [1]}")]
    [InlineData(28651, "{$filter: {input: 'x', cond: true}}")]
    [InlineData(16883, "{$map: {input: 'x', in: 1}}")]
    [InlineData(40080, "{$reduce: {input: 'x', initialValue: 0, in: 1}}")]
    [InlineData(327392, "{$filter: {input: [1], cond: true, limit: 0}}")]
    [InlineData(28647, "{$filter: {input: [1], cond: true, other: 1}}")]
    public void Array_errors(int code, string expression) => AssertError(code, expression);

    [Theory]
    [InlineData("[{item_id: 2, price: 110}, {item_id: 3, price: 1}]",
        "{$filter: {input: '$items', as: 'item', cond: {$gte: ['$$item.item_id', 2]}}}",
            "{items: [{item_id: 1, price: 10}, {item_id: 2, price: 110}, {item_id: 3, price: 1}]}")]
    [InlineData("[{item_id: 2, price: 110}]", "{$filter: {input: '$items', as: 'item', cond: {$gte: ['$$item.item_id', 2]}, limit: 1}}",
        "{items: [{item_id: 1, price: 10}, {item_id: 2, price: 110}, {item_id: 3, price: 1}]}")]
    [InlineData("[5, 6]", "{$filter: {input: [1, 5, 6], cond: {$gt: ['$$this', 2]}}}", "{}")]
    [InlineData("null", "{$filter: {input: '$missing', cond: true}}", "{}")]
    [InlineData("[7, 8, 9]", "{$map: {input: '$quizzes', as: 'grade', in: {$add: ['$$grade', 2]}}}", "{quizzes: [5, 6, 7]}")]
    [InlineData("[10, 12]", "{$map: {input: [5, 6], in: {$multiply: ['$$this', '$k']}}}", "{k: 2}")]
    [InlineData("null", "{$map: {input: null, in: 1}}", "{}")]
    [InlineData("'abc'", "{$reduce: {input: ['a', 'b', 'c'], initialValue: '', in: {$concat: ['$$value', '$$this']}}}", "{}")]
    [InlineData("{sum: 15, product: 48}",
        "{$reduce: {input: [1, 2, 3, 4], initialValue: {sum: 5, product: 2}, in: {sum: {$add: ['$$value.sum', '$$this']}, product: " +
            "{$multiply: ['$$value.product', '$$this']}}}}", "{}")]
    [InlineData("[1, 2, 3, 4, 5, 6]",
        "{$reduce: {input: [[3, 4], [5, 6]], initialValue: [1, 2], in: {$concatArrays: ['$$value', '$$this']}}}", "{}")]
    [InlineData("0", "{$reduce: {input: [], initialValue: 0, in: 1}}", "{}")]
    [InlineData("[['a', 1], ['b', 2]]", "{$zip: {inputs: [['a', 'b', 'c'], [1, 2]]}}", "{}")]
    [InlineData("[['a', 1], ['b', 2], ['c', 0]]", "{$zip: {inputs: [['a', 'b', 'c'], [1, 2]], useLongestLength: true, defaults: ['z', 0]}}",
        "{}")]
    [InlineData("[['a', 1], ['b', 2], ['c', null]]", "{$zip: {inputs: [['a', 'b', 'c'], [1, 2]], useLongestLength: true}}", "{}")]
    [InlineData("null", "{$zip: {inputs: ['$missing', [1]]}}", "{}")]
    [InlineData("[1, 2, 3]", "{$sortArray: {input: [3, 1, 2], sortBy: 1}}", "{}")]
    [InlineData("[3, 2, 1]", "{$sortArray: {input: [3, 1, 2], sortBy: -1}}", "{}")]
    [InlineData("[{a: 1, b: 2}, {a: 1, b: 1}, {a: 2}]",
        "{$sortArray: {input: [{a: 2}, {a: 1, b: 2}, {a: 1, b: 1}], sortBy: {a: 1, b: -1}}}", "{}")]
    [InlineData("null", "{$sortArray: {input: '$missing', sortBy: 1}}", "{}")]
    public void Variable_binding_array_operators(string expected, string expression, string document) =>
        AssertEvaluates(expected, expression, document);

    [Fact]
    public void Zip_defaults_need_use_longest_length() => AssertError(34466, "{$zip: {inputs: [[1]], defaults: [0]}}");

    [Theory]
    [InlineData("['a', 'b', 'c']", "{$setUnion: [['a', 'b'], ['b', 'c', 'a']]}")]
    [InlineData("null", "{$setUnion: [['a'], null]}")]
    [InlineData("['b']", "{$setIntersection: [['a', 'b', 'b'], ['b', 'c']]}")]
    [InlineData("[]", "{$setIntersection: []}")]
    [InlineData("['a']", "{$setDifference: [['a', 'b', 'a'], ['b', 'c']]}")]
    [InlineData("null", "{$setDifference: [null, ['b']]}")]
    [InlineData("true", "{$setEquals: [['a', 'b', 'a'], ['b', 'a']]}")]
    [InlineData("false", "{$setEquals: [['a'], ['a', 'b']]}")]
    [InlineData("true", "{$setIsSubset: [['a', 'a'], ['a', 'b']]}")]
    [InlineData("false", "{$setIsSubset: [['c'], ['a', 'b']]}")]
    [InlineData("true", "{$setEquals: [[1], [1.0]]}")]
    public void Set_operators(string expected, string expression) => AssertEvaluates(expected, expression);

    [Theory]
    [InlineData(17043, "{$setUnion: [['a'], 'x']}")]
    [InlineData(17047, "{$setIntersection: [['a'], 5]}")]
    [InlineData(17048, "{$setDifference: ['x', ['a']]}")]
    [InlineData(17044, "{$setEquals: [['a'], '$missing']}")]
    [InlineData(17310, "{$setIsSubset: ['$missing', ['a']]}")]
    public void Set_errors(int code, string expression) => AssertError(code, expression);
}
