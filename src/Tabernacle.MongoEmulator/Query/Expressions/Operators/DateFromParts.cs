using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$dateFromParts: calendar or ISO week parts; out-of-range parts carry over into the next larger unit.</summary>
internal static class DateFromParts
{
    private static readonly string[] CalendarParts = ["year", "month", "day", "hour", "minute", "second", "millisecond"];
    private static readonly string[] IsoParts = ["isoWeekYear", "isoWeek", "isoDayOfWeek", "hour", "minute", "second", "millisecond"];

    public static AggregationExpression Compile(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args = NamedArguments.Parse(
            name,
            argument,
            context,
            ["year", "month", "day", "hour", "minute", "second", "millisecond", "isoWeekYear", "isoWeek", "isoDayOfWeek", "timezone"],
            [],
            40519,
            40518,
            40516);
        var iso = args.Has("isoWeekYear");
        if (iso && (args.Has("year") || args.Has("month") || args.Has("day")))
        {
            throw new MongoErrorException(40489, "$dateFromParts does not allow mixing natural dates with ISO dates");
        }

        if (!iso && (args.Has("isoWeek") || args.Has("isoDayOfWeek")))
        {
            throw new MongoErrorException(40489, "$dateFromParts does not allow mixing natural dates with ISO dates");
        }

        if (!iso && !args.Has("year"))
        {
            throw new MongoErrorException(40516, "$dateFromParts requires either 'year' or 'isoWeekYear' to be present");
        }

        var names = iso ? IsoParts : CalendarParts;
        var parts = new AggregationExpression?[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            parts[i] = args.Expression(names[i]);
        }

        return new DateFromPartsExpression(names, parts, args.Expression("timezone"), iso);
    }

    private sealed class DateFromPartsExpression(string[] names, AggregationExpression?[] parts, AggregationExpression? timezone, bool iso)
        : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var values = new long[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                // Missing month/day/isoWeek/isoDayOfWeek default to 1, time parts to 0.
                var defaultValue = i is 1 or 2 ? 1 : 0;
                if (parts[i] is null)
                {
                    values[i] = defaultValue;
                    continue;
                }

                var value = parts[i]!.Evaluate(root, scope);
                if (Operator.IsNullish(value))
                {
                    return BsonNull.Value;
                }

                if (!Numbers.IsNumber(value) || !Numbers.TryGetIntegral(value!, out var integral))
                {
                    throw new MongoErrorException(40515,
                        $"'{names[i]}' must evaluate to an integer, found {TypeNames.Of(value)} with value {value}");
                }

                if (i == 0 && integral is < 1 or > 9999)
                {
                    throw new MongoErrorException(40523,
                        $"'{names[i]}' must evaluate to an integer in the range 1 to 9999, found {integral}");
                }

                if (i > 0 && integral is < -32768 or > 32767)
                {
                    throw new MongoErrorException(31034,
                        $"'{names[i]}' must evaluate to a value in the range [-32768, 32767]; value {integral} is not in range");
                }

                values[i] = integral;
            }

            var zone = DateOperators.EvaluateTimeZone("$dateFromParts", timezone, root, scope);
            if (zone is null)
            {
                return BsonNull.Value;
            }

            DateTime local;
            if (iso)
            {
                // ISO week 1 day 1 is the Monday of the week holding January 4th.
                var jan4 = new DateTime((int)values[0], 1, 4);
                var week1Monday = jan4.AddDays(-(DateOperators.IsoDayOfWeek(jan4) - 1));
                local = week1Monday.AddDays(((values[1] - 1) * 7) + (values[2] - 1));
            }
            else
            {
                local = new DateTime((int)values[0], 1, 1).AddMonths((int)values[1] - 1).AddDays(values[2] - 1);
            }

            local = local.AddTicks((values[3] * TimeSpan.TicksPerHour) + (values[4] * TimeSpan.TicksPerMinute)
                + (values[5] * TimeSpan.TicksPerSecond) + (values[6] * TimeSpan.TicksPerMillisecond));
            return BsonDates.ToBson(zone.ToUtc(local));
        }
    }
}
