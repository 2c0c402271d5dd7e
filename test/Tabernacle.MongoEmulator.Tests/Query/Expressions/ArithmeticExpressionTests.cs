using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class ArithmeticExpressionTests
{
    [Theory]
    [InlineData("12", "{$add: ['$price', '$fee']}", "{price: 10, fee: 2}")]
    [InlineData("12.5", "{$add: ['$price', '$fee']}", "{price: 10, fee: 2.5}")]
    [InlineData("NumberLong(12)", "{$add: ['$price', '$fee']}", "{price: 10, fee: NumberLong(2)}")]
    [InlineData("NumberDecimal('2.1')", "{$add: [NumberDecimal('1.1'), 1]}", "{}")]
    [InlineData("NumberLong(2147483648)", "{$add: [2147483647, 1]}", "{}")]
    [InlineData("9223372036854775808.0", "{$add: [NumberLong('9223372036854775807'), NumberLong(1)]}", "{}")]
    [InlineData("0", "{$add: []}", "{}")]
    [InlineData("null", "{$add: [1, null]}", "{}")]
    [InlineData("null", "{$add: [1, '$missing']}", "{}")]
    [InlineData("ISODate('2014-03-04T08:00:00Z')", "{$add: ['$date', 259200000]}", "{date: ISODate('2014-03-01T08:00:00Z')}")]
    [InlineData("ISODate('2014-03-01T08:00:01Z')", "{$add: [1000, '$date']}", "{date: ISODate('2014-03-01T08:00:00Z')}")]
    public void Add(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Add_rejects_two_dates_and_non_numbers()
    {
        AssertError(16612, "{$add: ['$d', '$d']}", "{d: ISODate('2014-03-01T08:00:00Z')}");
        AssertError(16554, "{$add: [1, 'a']}");
    }

    [Theory]
    [InlineData("3", "{$subtract: [5, 2]}", "{}")]
    [InlineData("-1.5", "{$subtract: [1, 2.5]}", "{}")]
    [InlineData("NumberLong(300000)", "{$subtract: ['$end', '$start']}",
        "{start: ISODate('2014-03-01T08:00:00Z'), end: ISODate('2014-03-01T08:05:00Z')}")]
    [InlineData("ISODate('2014-03-01T07:55:00Z')", "{$subtract: ['$start', 300000]}", "{start: ISODate('2014-03-01T08:00:00Z')}")]
    [InlineData("null", "{$subtract: ['$missing', 1]}", "{}")]
    [InlineData("NumberLong(-2147483649)", "{$subtract: [-2147483648, 1]}", "{}")]
    public void Subtract(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Subtract_of_a_date_from_a_number_is_an_error() =>
        AssertError(16556, "{$subtract: [1, '$d']}", "{d: ISODate('2014-03-01T08:00:00Z')}");

    [Theory]
    [InlineData("20", "{$multiply: ['$price', '$quantity']}", "{price: 10, quantity: 2}")]
    [InlineData("NumberLong(4294967296)", "{$multiply: [65536, 65536]}", "{}")]
    [InlineData("5.0", "{$multiply: [2, 2.5]}", "{}")]
    [InlineData("null", "{$multiply: [2, null]}", "{}")]
    public void Multiply(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Multiply_rejects_strings() => AssertError(16555, "{$multiply: [2, 'x']}");

    [Theory]
    [InlineData("10.0", "{$divide: ['$hours', 8]}", "{hours: 80}")]
    [InlineData("2.5", "{$divide: [5, 2]}", "{}")]
    [InlineData("NumberDecimal('2.5')", "{$divide: [NumberDecimal('5'), 2]}", "{}")]
    [InlineData("null", "{$divide: [null, 2]}", "{}")]
    public void Divide(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Divide_by_zero_is_bad_value()
    {
        var error = AssertError(2, "{$divide: [1, 0]}");
        Assert.Equal("can't $divide by zero", error.Message);
        AssertError(16609, "{$divide: ['a', 1]}");
    }

    [Theory]
    [InlineData("3", "{$mod: ['$hours', '$tasks']}", "{hours: 80, tasks: 7}")]
    [InlineData("-2", "{$mod: [-5, 3]}", "{}")]
    [InlineData("1.5", "{$mod: [5.5, 2]}", "{}")]
    [InlineData("NumberLong(1)", "{$mod: [NumberLong(7), 3]}", "{}")]
    [InlineData("null", "{$mod: ['$missing', 3]}", "{}")]
    public void Mod(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Mod_by_zero_is_an_error() => AssertError(16610, "{$mod: [5, 0]}");

    [Theory]
    [InlineData("5", "{$abs: -5}")]
    [InlineData("5.5", "{$abs: -5.5}")]
    [InlineData("NumberLong(2147483648)", "{$abs: -2147483648}")]
    [InlineData("null", "{$abs: null}")]
    [InlineData("8.0", "{$ceil: 7.80}")]
    [InlineData("-2.0", "{$ceil: -2.8}")]
    [InlineData("1", "{$ceil: 1}")]
    [InlineData("7.0", "{$floor: 7.80}")]
    [InlineData("-3.0", "{$floor: -2.8}")]
    [InlineData("null", "{$floor: '$missing'}")]
    [InlineData("5.0", "{$sqrt: 25}")]
    [InlineData("1.0", "{$exp: 0}")]
    [InlineData("0.0", "{$ln: 1}")]
    [InlineData("2.0", "{$log: [100, 10]}")]
    [InlineData("3.0", "{$log10: 1000}")]
    [InlineData("null", "{$log10: null}")]
    public void Unary_math(string expected, string expression) => AssertEvaluates(expected, expression);

    [Theory]
    [InlineData(28765, "{$abs: 'x'}")]
    [InlineData(28680, "{$abs: NumberLong('-9223372036854775808')}")]
    [InlineData(28714, "{$sqrt: -1}")]
    [InlineData(28766, "{$ln: 0}")]
    [InlineData(28761, "{$log10: -1}")]
    [InlineData(28758, "{$log: [-1, 10]}")]
    [InlineData(28759, "{$log: [10, 1]}")]
    [InlineData(16020, "{$abs: [1, 2]}")]
    public void Math_errors(int code, string expression) => AssertError(code, expression);

    [Theory]
    [InlineData("19.2", "{$round: ['$value', 1]}", "{value: 19.25}")]
    [InlineData("28.7", "{$round: ['$value', 1]}", "{value: 28.73}")]
    [InlineData("-45.4", "{$round: ['$value', 1]}", "{value: -45.39}")]
    [InlineData("20.0", "{$round: ['$value', -1]}", "{value: 19.25}")]
    [InlineData("-50.0", "{$round: ['$value', -1]}", "{value: -45.39}")]
    [InlineData("29.0", "{$round: ['$value', 0]}", "{value: 28.73}")]
    [InlineData("10.0", "{$round: 10.5}", "{}")]
    [InlineData("12.0", "{$round: 11.5}", "{}")]
    [InlineData("1230", "{$round: [1234, -1]}", "{}")]
    [InlineData("19.2", "{$trunc: ['$value', 1]}", "{value: 19.25}")]
    [InlineData("-45.3", "{$trunc: ['$value', 1]}", "{value: -45.39}")]
    [InlineData("20.0", "{$trunc: ['$value', -1]}", "{value: 28.73}")]
    [InlineData("28.0", "{$trunc: ['$value', 0]}", "{value: 28.73}")]
    [InlineData("null", "{$trunc: ['$missing', 0]}", "{}")]
    [InlineData("NumberDecimal('1.2')", "{$round: [NumberDecimal('1.25'), 1]}", "{}")]
    public void Round_and_trunc(string expected, string expression, string document) => AssertEvaluates(expected, expression, document);

    [Fact]
    public void Round_rejects_out_of_range_places() => AssertError(51083, "{$round: [1.5, 101]}");

    [Theory]
    [InlineData("1", "{$pow: [5, 0]}")]
    [InlineData("1024", "{$pow: [2, 10]}")]
    [InlineData("NumberLong(1099511627776)", "{$pow: [2, 40]}")]
    [InlineData("0.25", "{$pow: [2, -2]}")]
    [InlineData("6.25", "{$pow: [2.5, 2]}")]
    [InlineData("-1", "{$pow: [-1, 3]}")]
    [InlineData("null", "{$pow: [null, 3]}")]
    public void Pow(string expected, string expression) => AssertEvaluates(expected, expression);

    [Fact]
    public void Pow_of_zero_to_a_negative_exponent_is_an_error() => AssertError(28764, "{$pow: [0, -1]}");
}
