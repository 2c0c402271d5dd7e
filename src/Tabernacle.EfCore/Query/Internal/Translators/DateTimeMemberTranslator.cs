using System.Reflection;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// Parts of DateTime, DateTimeOffset, DateOnly, TimeOnly and TimeSpan, and the server's clock.
/// <para>
/// Storage decides the MQL: DateTime and DateOnly are BSON dates in UTC (so <c>$year</c>... in UTC give the parts a
/// UTC DateTime has), a DateTimeOffset is <c>{DateTime: utc date, Ticks, Offset: minutes}</c> whose parts are those
/// of its local time (the UTC date shifted by the offset), TimeOnly and TimeSpan are ticks (parts by arithmetic).
/// <c>DateTime.UtcNow</c>/<c>Now</c> and <c>DateTimeOffset.UtcNow</c> become <c>$$NOW</c>, the server's clock at the
/// start of the query; .NET's DateTime comparisons ignore Kind, so <c>Now</c> is the same instant as <c>UtcNow</c> here.
/// </para>
/// </summary>
internal sealed class DateTimeMemberTranslator : IMqlMemberTranslator
{
    internal const long TicksPerMillisecond = TimeSpan.TicksPerMillisecond;

    // Ticks of 1970-01-01, to turn BSON milliseconds since the epoch into .NET ticks.
    private const long EpochTicks = 621355968000000000;

    public MqlExpression? Translate(MqlExpression? instance, MemberInfo member, Type returnType)
    {
        var type = member.DeclaringType;
        if (instance is null)
        {
            return (type, member.Name) switch
            {
                (_, nameof(DateTime.UtcNow) or nameof(DateTime.Now)) when type == typeof(DateTime) => Now(),
                (_, nameof(DateTimeOffset.UtcNow)) when type == typeof(DateTimeOffset) => new MqlRawExpression(
                    new BsonDocument
                    {
                        { "DateTime", "$$NOW" },
                        { "Ticks",
                            new BsonDocument("$add",
                                new BsonArray { new BsonDocument("$multiply",
                                    new BsonArray { new BsonDocument("$toLong", "$$NOW"), TicksPerMillisecond }), EpochTicks }) },
                        { "Offset", 0 },
                    },
                    typeof(DateTimeOffset)),
                _ => null,
            };
        }

        if (type == typeof(DateTime))
        {
            return DatePart(instance, member.Name, isDateOnly: false);
        }

        if (type == typeof(DateOnly))
        {
            return DatePart(instance, member.Name, isDateOnly: true);
        }

        if (type == typeof(DateTimeOffset))
        {
            var utc = SubField(instance, "DateTime", typeof(DateTime));
            var offsetMinutes = SubField(instance, "Offset", typeof(int));
            return member.Name switch
            {
                nameof(DateTimeOffset.UtcDateTime) => utc,
                nameof(DateTimeOffset.Offset) => Mql.Multiply(offsetMinutes, Mql.Constant(TimeSpan.TicksPerMinute), typeof(TimeSpan)),
                nameof(DateTimeOffset.Ticks) => SubField(instance, "Ticks", typeof(long)),
                nameof(DateTimeOffset.UtcTicks) => Ticks(utc),
                // The local date and time: the UTC instant moved by the offset, read in UTC.
                _ => DatePart(Mql.Add(utc, Mql.Multiply(offsetMinutes, Mql.Constant(60_000), typeof(long)), typeof(DateTime)),
                    member.Name == nameof(DateTimeOffset.DateTime) ? "Self" : member.Name, isDateOnly: false),
            };
        }

        if (type == typeof(TimeOnly) || type == typeof(TimeSpan))
        {
            return TicksPart(instance, member.Name, type == typeof(TimeSpan));
        }

        return null;
    }

    internal static MqlExpression Now() => Mql.Variable("NOW", typeof(DateTime));

    /// <summary>.NET ticks of a BSON date.</summary>
    internal static MqlExpression Ticks(MqlExpression date) =>
        Mql.Add(Mql.Multiply(Mql.Unary("$toLong", date, typeof(long)), Mql.Constant(TicksPerMillisecond), typeof(long)),
            Mql.Constant(EpochTicks), typeof(long));

    private static MqlExpression SubField(MqlExpression document, string name, Type type) => document is MqlFieldExpression field
        ? new MqlFieldExpression(field.Path + "." + name, type, null, null)
        : Mql.Named("$getField", type, ("field", Mql.Constant(name)), ("input", document));

    private static MqlExpression? DatePart(MqlExpression date, string name, bool isDateOnly) => name switch
    {
        "Self" => date,
        nameof(DateTime.Year) => Mql.Unary("$year", date, typeof(int)),
        nameof(DateTime.Month) => Mql.Unary("$month", date, typeof(int)),
        nameof(DateTime.Day) => Mql.Unary("$dayOfMonth", date, typeof(int)),
        nameof(DateTime.DayOfYear) => Mql.Unary("$dayOfYear", date, typeof(int)),
        // $dayOfWeek counts from Sunday = 1; DayOfWeek from Sunday = 0.
        nameof(DateTime.DayOfWeek) =>
            Mql.Binary(MqlOperator.Subtract, Mql.Unary("$dayOfWeek", date, typeof(int)), Mql.Constant(1), typeof(DayOfWeek)),
        nameof(DateTime.Hour) when !isDateOnly => Mql.Unary("$hour", date, typeof(int)),
        nameof(DateTime.Minute) when !isDateOnly => Mql.Unary("$minute", date, typeof(int)),
        nameof(DateTime.Second) when !isDateOnly => Mql.Unary("$second", date, typeof(int)),
        nameof(DateTime.Millisecond) when !isDateOnly => Mql.Unary("$millisecond", date, typeof(int)),
        nameof(DateTime.Date) when !isDateOnly => Mql.Named("$dateTrunc", typeof(DateTime), ("date", date), ("unit", Mql.Constant("day"))),
        // Time since midnight, as ticks (how TimeSpan is stored).
        nameof(DateTime.TimeOfDay) when !isDateOnly => Mql.Multiply(
            Mql.Binary(MqlOperator.Subtract, date, Mql.Named("$dateTrunc", typeof(DateTime), ("date", date), ("unit", Mql.Constant("day"))),
                typeof(long)),
            Mql.Constant(TicksPerMillisecond),
            typeof(TimeSpan)),
        nameof(DateTime.Ticks) when !isDateOnly => Ticks(date),
        _ => null,
    };

    /// <summary>
    /// Parts of a tick count. .NET computes them with integer division and remainder, both truncating toward zero
    /// (TimeSpan can be negative); <c>$trunc</c> of <c>$divide</c> and <c>$mod</c> (sign of the dividend) do the same.
    /// </summary>
    private static MqlExpression? TicksPart(MqlExpression ticks, string name, bool isTimeSpan)
    {
        MqlExpression Whole(long unit, long modulo)
        {
            MqlExpression value = Mql.Call("$trunc", typeof(long), Mql.Divide(ticks, Mql.Constant(unit)));
            if (modulo > 0)
            {
                value = Mql.Call("$mod", typeof(long), value, Mql.Constant(modulo));
            }

            return Mql.Unary("$toInt", value, typeof(int));
        }

        return name switch
        {
            nameof(TimeSpan.Days) when isTimeSpan => Whole(TimeSpan.TicksPerDay, 0),
            nameof(TimeSpan.Hours) when isTimeSpan => Whole(TimeSpan.TicksPerHour, 24),
            nameof(TimeOnly.Hour) when !isTimeSpan => Whole(TimeSpan.TicksPerHour, 0),
            nameof(TimeSpan.Minutes) or nameof(TimeOnly.Minute) => Whole(TimeSpan.TicksPerMinute, 60),
            nameof(TimeSpan.Seconds) or nameof(TimeOnly.Second) => Whole(TimeSpan.TicksPerSecond, 60),
            nameof(TimeSpan.Milliseconds) or nameof(TimeOnly.Millisecond) => Whole(TimeSpan.TicksPerMillisecond, 1000),
            nameof(TimeSpan.Ticks) => ticks,
            nameof(TimeSpan.TotalDays) when isTimeSpan => Mql.Divide(ticks, Mql.Constant(TimeSpan.TicksPerDay)),
            nameof(TimeSpan.TotalHours) when isTimeSpan => Mql.Divide(ticks, Mql.Constant(TimeSpan.TicksPerHour)),
            nameof(TimeSpan.TotalMinutes) when isTimeSpan => Mql.Divide(ticks, Mql.Constant(TimeSpan.TicksPerMinute)),
            nameof(TimeSpan.TotalSeconds) when isTimeSpan => Mql.Divide(ticks, Mql.Constant(TimeSpan.TicksPerSecond)),
            nameof(TimeSpan.TotalMilliseconds) when isTimeSpan => Mql.Divide(ticks, Mql.Constant(TimeSpan.TicksPerMillisecond)),
            _ => null,
        };
    }
}
