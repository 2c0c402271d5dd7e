using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// <see cref="Math"/> functions → MongoDB's arithmetic operators.
/// <para>
/// Where the two differ, the MQL compensates: <c>$round</c> rounds half to even like <c>Math.Round</c>'s default;
/// <see cref="MidpointRounding.AwayFromZero"/> is computed as .NET does (truncate, then step away from zero when the
/// fraction is at least one half). <c>$sqrt</c>, <c>$ln</c>, <c>$log10</c> and <c>$log</c> fail the whole query on
/// arguments outside their domain where .NET returns NaN or -∞, so those cases are answered by a <c>$cond</c>
/// (NaN as null, see <see cref="Guarded"/>).
/// <c>Math.Sign</c> is a <c>$cond</c> (MongoDB has no sign operator).
/// </para>
/// </summary>
internal sealed class MathTranslator : IMqlMethodCallTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (instance is not null || (method.DeclaringType != typeof(Math) && method.DeclaringType != typeof(decimal)))
        {
            return null;
        }

        var type = method.ReturnType;
        var parameters = method.GetParameters();
        switch (method.Name, arguments.Count)
        {
            case (nameof(Math.Abs), 1):
                return Mql.Unary("$abs", arguments[0], type);
            case (nameof(Math.Floor), 1):
                return Mql.Unary("$floor", arguments[0], type);
            case (nameof(Math.Ceiling), 1):
                return Mql.Unary("$ceil", arguments[0], type);
            case (nameof(Math.Truncate), 1):
                return Mql.Call("$trunc", type, arguments[0]);
            case (nameof(Math.Round), _):
                return Round(arguments, parameters, type);
            case (nameof(Math.Pow), 2):
                return Mql.Call("$pow", type, arguments[0], arguments[1]);
            case (nameof(Math.Sqrt), 1):
                return Guarded(arguments[0], Mql.Unary("$sqrt", arguments[0], type), zero: null);
            case (nameof(Math.Exp), 1):
                return Mql.Unary("$exp", arguments[0], type);
            case (nameof(Math.Log), 1):
                return Guarded(arguments[0], Mql.Unary("$ln", arguments[0], type), zero: double.NegativeInfinity);
            case (nameof(Math.Log), 2):
                return Guarded(arguments[0], Mql.Call("$log", type, arguments[0], arguments[1]), zero: double.NegativeInfinity);
            case (nameof(Math.Log10), 1):
                return Guarded(arguments[0], Mql.Unary("$log10", arguments[0], type), zero: double.NegativeInfinity);
            case (nameof(Math.Max), 2):
                return Mql.Call("$max", type, arguments[0], arguments[1]);
            case (nameof(Math.Min), 2):
                return Mql.Call("$min", type, arguments[0], arguments[1]);
            case (nameof(Math.Clamp), 3):
                return Mql.Call("$min", type, Mql.Call("$max", type, arguments[0], arguments[1]), arguments[2]);
            case (nameof(Math.Sign), 1):
                return Sign(arguments[0]);
            default:
                return null;
        }
    }

    private static MqlExpression Sign(MqlExpression value) => Mql.Conditional(
        Mql.Binary(MqlOperator.GreaterThan, value, Mql.Constant(0), typeof(bool)),
        Mql.Constant(1),
        Mql.Conditional(Mql.Binary(MqlOperator.LessThan, value, Mql.Constant(0), typeof(bool)), Mql.Constant(-1), Mql.Constant(0),
            typeof(int)),
        typeof(int));

    /// <summary>
    /// .NET: a negative argument gives NaN, zero gives <paramref name="zero"/>; MongoDB would fail the query. NaN is
    /// written as null: C# compares NaN as false with everything, MQL orders NaN below every number (NaN &lt; 1 would
    /// be true), while a null operand makes the renderer's lifted-comparison guard answer false, as C# does.
    /// (<c>double.IsNaN</c> counts that null as NaN.)
    /// </summary>
    private static MqlExpression Guarded(MqlExpression argument, MqlExpression function, double? zero)
    {
        var lowest = zero is not null ? MqlOperator.LessThanOrEqual : MqlOperator.LessThan;
        MqlExpression outOfDomain = new MqlConstantExpression(null, typeof(double?));
        if (zero is not null)
        {
            outOfDomain = Mql.Conditional(Mql.Equal(argument, Mql.Constant(0)), Mql.Constant(zero.Value), outOfDomain, typeof(double?));
        }

        // A null argument (nullable types) flows to the operator, which returns null for it; MQL orders null below 0.
        MqlExpression inDomain = new MqlNotExpression(Mql.Binary(lowest, argument, Mql.Constant(0), typeof(bool)));
        if (!argument.Type.IsValueType || Nullable.GetUnderlyingType(argument.Type) is not null)
        {
            inDomain = Mql.Or(Mql.Equal(argument, new MqlConstantExpression(null, typeof(double?))), inDomain);
        }

        return Mql.Conditional(inDomain, function, outOfDomain, typeof(double?));
    }

    private static MqlExpression? Round(IReadOnlyList<MqlExpression> arguments, ParameterInfo[] parameters, Type type)
    {
        var value = arguments[0];
        MqlExpression digits = Mql.Constant(0);
        var mode = MidpointRounding.ToEven;
        for (var i = 1; i < arguments.Count; i++)
        {
            if (parameters[i].ParameterType == typeof(int))
            {
                digits = arguments[i];
            }
            else if (arguments[i] is MqlConstantExpression { Value: MidpointRounding given })
            {
                mode = given;
            }
            else
            {
                return null;
            }
        }

        var wholeDigits = digits is MqlConstantExpression { Value: 0 };
        return mode switch
        {
            MidpointRounding.ToEven => Mql.Call("$round", type, value, digits),
            MidpointRounding.ToZero => Mql.Call("$trunc", type, value, digits),
            MidpointRounding.ToNegativeInfinity when wholeDigits => Mql.Unary("$floor", value, type),
            MidpointRounding.ToPositiveInfinity when wholeDigits => Mql.Unary("$ceil", value, type),
            MidpointRounding.AwayFromZero when digits is MqlConstantExpression { Value: int places } => AwayFromZero(value, places, type),
            _ => null,
        };
    }

    /// <summary>As .NET: scale by 10^digits, truncate, add the sign of the fraction when it is at least ½, scale back.</summary>
    private static MqlExpression AwayFromZero(MqlExpression value, int digits, Type type)
    {
        var isDecimal = Mql.Unwrap(type) == typeof(decimal);
        MqlExpression power = isDecimal ? Mql.Constant(Pow10Decimal(digits)) : Mql.Constant(Math.Pow(10, digits));
        var scaled = digits == 0 ? value : Mql.Multiply(value, power, type);
        var truncated = Mql.Call("$trunc", type, scaled);
        var fraction = Mql.Binary(MqlOperator.Subtract, scaled, truncated, type);
        var rounded = Mql.Conditional(
            Mql.Binary(MqlOperator.GreaterThanOrEqual, Mql.Unary("$abs", fraction, type), Mql.Constant(0.5), typeof(bool)),
            Mql.Add(truncated, Sign(fraction), type),
            truncated,
            type);
        return digits == 0 ? rounded : Mql.Call("$divide", type, rounded, power);
    }

    private static decimal Pow10Decimal(int digits)
    {
        var result = 1m;
        for (var i = 0; i < digits; i++)
        {
            result *= 10;
        }

        return result;
    }
}
