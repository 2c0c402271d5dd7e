using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>
/// $dateAdd/$dateSubtract, $dateDiff and $dateTrunc. Units of a day and longer work on the local calendar of the
/// timezone; shorter units work on the instant.
/// </summary>
internal static class DateArithmetic
{
    private enum Unit
    {
        Millisecond,
        Second,
        Minute,
        Hour,
        Day,
        Week,
        Month,
        Quarter,
        Year,
    }

    // $dateTrunc counts bins from this wall-clock reference point, as MongoDB does.
    private static readonly DateTime ReferencePoint = new(2000, 1, 1);

    private static Unit? ParseUnit(string op, BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return null;
        }

        if (value!.BsonType != BsonType.String)
        {
            throw new MongoErrorException(5439013, $"{op} requires 'unit' to be a string, but got {TypeNames.Of(value)}");
        }

        return value.AsString switch
        {
            "millisecond" => Unit.Millisecond,
            "second" => Unit.Second,
            "minute" => Unit.Minute,
            "hour" => Unit.Hour,
            "day" => Unit.Day,
            "week" => Unit.Week,
            "month" => Unit.Month,
            "quarter" => Unit.Quarter,
            "year" => Unit.Year,
            _ => throw new MongoErrorException(ErrorCodes.FailedToParse,
                $"{op} parameter 'unit' value parsing failed :: caused by :: unknown time unit value: {value.AsString}"),
        };
    }

    private static DayOfWeek? ParseStartOfWeek(string op, BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return null;
        }

        if (value!.BsonType != BsonType.String)
        {
            throw new MongoErrorException(5439015, $"{op} requires 'startOfWeek' to be a string, but got {TypeNames.Of(value)}");
        }

        return value.AsString.ToLowerInvariant() switch
        {
            "sunday" or "sun" => DayOfWeek.Sunday,
            "monday" or "mon" => DayOfWeek.Monday,
            "tuesday" or "tue" => DayOfWeek.Tuesday,
            "wednesday" or "wed" => DayOfWeek.Wednesday,
            "thursday" or "thu" => DayOfWeek.Thursday,
            "friday" or "fri" => DayOfWeek.Friday,
            "saturday" or "sat" => DayOfWeek.Saturday,
            _ => throw new MongoErrorException(5439016,
                $"{op} parameter 'startOfWeek' value cannot be recognized as a day of a week: {value.AsString}"),
        };
    }

    private static DateTime? StartDate(string op, BsonValue? value, int code, string what)
    {
        if (Operator.IsNullish(value))
        {
            return null;
        }

        if (value!.BsonType is not (BsonType.DateTime or BsonType.Timestamp or BsonType.ObjectId))
        {
            throw new MongoErrorException(code, $"{op} requires '{what}' to be a date, but got {TypeNames.Of(value)}");
        }

        return BsonDates.ToDateTime(value);
    }

    public static AggregationExpression CompileAdd(string name, BsonValue argument, ExpressionCompileContext context, int sign)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["startDate", "unit", "amount", "timezone"], ["startDate", "unit", "amount"],
                5166400, 5166401, 5166402);
        return new DateAddExpression(name, args.Required("startDate"), args.Required("unit"), args.Required("amount"),
            args.Expression("timezone"), sign);
    }

    private sealed class DateAddExpression(string op, AggregationExpression startDate, AggregationExpression unit,
        AggregationExpression amount, AggregationExpression? timezone, int sign) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var start = StartDate(op, startDate.Evaluate(root, scope), 5166403, "startDate");
            var parsedUnit = ParseUnit(op, unit.Evaluate(root, scope));
            var amountValue = amount.Evaluate(root, scope);
            var zone = DateOperators.EvaluateTimeZone(op, timezone, root, scope);
            if (start is null || parsedUnit is null || Operator.IsNullish(amountValue) || zone is null)
            {
                return BsonNull.Value;
            }

            if (!Numbers.IsNumber(amountValue) || !Numbers.TryGetIntegral(amountValue!, out var n))
            {
                throw new MongoErrorException(5166405, $"{op} expects integer amount of time units");
            }

            try
            {
                return BsonDates.ToBson(Add(start.Value, parsedUnit.Value, sign * n, zone));
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new MongoErrorException(5166406, $"{op} overflowed");
            }
        }
    }

    private static DateTime Add(DateTime utc, Unit unit, long amount, ExpressionTimeZone zone)
    {
        switch (unit)
        {
            case Unit.Millisecond: return utc.AddTicks(amount * TimeSpan.TicksPerMillisecond);
            case Unit.Second: return utc.AddTicks(amount * TimeSpan.TicksPerSecond);
            case Unit.Minute: return utc.AddTicks(amount * TimeSpan.TicksPerMinute);
            case Unit.Hour: return utc.AddTicks(amount * TimeSpan.TicksPerHour);
        }

        var local = zone.ToLocal(utc);
        local = unit switch
        {
            Unit.Day => local.AddDays(amount),
            Unit.Week => local.AddDays(amount * 7),
            // AddMonths clamps to the last day of a shorter month (Jan 31 + 1 month = Feb 28/29), as MongoDB does.
            Unit.Month => local.AddMonths((int)amount),
            Unit.Quarter => local.AddMonths((int)(amount * 3)),
            _ => local.AddYears((int)amount),
        };
        return zone.ToUtc(local);
    }

    public static AggregationExpression CompileDiff(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["startDate", "endDate", "unit", "timezone", "startOfWeek"],
                ["startDate", "endDate", "unit"], 5166301, 5166302, 5166303);
        return new DateDiffExpression(args.Required("startDate"), args.Required("endDate"), args.Required("unit"),
            args.Expression("timezone"), args.Expression("startOfWeek"));
    }

    private sealed class DateDiffExpression(AggregationExpression startDate, AggregationExpression endDate, AggregationExpression unit,
        AggregationExpression? timezone, AggregationExpression? startOfWeek) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            const string op = "$dateDiff";
            var start = StartDate(op, startDate.Evaluate(root, scope), 5166307, "startDate");
            var end = StartDate(op, endDate.Evaluate(root, scope), 5166307, "endDate");
            var parsedUnit = ParseUnit(op, unit.Evaluate(root, scope));
            var zone = DateOperators.EvaluateTimeZone(op, timezone, root, scope);
            var weekStart = startOfWeek is null ? DayOfWeek.Sunday : ParseStartOfWeek(op, startOfWeek.Evaluate(root, scope));
            if (start is null || end is null || parsedUnit is null || zone is null || weekStart is null)
            {
                return BsonNull.Value;
            }

            return new BsonInt64(Diff(start.Value, end.Value, parsedUnit.Value, zone, weekStart.Value));
        }
    }

    /// <summary>The number of unit boundaries crossed between the two instants (not whole elapsed units).</summary>
    private static long Diff(DateTime startUtc, DateTime endUtc, Unit unit, ExpressionTimeZone zone, DayOfWeek weekStart)
    {
        if (unit == Unit.Millisecond)
        {
            return BsonDates.ToMilliseconds(endUtc) - BsonDates.ToMilliseconds(startUtc);
        }

        var start = zone.ToLocal(startUtc);
        var end = zone.ToLocal(endUtc);
        return unit switch
        {
            Unit.Second => FloorDiv(end.Ticks, TimeSpan.TicksPerSecond) - FloorDiv(start.Ticks, TimeSpan.TicksPerSecond),
            Unit.Minute => FloorDiv(end.Ticks, TimeSpan.TicksPerMinute) - FloorDiv(start.Ticks, TimeSpan.TicksPerMinute),
            Unit.Hour => FloorDiv(end.Ticks, TimeSpan.TicksPerHour) - FloorDiv(start.Ticks, TimeSpan.TicksPerHour),
            Unit.Day => FloorDiv(end.Ticks, TimeSpan.TicksPerDay) - FloorDiv(start.Ticks, TimeSpan.TicksPerDay),
            Unit.Week => (StartOfWeek(end, weekStart) - StartOfWeek(start, weekStart)).Days / 7,
            Unit.Month => ((end.Year * 12L) + end.Month) - ((start.Year * 12L) + start.Month),
            Unit.Quarter => ((end.Year * 4L) + ((end.Month - 1) / 3)) - ((start.Year * 4L) + ((start.Month - 1) / 3)),
            _ => end.Year - start.Year,
        };
    }

    private static long FloorDiv(long value, long divisor) => value >= 0 ? value / divisor : ((value + 1) / divisor) - 1;

    private static DateTime StartOfWeek(DateTime local, DayOfWeek weekStart) =>
        local.Date.AddDays(-(((int)local.DayOfWeek - (int)weekStart + 7) % 7));

    public static AggregationExpression CompileTrunc(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["date", "unit", "binSize", "timezone", "startOfWeek"], ["date", "unit"], 5439007,
                5439008, 5439009);
        return new DateTruncExpression(args.Required("date"), args.Required("unit"), args.Expression("binSize"),
            args.Expression("timezone"), args.Expression("startOfWeek"));
    }

    private sealed class DateTruncExpression(AggregationExpression date, AggregationExpression unit, AggregationExpression? binSize,
        AggregationExpression? timezone, AggregationExpression? startOfWeek) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            const string op = "$dateTrunc";
            var value = StartDate(op, date.Evaluate(root, scope), 5439012, "date");
            var parsedUnit = ParseUnit(op, unit.Evaluate(root, scope));
            var zone = DateOperators.EvaluateTimeZone(op, timezone, root, scope);
            var weekStart = startOfWeek is null ? DayOfWeek.Sunday : ParseStartOfWeek(op, startOfWeek.Evaluate(root, scope));
            long bin = 1;
            if (binSize is not null)
            {
                var binValue = binSize.Evaluate(root, scope);
                if (Operator.IsNullish(binValue))
                {
                    return BsonNull.Value;
                }

                if (!Numbers.IsNumber(binValue) || !Numbers.TryGetIntegral(binValue!, out bin) || bin <= 0)
                {
                    throw new MongoErrorException(5439017,
                        $"{op} requires 'binSize' to be a positive 64-bit integer, but got value '{binValue}' of type " +
                            $"{TypeNames.Of(binValue)}");
                }
            }

            if (value is null || parsedUnit is null || zone is null || weekStart is null)
            {
                return BsonNull.Value;
            }

            return BsonDates.ToBson(Truncate(value.Value, parsedUnit.Value, bin, zone, weekStart.Value));
        }
    }

    private static DateTime Truncate(DateTime utc, Unit unit, long binSize, ExpressionTimeZone zone, DayOfWeek weekStart)
    {
        var local = zone.ToLocal(utc);
        DateTime truncated;
        switch (unit)
        {
            case Unit.Year:
            case Unit.Quarter:
            case Unit.Month:
                var monthsPerUnit = unit == Unit.Year ? 12 : unit == Unit.Quarter ? 3 : 1;
                var months = ((local.Year - ReferencePoint.Year) * 12L) + (local.Month - 1);
                var binMonths = monthsPerUnit * binSize;
                truncated = ReferencePoint.AddMonths((int)(FloorDiv(months, binMonths) * binMonths));
                break;
            case Unit.Week:
                // Weeks count from the first startOfWeek day on or after the reference point.
                var reference = ReferencePoint.AddDays(((int)weekStart - (int)ReferencePoint.DayOfWeek + 7) % 7);
                var days = FloorDiv((local.Date - reference).Ticks, TimeSpan.TicksPerDay);
                truncated = reference.AddDays(FloorDiv(days, 7 * binSize) * 7 * binSize);
                break;
            default:
                var unitTicks = unit switch
                {
                    Unit.Day => TimeSpan.TicksPerDay,
                    Unit.Hour => TimeSpan.TicksPerHour,
                    Unit.Minute => TimeSpan.TicksPerMinute,
                    Unit.Second => TimeSpan.TicksPerSecond,
                    _ => TimeSpan.TicksPerMillisecond,
                };
                var elapsed = (local - ReferencePoint).Ticks;
                truncated = ReferencePoint.AddTicks(FloorDiv(elapsed, unitTicks * binSize) * unitTicks * binSize);
                break;
        }

        return zone.ToUtc(truncated);
    }
}
