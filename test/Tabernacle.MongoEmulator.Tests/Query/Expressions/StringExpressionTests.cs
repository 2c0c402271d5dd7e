using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class StringExpressionTests
{
    [Theory]
    [InlineData("'ABC1 - product 1'", "{$concat: ['$item', ' - ', '$description']}", "{item: 'ABC1', description: 'product 1'}")]
    [InlineData("null", "{$concat: ['$item', ' - ', '$description']}", "{item: 'ABC1', description: null}")]
    [InlineData("null", "{$concat: ['$item', '$missing']}", "{item: 'ABC1'}")]
    [InlineData("''", "{$concat: []}", "{}")]
    [InlineData("'abc1'", "{$toLower: '$item'}", "{item: 'ABC1'}")]
    [InlineData("'ABC1'", "{$toUpper: '$item'}", "{item: 'abc1'}")]
    [InlineData("''", "{$toLower: null}", "{}")]
    [InlineData("'12'", "{$toUpper: 12}", "{}")]
    [InlineData("'École'", "{$toLower: 'ÉCOLE'}", "{}")]
    [InlineData("'13'", "{$substrCP: ['$quarter', 0, 2]}", "{quarter: '13Q1'}")]
    [InlineData("'Q1'", "{$substrCP: ['$quarter', 2, { $subtract: [{ $strLenCP: '$quarter' }, 2] }]}", "{quarter: '13Q1'}")]
    [InlineData("'寿司s'", "{$substrCP: ['寿司sushi', 0, 3]}", "{}")]
    [InlineData("''", "{$substrCP: [null, 0, 3]}", "{}")]
    [InlineData("'寿'", "{$substrBytes: ['寿司sushi', 0, 3]}", "{}")]
    [InlineData("'ushi'", "{$substrBytes: ['寿司sushi', 7, -1]}", "{}")]
    [InlineData("'ab'", "{$substr: ['abc', 0, 2]}", "{}")]
    [InlineData("9", "{$strLenCP: 'cafétéria'}", "{}")]
    [InlineData("11", "{$strLenBytes: 'cafétéria'}", "{}")]
    [InlineData("6", "{$strLenBytes: '寿司'}", "{}")]
    [InlineData("3", "{$indexOfCP: ['cafétéria', 'é']}", "{}")]
    [InlineData("4", "{$indexOfCP: ['cafétéria', 't']}", "{}")]
    [InlineData("5", "{$indexOfCP: ['cafétéria', 'é', 4]}", "{}")]
    [InlineData("-1", "{$indexOfCP: ['cafétéria', 'é', 6, 9]}", "{}")]
    [InlineData("-1", "{$indexOfCP: ['foo', 'x']}", "{}")]
    [InlineData("null", "{$indexOfCP: ['$missing', 'x']}", "{}")]
    [InlineData("5", "{$indexOfBytes: ['cafétéria', 't']}", "{}")]
    [InlineData("['June', '15', '2013']", "{$split: ['June-15-2013', '-']}", "{}")]
    [InlineData("['', 'a', '']", "{$split: ['-a-', '-']}", "{}")]
    [InlineData("null", "{$split: [null, '-']}", "{}")]
    [InlineData("'good  bye'", "{$trim: {input: '  \\n good  bye \\t  '}}", "{}")]
    [InlineData("'hixx'", "{$ltrim: {input: 'xxhixx', chars: 'x'}}", "{}")]
    [InlineData("'xxhi'", "{$rtrim: {input: 'xxhixx', chars: 'x'}}", "{}")]
    [InlineData("'i'", "{$trim: {input: 'xyhixy', chars: 'xyh'}}", "{}")]
    [InlineData("null", "{$trim: {input: '$missing'}}", "{}")]
    [InlineData("'red paint'", "{$replaceOne: {input: 'blue paint', find: 'blue', replacement: 'red'}}", "{}")]
    [InlineData("'blue paint and blue'", "{$replaceOne: {input: 'blue paint and blue', find: 'green', replacement: 'red'}}", "{}")]
    [InlineData("'red paint and red'", "{$replaceAll: {input: 'blue paint and blue', find: 'blue', replacement: 'red'}}", "{}")]
    [InlineData("null", "{$replaceAll: {input: null, find: 'blue', replacement: 'red'}}", "{}")]
    [InlineData("0", "{$strcasecmp: ['$quarter', '13q4']}", "{quarter: '13Q4'}")]
    [InlineData("-1", "{$strcasecmp: ['$quarter', '13q4']}", "{quarter: '13Q1'}")]
    [InlineData("1", "{$strcasecmp: ['$quarter', '13q4']}", "{quarter: '14Q2'}")]
    public void String_operators(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Theory]
    [InlineData(16702, "{$concat: ['a', 1]}")]
    [InlineData(34455, "{$substrCP: ['abc', -1, 1]}")]
    [InlineData(34450, "{$substrCP: ['abc', 'x', 1]}")]
    [InlineData(28656, "{$substrBytes: ['寿司sushi', 1, 3]}")]
    [InlineData(28657, "{$substrBytes: ['寿司sushi', 0, 4]}")]
    [InlineData(34471, "{$strLenCP: null}")]
    [InlineData(34473, "{$strLenBytes: 1}")]
    [InlineData(40085, "{$split: [1, '-']}")]
    [InlineData(40087, "{$split: ['a', '']}")]
    [InlineData(50699, "{$trim: {input: 1}}")]
    [InlineData(51746, "{$replaceOne: {input: 1, find: 'a', replacement: 'b'}}")]
    [InlineData(16007, "{$toLower: {a: 1}}")]
    public void String_errors(int code, string expression) => AssertError(code, expression);

    [Theory]
    [InlineData("true", "{$regexMatch: {input: '$d', regex: /line/i}}", "{d: 'Single LINE description.'}")]
    [InlineData("false", "{$regexMatch: {input: '$d', regex: /line/}}", "{d: 'Single LINE description.'}")]
    [InlineData("true", "{$regexMatch: {input: '$d', regex: 'line', options: 'i'}}", "{d: 'Single LINE description.'}")]
    [InlineData("false", "{$regexMatch: {input: '$missing', regex: 'a'}}", "{}")]
    [InlineData("{match: 'LINE', idx: 7, captures: []}", "{$regexFind: {input: '$d', regex: /line/i}}", "{d: 'Single LINE description.'}")]
    [InlineData("null", "{$regexFind: {input: '$d', regex: /zzz/}}", "{d: 'abc'}")]
    [InlineData("null", "{$regexFind: {input: null, regex: /zzz/}}", "{}")]
    [InlineData("{match: 'b', idx: 3, captures: []}", "{$regexFind: {input: 'é abc', regex: 'b'}}", "{}")]
    [InlineData("{match: 'ac', idx: 0, captures: ['a', null]}", "{$regexFind: {input: 'ac', regex: '(a)(b)?c'}}", "{}")]
    [InlineData("[{match: 'bc', idx: 1, captures: ['c']}, {match: 'bc', idx: 5, captures: ['c']}]",
        "{$regexFindAll: {input: 'abc abc', regex: 'b(c)'}}", "{}")]
    [InlineData("[]", "{$regexFindAll: {input: 'abc', regex: 'z'}}", "{}")]
    [InlineData("[]", "{$regexFindAll: {input: '$missing', regex: 'z'}}", "{}")]
    public void Regex_operators(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Regex_errors()
    {
        AssertError(51104, "{$regexMatch: {input: 1, regex: 'a'}}");
        AssertError(51107, "{$regexMatch: {input: 'a', regex: /a/i, options: 'm'}}");
        AssertError(51105, "{$regexMatch: {input: 'a', regex: 1}}");
    }
}
