using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class BitwiseExpressionTests
{
    [Theory]
    [InlineData("4", "{$bitAnd: ['$a', '$b']}", "{a: 12, b: 6}")]
    [InlineData("14", "{$bitOr: ['$a', '$b']}", "{a: 12, b: 6}")]
    [InlineData("10", "{$bitXor: ['$a', '$b']}", "{a: 12, b: 6}")]
    [InlineData("-13", "{$bitNot: '$a'}", "{a: 12}")]
    [InlineData("NumberLong(4)", "{$bitAnd: ['$a', NumberLong(6)]}", "{a: 12}")]
    [InlineData("NumberLong(-4294967297)", "{$bitNot: NumberLong(4294967296)}", "{}")]
    [InlineData("0", "{$bitAnd: [1, 2, 4]}", "{}")]
    [InlineData("-1", "{$bitAnd: []}", "{}")]
    [InlineData("0", "{$bitOr: []}", "{}")]
    [InlineData("null", "{$bitAnd: [1, '$missing']}", "{}")]
    [InlineData("null", "{$bitNot: null}", "{}")]
    public void Evaluates_on_ints_and_longs(string expected, string expression, string document) =>
        AssertEvaluates(expected, expression, document);

    [Fact]
    public void Rejects_doubles_decimals_and_strings()
    {
        AssertError(14, "{$bitAnd: [1, 2.0]}");
        AssertError(14, "{$bitOr: [NumberDecimal('1'), 1]}");
        AssertError(14, "{$bitNot: 'a'}");
    }
}
