using static Tabernacle.MongoEmulator.Tests.Query.Expressions.ExpressionTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

public class DateExpressionTests
{
    private const string Doc = "{date: ISODate('2014-01-01T08:15:39.736Z')}";

    [Theory]
    [InlineData("2014", "{$year: '$date'}")]
    [InlineData("1", "{$month: '$date'}")]
    [InlineData("1", "{$dayOfMonth: '$date'}")]
    [InlineData("8", "{$hour: '$date'}")]
    [InlineData("15", "{$minute: '$date'}")]
    [InlineData("39", "{$second: '$date'}")]
    [InlineData("736", "{$millisecond: '$date'}")]
    [InlineData("1", "{$dayOfYear: '$date'}")]
    [InlineData("4", "{$dayOfWeek: '$date'}")]
    [InlineData("0", "{$week: '$date'}")]
    [InlineData("1", "{$isoWeek: '$date'}")]
    [InlineData("2014", "{$isoWeekYear: '$date'}")]
    [InlineData("3", "{$isoDayOfWeek: '$date'}")]
    [InlineData("3", "{$hour: {date: '$date', timezone: 'America/New_York'}}")]
    [InlineData("45", "{$minute: {date: '$date', timezone: '+05:30'}}")]
    [InlineData("45", "{$minute: {date: '$date', timezone: '+0530'}}")]
    [InlineData("2", "{$hour: {date: '$date', timezone: '-06'}}")]
    [InlineData("2014", "{$year: ['$date']}")]
    [InlineData("null", "{$year: '$missing'}")]
    [InlineData("null", "{$year: {date: '$date', timezone: null}}")]
    public void Date_parts(string expected, string expression) => AssertEvaluates(expected, expression, Doc);

    [Fact]
    public void Date_parts_of_objectid_and_timestamp()
    {
        AssertEvaluates("2018", "{$year: ObjectId('5ab9cbfa31c2ab715d42129e')}");
        AssertEvaluates("1970", "{$year: Timestamp(100, 1)}");
    }

    [Theory]
    [InlineData("'2014-01-01'", "{$dateToString: {format: '%Y-%m-%d', date: '$date'}}")]
    [InlineData("'03:15:39:736-0500'", "{$dateToString: {format: '%H:%M:%S:%L%z', date: '$date', timezone: 'America/New_York'}}")]
    [InlineData("'-300'", "{$dateToString: {format: '%Z', date: '$date', timezone: 'America/New_York'}}")]
    [InlineData("'001 4 00 2014-01-3 100%'", "{$dateToString: {format: '%j %w %U %G-%V-%u 100%%', date: '$date'}}")]
    [InlineData("'2014-01-01T08:15:39.736Z'", "{$dateToString: {date: '$date'}}")]
    [InlineData("'2014-01-01T03:15:39.736'", "{$dateToString: {date: '$date', timezone: 'America/New_York'}}")]
    [InlineData("'none'", "{$dateToString: {date: '$missing', onNull: 'none'}}")]
    [InlineData("null", "{$dateToString: {date: null}}")]
    public void Date_to_string(string expected, string expression) => AssertEvaluates(expected, expression, Doc);

    [Theory]
    [InlineData("ISODate('2017-02-08T17:10:40.787Z')",
        "{$dateFromString: {dateString: '2017-02-08T12:10:40.787', timezone: 'America/New_York'}}")]
    [InlineData("ISODate('2017-02-08T12:10:40.787Z')", "{$dateFromString: {dateString: '2017-02-08T12:10:40.787Z'}}")]
    [InlineData("ISODate('2017-02-08T10:10:40Z')", "{$dateFromString: {dateString: '2017-02-08T12:10:40+02:00'}}")]
    [InlineData("ISODate('2017-02-08T00:00:00Z')", "{$dateFromString: {dateString: '2017-02-08'}}")]
    [InlineData("ISODate('2018-06-15T00:00:00Z')", "{$dateFromString: {dateString: '06-15-2018', format: '%m-%d-%Y'}}")]
    [InlineData("ISODate('2018-06-15T05:00:00Z')", "{$dateFromString: {dateString: '15/06/2018', format: '%d/%m/%Y', timezone: '-05:00'}}")]
    [InlineData("'bad'", "{$dateFromString: {dateString: 'not a date', onError: 'bad'}}")]
    [InlineData("'none'", "{$dateFromString: {dateString: null, onNull: 'none'}}")]
    [InlineData("null", "{$dateFromString: {dateString: '$missing'}}")]
    public void Date_from_string(string expected, string expression) => AssertEvaluates(expected, expression);

    [Fact]
    public void Date_from_string_errors()
    {
        AssertError(241, "{$dateFromString: {dateString: 'not a date'}}");
        AssertError(241, "{$dateFromString: {dateString: 5}}");
        AssertError(40554, "{$dateFromString: {dateString: '2017-02-08T12:10:40Z', timezone: 'Europe/London'}}");
    }

    [Theory]
    [InlineData("ISODate('2017-02-08T12:00:00Z')", "{$dateFromParts: {year: 2017, month: 2, day: 8, hour: 12}}")]
    [InlineData("ISODate('2017-02-08T17:00:00Z')",
        "{$dateFromParts: {year: 2017, month: 2, day: 8, hour: 12, timezone: 'America/New_York'}}")]
    [InlineData("ISODate('2018-02-01T00:00:00Z')", "{$dateFromParts: {year: 2017, month: 14, day: 1}}")]
    [InlineData("ISODate('2016-12-31T00:00:00Z')", "{$dateFromParts: {year: 2017, month: 1, day: 0}}")]
    [InlineData("ISODate('2017-01-01T00:00:00Z')", "{$dateFromParts: {year: 2017}}")]
    [InlineData("ISODate('2017-02-08T12:00:00Z')", "{$dateFromParts: {isoWeekYear: 2017, isoWeek: 6, isoDayOfWeek: 3, hour: 12}}")]
    [InlineData("null", "{$dateFromParts: {year: 2017, month: null}}")]
    public void Date_from_parts(string expected, string expression) => AssertEvaluates(expected, expression);

    [Fact]
    public void Date_from_parts_errors()
    {
        AssertError(40523, "{$dateFromParts: {year: 10000}}");
        AssertError(40515, "{$dateFromParts: {year: 'x'}}");
        AssertError(31034, "{$dateFromParts: {year: 2017, month: 40000}}");
        AssertError(40489, "{$dateFromParts: {year: 2017, isoWeek: 3}}");
    }

    [Theory]
    [InlineData("{year: 2017, month: 1, day: 1, hour: 1, minute: 29, second: 9, millisecond: 123}", "{$dateToParts: {date: '$d'}}")]
    [InlineData("{isoWeekYear: 2016, isoWeek: 52, isoDayOfWeek: 7, hour: 1, minute: 29, second: 9, millisecond: 123}",
        "{$dateToParts: {date: '$d', iso8601: true}}")]
    [InlineData("{year: 2016, month: 12, day: 31, hour: 20, minute: 29, second: 9, millisecond: 123}",
        "{$dateToParts: {date: '$d', timezone: 'America/New_York'}}")]
    public void Date_to_parts(string expected, string expression) =>
        AssertEvaluates(expected, expression, "{d: ISODate('2017-01-01T01:29:09.123Z')}");

    [Theory]
    [InlineData("ISODate('2021-02-28T00:00:00Z')", "{$dateAdd: {startDate: ISODate('2021-01-31T00:00:00Z'), unit: 'month', amount: 1}}")]
    [InlineData("ISODate('2020-10-31T12:10:05Z')", "{$dateAdd: {startDate: ISODate('2020-10-28T12:10:05Z'), unit: 'day', amount: 3}}")]
    [InlineData("ISODate('2021-03-14T11:00:00Z')",
        "{$dateAdd: {startDate: ISODate('2021-03-13T12:00:00Z'), unit: 'day', amount: 1, timezone: 'America/New_York'}}")]
    [InlineData("ISODate('2020-10-28T14:10:05Z')", "{$dateAdd: {startDate: ISODate('2020-10-28T12:10:05Z'), unit: 'hour', amount: 2}}")]
    [InlineData("ISODate('2022-01-31T00:00:00Z')", "{$dateAdd: {startDate: ISODate('2021-01-31T00:00:00Z'), unit: 'year', amount: 1}}")]
    [InlineData("ISODate('2021-02-28T00:00:00Z')",
        "{$dateSubtract: {startDate: ISODate('2021-03-31T00:00:00Z'), unit: 'month', amount: 1}}")]
    [InlineData("ISODate('2021-03-31T00:00:00Z')",
        "{$dateSubtract: {startDate: ISODate('2021-03-31T00:00:00.250Z'), unit: 'millisecond', amount: 250}}")]
    [InlineData("null", "{$dateAdd: {startDate: '$missing', unit: 'day', amount: 1}}")]
    public void Date_add_and_subtract(string expected, string expression) => AssertEvaluates(expected, expression);

    [Fact]
    public void Date_add_errors()
    {
        AssertError(9, "{$dateAdd: {startDate: ISODate('2021-01-31T00:00:00Z'), unit: 'fortnight', amount: 1}}");
        AssertError(5166405, "{$dateAdd: {startDate: ISODate('2021-01-31T00:00:00Z'), unit: 'day', amount: 1.5}}");
        AssertError(5166403, "{$dateAdd: {startDate: 'x', unit: 'day', amount: 1}}");
    }

    [Theory]
    [InlineData("NumberLong(30)",
        "{$dateDiff: {startDate: ISODate('2021-01-01T00:00:00Z'), endDate: ISODate('2021-01-31T00:00:00Z'), unit: 'day'}}")]
    [InlineData("NumberLong(1)",
        "{$dateDiff: {startDate: ISODate('2020-12-31T23:59:00Z'), endDate: ISODate('2021-01-01T00:01:00Z'), unit: 'year'}}")]
    [InlineData("NumberLong(2)",
        "{$dateDiff: {startDate: ISODate('2020-12-31T23:59:00Z'), endDate: ISODate('2021-01-01T00:01:00Z'), unit: 'minute'}}")]
    [InlineData("NumberLong(0)",
        "{$dateDiff: {startDate: ISODate('2021-01-01T00:00:00Z'), endDate: ISODate('2021-01-01T23:59:00Z'), unit: 'day'}}")]
    [InlineData("NumberLong(-1)",
        "{$dateDiff: {startDate: ISODate('2021-02-01T00:00:00Z'), endDate: ISODate('2021-01-31T00:00:00Z'), unit: 'month'}}")]
    [InlineData("NumberLong(1)",
        "{$dateDiff: {startDate: ISODate('2021-03-31T00:00:00Z'), endDate: ISODate('2021-04-01T00:00:00Z'), unit: 'quarter'}}")]
    [InlineData("NumberLong(1)",
        "{$dateDiff: {startDate: ISODate('2021-01-02T00:00:00Z'), endDate: ISODate('2021-01-03T00:00:00Z'), unit: 'week'}}")]
    [InlineData("NumberLong(0)",
        "{$dateDiff: {startDate: ISODate('2021-01-02T00:00:00Z'), endDate: ISODate('2021-01-03T00:00:00Z'), unit: 'week', startOfWeek: " +
            "'monday'}}")]
    [InlineData("NumberLong(1500)",
        "{$dateDiff: {startDate: ISODate('2021-01-01T00:00:00Z'), endDate: ISODate('2021-01-01T00:00:01.500Z'), unit: 'millisecond'}}")]
    [InlineData("null", "{$dateDiff: {startDate: null, endDate: ISODate('2021-01-01T00:00:00Z'), unit: 'day'}}")]
    public void Date_diff(string expected, string expression) => AssertEvaluates(expected, expression);

    [Theory]
    [InlineData("ISODate('2021-03-31T09:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'hour'}}")]
    [InlineData("ISODate('2021-03-01T00:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'month'}}")]
    [InlineData("ISODate('2021-01-01T00:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'quarter'}}")]
    [InlineData("ISODate('2021-01-01T00:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'year'}}")]
    [InlineData("ISODate('2021-03-28T00:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'week'}}")]
    [InlineData("ISODate('2021-03-29T00:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'week', startOfWeek: 'Monday'}}")]
    [InlineData("ISODate('2021-03-31T08:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'hour', binSize: 2}}")]
    [InlineData("ISODate('2021-03-31T09:45:00Z')", "{$dateTrunc: {date: '$d', unit: 'minute', binSize: 15}}")]
    [InlineData("ISODate('2021-03-31T04:00:00Z')", "{$dateTrunc: {date: '$d', unit: 'day', timezone: 'America/New_York'}}")]
    [InlineData("null", "{$dateTrunc: {date: '$missing', unit: 'day'}}")]
    public void Date_trunc(string expected, string expression) =>
        AssertEvaluates(expected, expression, "{d: ISODate('2021-03-31T09:45:30Z')}");

    [Theory]
    [InlineData(16006, "{$year: 'x'}")]
    [InlineData(40485, "{$year: {date: '$date', timezone: 'Mars/Olympus'}}")]
    [InlineData(18536, "{$dateToString: {date: '$date', format: '%Q'}}")]
    [InlineData(18535, "{$dateToString: {date: '$date', format: 'abc%'}}")]
    public void Date_errors(int code, string expression) => AssertError(code, expression, Doc);
}
