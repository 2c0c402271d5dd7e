using System.Globalization;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$convert's conversion table (MongoDB 7.0): which source type converts to which target, and how.</summary>
internal static class TypeConversion
{
    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "Infinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Infinity";
        }

        if (double.IsNaN(value))
        {
            return "NaN";
        }

        // Shortest round-trip form; MongoDB writes exponents as e+NN.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Replace("E", "e", StringComparison.Ordinal);
    }

    public static string FormatDate(BsonDateTime date) =>
        DateOperators.Format(BsonDates.ToDateTime(date.MillisecondsSinceEpoch), ExpressionTimeZone.Utc, DateOperators.DefaultFormat);

    /// <summary>The target type of a <c>to</c> argument: a type name or its numeric BSON code.</summary>
    public static BsonType ParseTargetType(BsonValue to)
    {
        if (to.BsonType == BsonType.String)
        {
            return to.AsString switch
            {
                "double" => BsonType.Double,
                "string" => BsonType.String,
                "objectId" => BsonType.ObjectId,
                "bool" => BsonType.Boolean,
                "date" => BsonType.DateTime,
                "int" => BsonType.Int32,
                "long" => BsonType.Int64,
                "decimal" => BsonType.Decimal128,
                "null" => BsonType.Null,
                "object" => BsonType.Document,
                "array" => BsonType.Array,
                "binData" => BsonType.Binary,
                "regex" => BsonType.RegularExpression,
                "timestamp" => BsonType.Timestamp,
                "minKey" => BsonType.MinKey,
                "maxKey" => BsonType.MaxKey,
                "undefined" => BsonType.Undefined,
                "javascript" => BsonType.JavaScript,
                "javascriptWithScope" => BsonType.JavaScriptWithScope,
                "symbol" => BsonType.Symbol,
                "dbPointer" => BsonType.Undefined,

                // A valid type alias that no value converts to.
                "missing" => BsonType.EndOfDocument,
                _ => throw new MongoErrorException(ErrorCodes.BadValue, $"Unknown type name: {to.AsString}"),
            };
        }

        if (Numbers.IsNumber(to) && Numbers.TryGetIntegral(to, out var code) && Enum.IsDefined(typeof(BsonType), (int)code) && code is > 0
            and < 128)
        {
            return (BsonType)(int)code;
        }

        throw new MongoErrorException(ErrorCodes.FailedToParse,
            $"In $convert, numeric 'to' argument is not an integer or a valid type code: {to}");
    }

    /// <summary>Converts a non-null <paramref name="value"/>; an impossible conversion throws ConversionFailure (241).</summary>
    public static BsonValue Convert(BsonValue value, BsonType target)
    {
        if (value.BsonType == target && target != BsonType.Array && target != BsonType.Document)
        {
            return value;
        }

        return target switch
        {
            BsonType.Double => ToDouble(value),
            BsonType.String => ToStringValue(value),
            BsonType.ObjectId => ToObjectId(value),
            BsonType.Boolean => ToBool(value),
            BsonType.DateTime => ToDate(value),
            BsonType.Int32 => ToInt(value),
            BsonType.Int64 => ToLong(value),
            BsonType.Decimal128 => ToDecimal(value),
            _ => throw Unsupported(value, target),
        };
    }

    private static MongoErrorException Unsupported(BsonValue value, BsonType target) =>
        new(ErrorCodes.ConversionFailure,
            $"Unsupported conversion from {TypeNames.Of(value)} to {TypeNames.Of(target)} in $convert with no onError value");

    private static MongoErrorException Failed(string message) =>
        new(ErrorCodes.ConversionFailure, $"{message} in $convert with no onError value");

    private static BsonValue ToDouble(BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Int32:
            case BsonType.Int64:
                return new BsonDouble(value.ToDouble());
            case BsonType.Decimal128:
                var d = Decimal128.ToDouble(value.AsDecimal128);
                if (double.IsInfinity(d) && !Decimal128.IsInfinity(value.AsDecimal128))
                {
                    throw Failed($"Conversion would overflow target type: {value}");
                }

                return new BsonDouble(d);
            case BsonType.Boolean:
                return new BsonDouble(value.AsBoolean ? 1 : 0);
            case BsonType.DateTime:
                return new BsonDouble(value.AsBsonDateTime.MillisecondsSinceEpoch);
            case BsonType.String:
                var text = value.AsString;
                var parsed = text switch
                {
                    "Infinity" or "inf" => double.PositiveInfinity,
                    "-Infinity" or "-inf" => double.NegativeInfinity,
                    "NaN" or "nan" => double.NaN,
                    _ => double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                        CultureInfo.InvariantCulture, out var number)
                        ? number
                        : throw Failed($"Failed to parse number '{text}'"),
                };
                return new BsonDouble(parsed);
            default:
                throw Unsupported(value, BsonType.Double);
        }
    }

    private static BsonValue ToStringValue(BsonValue value) => value.BsonType switch
    {
        BsonType.Double => new BsonString(FormatDouble(value.AsDouble)),
        BsonType.Int32 => new BsonString(value.AsInt32.ToString(CultureInfo.InvariantCulture)),
        BsonType.Int64 => new BsonString(value.AsInt64.ToString(CultureInfo.InvariantCulture)),
        BsonType.Decimal128 => new BsonString(value.AsDecimal128.ToString()),
        BsonType.Boolean => new BsonString(value.AsBoolean ? "true" : "false"),
        BsonType.DateTime => new BsonString(FormatDate(value.AsBsonDateTime)),
        BsonType.ObjectId => new BsonString(value.AsObjectId.ToString()),
        BsonType.Symbol => new BsonString(value.AsBsonSymbol.Name),
        _ => throw Unsupported(value, BsonType.String),
    };

    private static BsonValue ToObjectId(BsonValue value)
    {
        if (value.BsonType != BsonType.String)
        {
            throw Unsupported(value, BsonType.ObjectId);
        }

        if (value.AsString.Length != 24 || !ObjectId.TryParse(value.AsString, out var id))
        {
            throw Failed($"Failed to parse objectId '{value.AsString}'");
        }

        return new BsonObjectId(id);
    }

    private static BsonValue ToBool(BsonValue value) => value.BsonType switch
    {
        BsonType.Boolean => value,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => Operator.Bool(!Numbers.IsZero(value)),
        _ => BsonBoolean.True,
    };

    private static BsonValue ToDate(BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Int64:
                return new BsonDateTime(value.AsInt64);
            case BsonType.Double:
                var d = value.AsDouble;
                if (!double.IsFinite(d) || d >= 9.2233720368547758E18 || d < -9.2233720368547758E18)
                {
                    throw Failed($"Conversion would overflow target type: {value}");
                }

                return new BsonDateTime((long)d);
            case BsonType.Decimal128:
                try
                {
                    var truncated = decimal.Truncate(Numbers.ToDecimal(value));
                    return truncated >= long.MinValue && truncated <= long.MaxValue
                        ? new BsonDateTime((long)truncated)
                        : throw Failed($"Conversion would overflow target type: {value}");
                }
                catch (OverflowException)
                {
                    throw Failed($"Conversion would overflow target type: {value}");
                }

            case BsonType.String:
                return BsonDates.ToBson(DateStringParser.Parse(value.AsString, null, ExpressionTimeZone.Utc, timezoneGiven: false));
            case BsonType.ObjectId:
            case BsonType.Timestamp:
                return BsonDates.ToBson(BsonDates.ToDateTime(value));
            default:
                throw Unsupported(value, BsonType.DateTime);
        }
    }

    private static BsonValue ToInt(BsonValue value)
    {
        var result = ToIntegral(value, BsonType.Int32, int.MinValue, int.MaxValue);
        return new BsonInt32((int)result);
    }

    private static BsonValue ToLong(BsonValue value)
    {
        if (value.BsonType == BsonType.DateTime)
        {
            return new BsonInt64(value.AsBsonDateTime.MillisecondsSinceEpoch);
        }

        return new BsonInt64(ToIntegral(value, BsonType.Int64, long.MinValue, long.MaxValue));
    }

    private static long ToIntegral(BsonValue value, BsonType target, long min, long max)
    {
        switch (value.BsonType)
        {
            case BsonType.Int32:
            case BsonType.Int64:
                var integer = value.ToInt64();
                return integer >= min && integer <= max ? integer : throw Failed($"Conversion would overflow target type: {value}");
            case BsonType.Double:
                var d = Math.Truncate(value.AsDouble);
                if (!double.IsFinite(d) || d < min || d >= (double)max + 1)
                {
                    throw Failed($"Conversion would overflow target type: {value}");
                }

                return (long)d;
            case BsonType.Decimal128:
                try
                {
                    var truncated = decimal.Truncate(Numbers.ToDecimal(value));
                    return truncated >= min && truncated <= max ? (long)truncated
                        : throw Failed($"Conversion would overflow target type: {value}");
                }
                catch (OverflowException)
                {
                    throw Failed($"Conversion would overflow target type: {value}");
                }

            case BsonType.Boolean:
                return value.AsBoolean ? 1 : 0;
            case BsonType.String:
                // Only plain base-10 integers parse: no decimal point, exponent or surrounding whitespace.
                if (long.TryParse(value.AsString, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                    && parsed >= min && parsed <= max)
                {
                    return parsed;
                }

                throw Failed($"Failed to parse number '{value.AsString}'");
            default:
                throw Unsupported(value, target);
        }
    }

    private static BsonValue ToDecimal(BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Int32:
            case BsonType.Int64:
                return new BsonDecimal128(new Decimal128(value.ToInt64()));
            case BsonType.Double:
                // MongoDB converts a double to decimal with 15 significant digits: 2.5 becomes 2.50000000000000.
                var d = value.AsDouble;
                return double.IsFinite(d)
                    ? new BsonDecimal128(Decimal128.Parse(d.ToString("E14", CultureInfo.InvariantCulture)))
                    : new BsonDecimal128(new Decimal128(d));
            case BsonType.Boolean:
                return new BsonDecimal128(new Decimal128(value.AsBoolean ? 1 : 0));
            case BsonType.DateTime:
                return new BsonDecimal128(new Decimal128(value.AsBsonDateTime.MillisecondsSinceEpoch));
            case BsonType.String:
                return Decimal128.TryParse(value.AsString, out var parsed)
                    ? new BsonDecimal128(parsed)
                    : throw Failed($"Failed to parse number '{value.AsString}'");
            default:
                throw Unsupported(value, BsonType.Decimal128);
        }
    }
}
