using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// Date arithmetic: DateTime/DateOnly <c>AddYears</c>...<c>AddMilliseconds</c>, <c>Add</c>/<c>Subtract</c> and the
/// <c>+</c>/<c>-</c> operators with TimeSpans and between dates, TimeSpan arithmetic and <c>TimeSpan.FromXxx</c>.
/// <para>
/// Calendar units (years, months) go to <c>$dateAdd</c>, which clamps to the end of the month as .NET does
/// (Jan 31 + 1 month = Feb 28/29). Fixed units add milliseconds: <c>$dateAdd</c> when the amount is a whole number
/// (it rejects fractions), otherwise <c>$add</c> of the truncated millisecond count; .NET keeps sub-millisecond ticks
/// that a BSON date cannot hold anyway. A difference of dates is a TimeSpan stored as ticks: <c>$subtract</c> gives
/// milliseconds, times 10,000. DateTimeOffset arithmetic would have to build the stored <c>{DateTime, Ticks, Offset}</c>
/// document and is not translated.
/// </para>
/// </summary>
internal sealed class DateTimeMethodTranslator : IMqlMethodCallTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        var type = method.DeclaringType;
        if (type == typeof(DateTime) || type == typeof(DateOnly))
        {
            return instance is null ? Static(method, arguments) : Instance(instance, method, arguments, type == typeof(DateOnly));
        }

        if (type == typeof(TimeSpan))
        {
            return TimeSpanMethod(instance, method, arguments);
        }

        return null;
    }

    private static MqlExpression? Instance(MqlExpression date, MethodInfo method, IReadOnlyList<MqlExpression> arguments, bool isDateOnly)
    {
        if (arguments.Count != 1)
        {
            return null;
        }

        var amount = arguments[0];
        var resultType = isDateOnly ? typeof(DateOnly) : typeof(DateTime);
        return method.Name switch
        {
            nameof(DateTime.AddYears) => DateAdd(date, "year", amount, resultType),
            nameof(DateTime.AddMonths) => DateAdd(date, "month", amount, resultType),
            nameof(DateTime.AddDays) => AddUnits(date, "day", TimeSpan.TicksPerDay, amount, resultType),
            nameof(DateTime.AddHours) when !isDateOnly => AddUnits(date, "hour", TimeSpan.TicksPerHour, amount, resultType),
            nameof(DateTime.AddMinutes) when !isDateOnly => AddUnits(date, "minute", TimeSpan.TicksPerMinute, amount, resultType),
            nameof(DateTime.AddSeconds) when !isDateOnly => AddUnits(date, "second", TimeSpan.TicksPerSecond, amount, resultType),
            nameof(DateTime.AddMilliseconds) when !isDateOnly =>
                AddUnits(date, "millisecond", TimeSpan.TicksPerMillisecond, amount, resultType),
            nameof(DateTime.AddTicks) when !isDateOnly => AddTicks(date, amount, negate: false),
            nameof(DateTime.Add) when !isDateOnly && amount.Type == typeof(TimeSpan) => AddTicks(date, amount, negate: false),
            nameof(DateTime.Subtract) when !isDateOnly && amount.Type == typeof(TimeSpan) => AddTicks(date, amount, negate: true),
            nameof(DateTime.Subtract) when !isDateOnly && Mql.Unwrap(amount.Type) == typeof(DateTime) => Difference(date, amount),
            _ => null,
        };
    }

    private static MqlExpression? Static(MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (arguments.Count != 2)
        {
            return method.DeclaringType == typeof(DateOnly) && method.Name == nameof(DateOnly.FromDateTime) && arguments.Count == 1
                ? Mql.Named("$dateTrunc", typeof(DateOnly), ("date", arguments[0]), ("unit", Mql.Constant("day")))
                : null;
        }

        var (left, right) = (arguments[0], arguments[1]);
        return (method.Name, Mql.Unwrap(right.Type)) switch
        {
            ("op_Subtraction", var t) when t == typeof(DateTime) => Difference(left, right),
            ("op_Subtraction", var t) when t == typeof(TimeSpan) => AddTicks(left, right, negate: true),
            ("op_Addition", var t) when t == typeof(TimeSpan) => AddTicks(left, right, negate: false),
            _ => null,
        };
    }

    private static MqlExpression DateAdd(MqlExpression date, string unit, MqlExpression amount, Type resultType) =>
        Mql.Named("$dateAdd", resultType, ("startDate", date), ("unit", Mql.Constant(unit)), ("amount", amount));

    private static MqlExpression AddUnits(MqlExpression date, string unit, long ticksPerUnit, MqlExpression amount, Type resultType)
    {
        if (Mql.IsWholeNumber(amount))
        {
            return DateAdd(date, unit, amount, resultType);
        }

        var milliseconds =
            Mql.Call("$trunc", typeof(long),
                Mql.Multiply(amount, Mql.Constant((double)ticksPerUnit / TimeSpan.TicksPerMillisecond), typeof(double)));
        return Mql.Add(date, milliseconds, resultType);
    }

    /// <summary>A date plus or minus ticks (a TimeSpan): milliseconds are what a BSON date can move by.</summary>
    private static MqlExpression AddTicks(MqlExpression date, MqlExpression ticks, bool negate)
    {
        var milliseconds = Mql.Call("$trunc", typeof(long), Mql.Divide(ticks, Mql.Constant(TimeSpan.TicksPerMillisecond)));
        return Mql.Binary(negate ? MqlOperator.Subtract : MqlOperator.Add, date, milliseconds, typeof(DateTime));
    }

    /// <summary>date − date: <c>$subtract</c> gives milliseconds; a TimeSpan is stored as ticks.</summary>
    internal static MqlExpression Difference(MqlExpression left, MqlExpression right) =>
        Mql.Multiply(Mql.Binary(MqlOperator.Subtract, left, right, typeof(long)), Mql.Constant(TimeSpan.TicksPerMillisecond),
            typeof(TimeSpan));

    private static MqlExpression? TimeSpanMethod(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (instance is null && arguments.Count == 2 && arguments.All(a => Mql.Unwrap(a.Type) == typeof(TimeSpan)))
        {
            return method.Name switch
            {
                "op_Addition" => Mql.Binary(MqlOperator.Add, arguments[0], arguments[1], typeof(TimeSpan)),
                "op_Subtraction" => Mql.Binary(MqlOperator.Subtract, arguments[0], arguments[1], typeof(TimeSpan)),
                _ => null,
            };
        }

        // TimeSpan.FromDays(x)... with a computed argument: whole units only (the double overloads round in .NET
        // versions differently; the integer overloads are exact).
        if (instance is null && arguments.Count == 1 && Mql.IsIntegral(method.GetParameters()[0].ParameterType))
        {
            long? ticksPerUnit = method.Name switch
            {
                nameof(TimeSpan.FromDays) => TimeSpan.TicksPerDay,
                nameof(TimeSpan.FromHours) => TimeSpan.TicksPerHour,
                nameof(TimeSpan.FromMinutes) => TimeSpan.TicksPerMinute,
                nameof(TimeSpan.FromSeconds) => TimeSpan.TicksPerSecond,
                nameof(TimeSpan.FromMilliseconds) => TimeSpan.TicksPerMillisecond,
                nameof(TimeSpan.FromTicks) => 1,
                _ => null,
            };
            return ticksPerUnit is { } unit ? Mql.Multiply(arguments[0], Mql.Constant(unit), typeof(TimeSpan)) : null;
        }

        return null;
    }
}
