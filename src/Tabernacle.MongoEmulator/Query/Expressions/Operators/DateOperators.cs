using System.Globalization;
using System.Text;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>
/// Date part extraction ($year ... $isoWeekYear), $dateToString, $dateFromString, $dateFromParts, $dateToParts,
/// $dateAdd, $dateSubtract, $dateDiff and $dateTrunc, all timezone-aware.
/// </summary>
internal static class DateOperators
{
    public const string DefaultFormat = "%Y-%m-%dT%H:%M:%S.%LZ";

    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        RegisterPart(registry, "$year", d => d.Year);
        RegisterPart(registry, "$month", d => d.Month);
        RegisterPart(registry, "$dayOfMonth", d => d.Day);
        RegisterPart(registry, "$dayOfWeek", d => (int)d.DayOfWeek + 1);
        RegisterPart(registry, "$dayOfYear", d => d.DayOfYear);
        RegisterPart(registry, "$hour", d => d.Hour);
        RegisterPart(registry, "$minute", d => d.Minute);
        RegisterPart(registry, "$second", d => d.Second);
        RegisterPart(registry, "$millisecond", d => d.Millisecond);
        RegisterPart(registry, "$week", SundayWeek);
        RegisterPart(registry, "$isoWeek", ISOWeek.GetWeekOfYear);
        RegisterPart(registry, "$isoWeekYear", ISOWeek.GetYear);
        RegisterPart(registry, "$isoDayOfWeek", IsoDayOfWeek);
        registry["$dateToString"] = CompileDateToString;
        registry["$dateFromString"] = CompileDateFromString;
        registry["$dateFromParts"] = DateFromParts.Compile;
        registry["$dateToParts"] = CompileDateToParts;
        registry["$dateAdd"] = (name, argument, context) => DateArithmetic.CompileAdd(name, argument, context, 1);
        registry["$dateSubtract"] = (name, argument, context) => DateArithmetic.CompileAdd(name, argument, context, -1);
        registry["$dateDiff"] = DateArithmetic.CompileDiff;
        registry["$dateTrunc"] = DateArithmetic.CompileTrunc;
    }

    /// <summary>Week of the year with weeks starting on Sunday; days before the first Sunday are week 0 (strftime %U).</summary>
    public static int SundayWeek(DateTime local) => (local.DayOfYear - 1 + 7 - (int)local.DayOfWeek) / 7;

    public static int IsoDayOfWeek(DateTime local) => local.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)local.DayOfWeek;

    /// <summary>Evaluates a timezone argument; <c>null</c> means the result must be null (a null timezone).</summary>
    public static ExpressionTimeZone? EvaluateTimeZone(string op, AggregationExpression? timezone, BsonDocument root,
        ExpressionScope? scope)
    {
        if (timezone is null)
        {
            return ExpressionTimeZone.Utc;
        }

        var value = timezone.Evaluate(root, scope);
        return Operator.IsNullish(value) ? null : ExpressionTimeZone.From(op, value!);
    }

    private static void RegisterPart(Dictionary<string, OperatorCompiler> registry, string name, Func<DateTime, int> part)
    {
        registry[name] = (op, argument, context) =>
        {
            // {date, timezone} form, or the date expression itself (possibly wrapped in a one-element array).
            if (argument is BsonDocument document && document.Contains("date"))
            {
                var args = NamedArguments.Parse(op, argument, context, ["date", "timezone"], ["date"], 40539, 40535, 40539);
                return new DatePartExpression(op, args.Required("date"), args.Expression("timezone"), part);
            }

            return new DatePartExpression(op, Operator.Arguments(op, argument, context, 1, 1)[0], null, part);
        };
    }

    private sealed class DatePartExpression(string op, AggregationExpression date, AggregationExpression? timezone,
        Func<DateTime, int> part) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var value = date.Evaluate(root, scope);
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            var zone = EvaluateTimeZone(op, timezone, root, scope);
            if (zone is null)
            {
                return BsonNull.Value;
            }

            return new BsonInt32(part(zone.ToLocal(BsonDates.ToDateTime(value!))));
        }
    }

    private static AggregationExpression CompileDateToString(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args = NamedArguments.Parse(name, argument, context, ["date", "format", "timezone", "onNull"], ["date"], 18629, 18534, 18628);
        return new DateToStringExpression(args.Required("date"), args.Expression("format"), args.Expression("timezone"),
            args.Expression("onNull"));
    }

    private sealed class DateToStringExpression(AggregationExpression date, AggregationExpression? format, AggregationExpression? timezone,
        AggregationExpression? onNull) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var formatText = timezone is null ? DefaultFormat : "%Y-%m-%dT%H:%M:%S.%L";
            if (format is not null)
            {
                var formatValue = format.Evaluate(root, scope);
                if (Operator.IsNullish(formatValue))
                {
                    return BsonNull.Value;
                }

                if (formatValue!.BsonType != BsonType.String)
                {
                    throw new MongoErrorException(18533,
                        $"$dateToString requires that 'format' be a string, found: {TypeNames.Of(formatValue)} with value {formatValue}");
                }

                formatText = formatValue.AsString;
                ValidateFormat(formatText);
            }

            var value = date.Evaluate(root, scope);
            if (Operator.IsNullish(value))
            {
                return onNull is null ? BsonNull.Value : onNull.Evaluate(root, scope);
            }

            var zone = EvaluateTimeZone("$dateToString", timezone, root, scope);
            if (zone is null)
            {
                return BsonNull.Value;
            }

            return new BsonString(Format(BsonDates.ToDateTime(value!), zone, formatText));
        }
    }

    private static void ValidateFormat(string format)
    {
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                continue;
            }

            if (i + 1 >= format.Length)
            {
                throw new MongoErrorException(18535, "Unmatched '%' at end of format string");
            }

            var specifier = format[++i];
            if ("dGHjLmMSuUVwYzZ%".IndexOf(specifier, StringComparison.Ordinal) < 0)
            {
                throw new MongoErrorException(18536, $"Invalid format character '%{specifier}' in format string");
            }
        }
    }

    public static string Format(DateTime utc, ExpressionTimeZone zone, string format)
    {
        var local = zone.ToLocal(utc);
        var offset = zone.OffsetAt(utc);
        var builder = new StringBuilder(format.Length + 16);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i + 1 >= format.Length)
            {
                builder.Append(c);
                continue;
            }

            var specifier = format[++i];
            switch (specifier)
            {
                case 'd': Pad(builder, local.Day, 2); break;
                case 'G': Pad(builder, ISOWeek.GetYear(local), 4); break;
                case 'H': Pad(builder, local.Hour, 2); break;
                case 'j': Pad(builder, local.DayOfYear, 3); break;
                case 'L': Pad(builder, local.Millisecond, 3); break;
                case 'm': Pad(builder, local.Month, 2); break;
                case 'M': Pad(builder, local.Minute, 2); break;
                case 'S': Pad(builder, local.Second, 2); break;
                case 'u': builder.Append(IsoDayOfWeek(local)); break;
                case 'U': Pad(builder, SundayWeek(local), 2); break;
                case 'V': Pad(builder, ISOWeek.GetWeekOfYear(local), 2); break;
                case 'w': builder.Append((int)local.DayOfWeek + 1); break;
                case 'Y': Pad(builder, local.Year, 4); break;
                case 'z':
                    builder.Append(offset < TimeSpan.Zero ? '-' : '+');
                    Pad(builder, Math.Abs(offset.Hours), 2);
                    Pad(builder, Math.Abs(offset.Minutes), 2);
                    break;
                case 'Z':
                    builder.Append(offset < TimeSpan.Zero ? '-' : '+').Append((int)Math.Abs(offset.TotalMinutes));
                    break;
                case '%': builder.Append('%'); break;
                default:
                    throw new MongoErrorException(18536, $"Invalid format character '%{specifier}' in format string");
            }
        }

        return builder.ToString();
    }

    private static void Pad(StringBuilder builder, int value, int width) =>
        builder.Append(value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'));

    private static AggregationExpression CompileDateFromString(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["dateString", "format", "timezone", "onError", "onNull"], ["dateString"], 40540,
                40541, 40542);
        return new DateFromStringExpression(args.Required("dateString"), args.Expression("format"), args.Expression("timezone"),
            args.Expression("onError"), args.Expression("onNull"));
    }

    private sealed class DateFromStringExpression(AggregationExpression dateString, AggregationExpression? format,
        AggregationExpression? timezone, AggregationExpression? onError, AggregationExpression? onNull) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var value = dateString.Evaluate(root, scope);
            if (Operator.IsNullish(value))
            {
                return onNull is null ? BsonNull.Value : onNull.Evaluate(root, scope);
            }

            string? formatText = null;
            if (format is not null)
            {
                var formatValue = format.Evaluate(root, scope);
                if (Operator.IsNullish(formatValue))
                {
                    return BsonNull.Value;
                }

                if (formatValue!.BsonType != BsonType.String)
                {
                    throw new MongoErrorException(40684,
                        $"$dateFromString requires that 'format' be a string, found: {TypeNames.Of(formatValue)}");
                }

                formatText = formatValue.AsString;
                ValidateFormat(formatText);
            }

            var zone = EvaluateTimeZone("$dateFromString", timezone, root, scope);
            if (zone is null)
            {
                return BsonNull.Value;
            }

            try
            {
                if (value!.BsonType != BsonType.String)
                {
                    throw new MongoErrorException(ErrorCodes.ConversionFailure,
                        $"$dateFromString requires that 'dateString' be a string, found: {TypeNames.Of(value)} with value {value}");
                }

                var parsed = DateStringParser.Parse(value.AsString, formatText, zone, timezone is not null);
                return BsonDates.ToBson(parsed);
            }
            catch (MongoErrorException) when (onError is not null)
            {
                return onError.Evaluate(root, scope);
            }
        }
    }

    private static AggregationExpression CompileDateToParts(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args = NamedArguments.Parse(name, argument, context, ["date", "timezone", "iso8601"], ["date"], 40524, 40520, 40522);
        return new DateToPartsExpression(args.Required("date"), args.Expression("timezone"), args.Expression("iso8601"));
    }

    private sealed class DateToPartsExpression(AggregationExpression date, AggregationExpression? timezone, AggregationExpression? iso8601)
        : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var value = date.Evaluate(root, scope);
            var zone = EvaluateTimeZone("$dateToParts", timezone, root, scope);
            var isoValue = iso8601?.Evaluate(root, scope);
            if (Operator.IsNullish(value) || zone is null || (iso8601 is not null && Operator.IsNullish(isoValue)))
            {
                return BsonNull.Value;
            }

            if (isoValue is not null && isoValue.BsonType != BsonType.Boolean)
            {
                throw new MongoErrorException(40521, $"iso8601 must evaluate to a bool, found {TypeNames.Of(isoValue)}");
            }

            var local = zone.ToLocal(BsonDates.ToDateTime(value!));
            var result = isoValue?.AsBoolean == true
                ? new BsonDocument
                {
                    { "isoWeekYear", ISOWeek.GetYear(local) },
                    { "isoWeek", ISOWeek.GetWeekOfYear(local) },
                    { "isoDayOfWeek", IsoDayOfWeek(local) },
                }
                : new BsonDocument
                {
                    { "year", local.Year },
                    { "month", local.Month },
                    { "day", local.Day },
                };
            result.Add("hour", local.Hour);
            result.Add("minute", local.Minute);
            result.Add("second", local.Second);
            result.Add("millisecond", local.Millisecond);
            return result;
        }
    }
}
