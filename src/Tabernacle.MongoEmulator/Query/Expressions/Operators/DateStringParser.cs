using System.Globalization;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>
/// Parses date strings for $dateFromString and $convert: an explicit MongoDB format (%Y, %m, %d, %H, %M, %S, %L, %j,
/// %z, %Z, %G, %V, %u, %%), or, without one, ISO 8601 date-times with an optional "Z" or UTC offset.
/// </summary>
internal static class DateStringParser
{
    private static readonly string[] IsoFormats =
    [
        "%Y-%m-%dT%H:%M:%S.%L",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S.%L",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d",
    ];

    public static DateTime Parse(string text, string? format, ExpressionTimeZone zone, bool timezoneGiven)
    {
        var trimmed = text.Trim();
        if (format is not null)
        {
            if (TryParse(trimmed, format, zone, timezoneGiven, out var result, allowTrailingOffset: false))
            {
                return result;
            }
        }
        else
        {
            foreach (var candidate in IsoFormats)
            {
                if (TryParse(trimmed, candidate, zone, timezoneGiven, out var result, allowTrailingOffset: true))
                {
                    return result;
                }
            }
        }

        throw new MongoErrorException(ErrorCodes.ConversionFailure, $"Error parsing date string '{text}'");
    }

    private static bool TryParse(string text, string format, ExpressionTimeZone zone, bool timezoneGiven, out DateTime result,
        bool allowTrailingOffset)
    {
        result = default;
        int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0, dayOfYear = -1;
        int isoYear = -1, isoWeek = -1, isoDay = 1;
        TimeSpan? offset = null;
        var position = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                if (position >= text.Length || text[position] != format[i])
                {
                    return false;
                }

                position++;
                continue;
            }

            var specifier = format[++i];
            var ok = specifier switch
            {
                'Y' => ReadNumber(text, ref position, 4, 4, out year),
                'm' => ReadNumber(text, ref position, 1, 2, out month),
                'd' => ReadNumber(text, ref position, 1, 2, out day),
                'H' => ReadNumber(text, ref position, 1, 2, out hour),
                'M' => ReadNumber(text, ref position, 1, 2, out minute),
                'S' => ReadNumber(text, ref position, 1, 2, out second),
                'L' => ReadMilliseconds(text, ref position, out millisecond),
                'j' => ReadNumber(text, ref position, 1, 3, out dayOfYear),
                'G' => ReadNumber(text, ref position, 4, 4, out isoYear),
                'V' => ReadNumber(text, ref position, 1, 2, out isoWeek),
                'u' => ReadNumber(text, ref position, 1, 1, out isoDay),
                'z' or 'Z' => ReadOffset(text, ref position, specifier == 'Z', out offset),
                '%' => position < text.Length && text[position++] == '%',
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        if (position < text.Length)
        {
            if (!allowTrailingOffset)
            {
                return false;
            }

            if (text[position] == 'Z' && position == text.Length - 1)
            {
                offset = TimeSpan.Zero;
            }
            else if (!ReadOffset(text, ref position, minutesOnly: false, out offset) || position != text.Length)
            {
                return false;
            }
        }

        try
        {
            DateTime local;
            if (isoYear >= 0 || isoWeek >= 0)
            {
                local = ISOWeek.ToDateTime(isoYear, Math.Max(isoWeek, 1), isoDay == 7 ? DayOfWeek.Sunday : (DayOfWeek)isoDay);
            }
            else if (dayOfYear >= 0)
            {
                local = new DateTime(year, 1, 1).AddDays(dayOfYear - 1);
            }
            else
            {
                local = new DateTime(year, month, day);
            }

            if (hour > 23 || minute > 59 || second > 59)
            {
                return false;
            }

            local = local.Add(new TimeSpan(0, hour, minute, second, millisecond));
            if (offset is not null)
            {
                if (timezoneGiven)
                {
                    throw new MongoErrorException(40554,
                        "you cannot pass in a date/time string with GMT offset together with a timezone argument");
                }

                result = DateTime.SpecifyKind(local - offset.Value, DateTimeKind.Utc);
            }
            else
            {
                result = zone.ToUtc(local);
            }

            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool ReadNumber(string text, ref int position, int minDigits, int maxDigits, out int value)
    {
        value = 0;
        var start = position;
        while (position < text.Length && position - start < maxDigits && char.IsAsciiDigit(text[position]))
        {
            value = (value * 10) + (text[position] - '0');
            position++;
        }

        return position - start >= minDigits;
    }

    private static bool ReadMilliseconds(string text, ref int position, out int milliseconds)
    {
        var start = position;
        if (!ReadNumber(text, ref position, 1, 3, out milliseconds))
        {
            return false;
        }

        // ".5" is 500 ms, ".05" is 50 ms.
        for (var digits = position - start; digits < 3; digits++)
        {
            milliseconds *= 10;
        }

        return true;
    }

    private static bool ReadOffset(string text, ref int position, bool minutesOnly, out TimeSpan? offset)
    {
        offset = null;
        if (position >= text.Length || (text[position] != '+' && text[position] != '-'))
        {
            return false;
        }

        var sign = text[position++] == '-' ? -1 : 1;
        if (minutesOnly)
        {
            if (!ReadNumber(text, ref position, 1, 4, out var minutes))
            {
                return false;
            }

            offset = TimeSpan.FromMinutes(sign * minutes);
            return true;
        }

        if (!ReadNumber(text, ref position, 2, 2, out var hours))
        {
            return false;
        }

        var minutesPart = 0;
        if (position < text.Length && text[position] == ':')
        {
            position++;
        }

        if (position < text.Length && char.IsAsciiDigit(text[position]) && !ReadNumber(text, ref position, 2, 2, out minutesPart))
        {
            return false;
        }

        offset = new TimeSpan(sign * hours, sign * minutesPart, 0);
        return true;
    }
}
