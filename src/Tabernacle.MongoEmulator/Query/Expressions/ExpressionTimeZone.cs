using System.Collections.Concurrent;
using System.Globalization;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions;

/// <summary>
/// A timezone argument of the date operators: an Olson identifier (<c>"America/New_York"</c>), <c>"UTC"</c>/<c>"GMT"</c>,
/// or a fixed offset (<c>"+05:30"</c>, <c>"+0530"</c>, <c>"-05"</c>). Converts between UTC instants and local wall-clock times.
/// </summary>
internal sealed class ExpressionTimeZone
{
    private static readonly ConcurrentDictionary<string, ExpressionTimeZone> Cache = new(StringComparer.Ordinal);

    private readonly TimeZoneInfo? _zone;
    private readonly TimeSpan _offset;

    private ExpressionTimeZone(TimeZoneInfo? zone, TimeSpan offset)
    {
        _zone = zone;
        _offset = offset;
    }

    public static ExpressionTimeZone Utc { get; } = new(null, TimeSpan.Zero);

    public bool IsUtc => _zone is null && _offset == TimeSpan.Zero;

    /// <summary>Reads a timezone argument; null and missing mean UTC to the caller, which checks them first.</summary>
    public static ExpressionTimeZone From(string op, BsonValue value)
    {
        if (value.BsonType != BsonType.String)
        {
            throw new MongoErrorException(40517, $"timezone must evaluate to a string, found {TypeNames.Of(value)}");
        }

        return Cache.GetOrAdd(value.AsString, Parse);
    }

    private static ExpressionTimeZone Parse(string text)
    {
        if (text is "UTC" or "GMT" or "Z" or "Etc/UTC" or "Etc/GMT")
        {
            return Utc;
        }

        if (text.Length > 0 && (text[0] == '+' || text[0] == '-'))
        {
            var digits = text[1..].Replace(":", string.Empty, StringComparison.Ordinal);
            if (digits.Length is 2 or 4 && digits.All(char.IsAsciiDigit))
            {
                var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
                var minutes = digits.Length == 4 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
                var offset = new TimeSpan(hours, minutes, 0);
                return new ExpressionTimeZone(null, text[0] == '-' ? -offset : offset);
            }
        }
        else if (text.Contains('/', StringComparison.Ordinal) || text.All(char.IsAsciiLetterUpper))
        {
            try
            {
                return new ExpressionTimeZone(TimeZoneInfo.FindSystemTimeZoneById(text), TimeSpan.Zero);
            }
            catch (TimeZoneNotFoundException)
            {
                // Falls through to MongoDB's error below.
            }
            catch (InvalidTimeZoneException)
            {
                // Falls through to MongoDB's error below.
            }
        }

        throw new MongoErrorException(40485, $"unrecognized time zone identifier: \"{text}\"");
    }

    public TimeSpan OffsetAt(DateTime utc) => _zone is null ? _offset : _zone.GetUtcOffset(utc);

    public DateTime ToLocal(DateTime utc) => DateTime.SpecifyKind(utc + OffsetAt(utc), DateTimeKind.Unspecified);

    public DateTime ToUtc(DateTime local)
    {
        if (_zone is null)
        {
            return DateTime.SpecifyKind(local - _offset, DateTimeKind.Utc);
        }

        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(unspecified))
        {
            // A wall-clock time skipped by a DST jump: move forward by the gap, as timelib does.
            unspecified = unspecified.AddHours(1);
        }

        var offset = _zone.IsAmbiguousTime(unspecified) ? _zone.GetAmbiguousTimeOffsets(unspecified).Max()
            : _zone.GetUtcOffset(unspecified);
        return DateTime.SpecifyKind(unspecified - offset, DateTimeKind.Utc);
    }
}

/// <summary>Conversions between BSON dates and <see cref="DateTime"/> at millisecond precision.</summary>
internal static class BsonDates
{
    public static DateTime ToDateTime(long millisecondsSinceEpoch) =>
        DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(millisecondsSinceEpoch * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    public static long ToMilliseconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    public static BsonDateTime ToBson(DateTime utc) => new(ToMilliseconds(utc));

    /// <summary>A date operand: a date, a timestamp or an ObjectId (its creation time); anything else is error 16006.</summary>
    public static DateTime ToDateTime(BsonValue value) => value.BsonType switch
    {
        BsonType.DateTime => ToDateTime(value.AsBsonDateTime.MillisecondsSinceEpoch),
        BsonType.Timestamp => ToDateTime(value.AsBsonTimestamp.Timestamp * 1000L),
        BsonType.ObjectId => ToDateTime(value.AsObjectId.Timestamp * 1000L),
        _ => throw new MongoErrorException(16006, $"can't convert from BSON type {TypeNames.Of(value)} to Date"),
    };
}
