using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// C# casts between numeric types. MongoDB compares numbers across BSON types by value, so widening casts (int →
/// long/double/decimal, as C# inserts them in mixed comparisons) keep the operand unchanged, and a field compared
/// with a value stays in the query language. Casts that change the value are made explicit: floating or decimal →
/// integral truncates toward zero (<c>$trunc</c>, then <c>$toInt</c>/<c>$toLong</c>), decimal → double is
/// <c>$toDouble</c>, double → decimal is <c>$toDecimal</c> (MongoDB keeps 15 significant digits, as C#'s cast does).
/// </summary>
internal static class NumericConversions
{
    public static MqlExpression Translate(MqlExpression operand, Type from, Type to)
    {
        if (operand is MqlConstantExpression or MqlParameterExpression || !Mql.IsNumeric(from) || !Mql.IsNumeric(to))
        {
            return operand;
        }

        var source = Mql.Unwrap(from);
        var target = Mql.Unwrap(to);
        if (source == target)
        {
            return operand;
        }

        if (!Mql.IsIntegral(source) && Mql.IsIntegral(target))
        {
            var wide = target == typeof(long) || target == typeof(ulong) || target == typeof(uint);
            return Mql.Unary(wide ? "$toLong" : "$toInt", Mql.Call("$trunc", source, operand), to);
        }

        if (source == typeof(decimal) && Mql.IsFloating(target))
        {
            return Mql.Unary("$toDouble", operand, to);
        }

        if (Mql.IsFloating(source) && target == typeof(decimal))
        {
            return Mql.Unary("$toDecimal", operand, to);
        }

        return operand;
    }
}
