using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// <c>Enum.HasFlag</c> on an enum stored as a number. <c>$bitAnd</c> exists only from MongoDB 6.3 and the in-process
/// emulator does not implement it, so a bit is read arithmetically, which every server evaluates:
/// bit b of x is |floor(x / 2^b) mod 2| (also right for negative values in two's complement). A constant flag tests
/// only its set bits; a parameter or a field tests every bit of the enum's width (<c>$range</c>/<c>$map</c>).
/// </summary>
internal sealed class EnumHasFlagTranslator : IMqlMethodCallTranslator
{
    private static readonly MethodInfo HasFlag = typeof(Enum).GetMethod(nameof(Enum.HasFlag))!;

    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (method != HasFlag || instance is null || !Mql.Unwrap(instance.Type).IsEnum)
        {
            return null;
        }

        // An enum stored as its name (or through another converter) has no bits to test.
        if (instance.TypeMapping?.Converter is { } converter && !Mql.IsIntegral(converter.ProviderClrType))
        {
            return null;
        }

        var flag = arguments[0];
        if (flag is MqlConstantExpression { Value: { } value })
        {
            var mask = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            MqlExpression? test = null;
            for (var b = 0; b < 64; b++)
            {
                if ((mask & (1L << b)) != 0)
                {
                    var bitSet = Mql.Equal(Bit(instance, Mql.Constant(Math.Pow(2, b))), Mql.Constant(1));
                    test = test is null ? bitSet : Mql.And(test, bitSet);
                }
            }

            return test ?? Mql.Constant(true);
        }

        if (flag is not MqlConstantExpression)
        {
            var width = Type.GetTypeCode(Enum.GetUnderlyingType(Mql.Unwrap(instance.Type))) is TypeCode.Int64 or TypeCode.UInt64 ? 64 : 32;
            var power = Mql.Call("$pow", typeof(double), Mql.Constant(2), Mql.Variable("b", typeof(int)));
            var eachBit = Mql.Named(
                "$map",
                typeof(bool[]),
                ("input", Mql.Call("$range", typeof(int[]), Mql.Constant(0), Mql.Constant(width))),
                ("as", Mql.Constant("b")),
                ("in", Mql.Or(Mql.Equal(Bit(flag, power), Mql.Constant(0)), Mql.Equal(Bit(instance, power), Mql.Constant(1)))));
            return Mql.Call("$allElementsTrue", typeof(bool), eachBit);
        }

        return null;
    }

    private static MqlExpression Bit(MqlExpression value, MqlExpression power) =>
        Mql.Unary("$abs", Mql.Call("$mod", typeof(double), Mql.Unary("$floor", Mql.Divide(value, power), typeof(double)), Mql.Constant(2)),
            typeof(double));
}
