using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// <see cref="Convert"/>.ToInt32/ToInt64/ToDouble/ToDecimal/ToBoolean/ToString of one value.
/// <para>
/// Convert.ToInt32(double) rounds half to even where a cast truncates, so it is <c>$round</c> then <c>$toInt</c>.
/// Numbers to bool: non-zero is true in both. Strings to numbers: MongoDB parses what .NET's invariant parse accepts
/// except surrounding white space, which fails the query instead. Strings to bool: .NET accepts "true"/"false" in
/// any case and trimmed, so that is compared rather than <c>$toBool</c> (true for every string).
/// </para>
/// </summary>
internal sealed class ConvertTranslator : IMqlMethodCallTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (method.DeclaringType != typeof(Convert) || arguments.Count != 1)
        {
            return null;
        }

        var argument = arguments[0];
        var from = method.GetParameters()[0].ParameterType;
        if (from == typeof(object) && method.Name == nameof(Convert.ToString) && argument.Type != typeof(object))
        {
            // Convert.ToString(object) of a boxed value (an int? passed as object): the value's own text, "" for null as in .NET.
            return ToStringTranslator.Format(argument, argument.Type);
        }

        if (from != typeof(string) && from != typeof(bool) && !Mql.IsNumeric(from))
        {
            return null;
        }

        var fractional = from == typeof(double) || from == typeof(float) || from == typeof(decimal);
        MqlExpression Whole() => fractional ? Mql.Call("$round", from, argument, Mql.Constant(0)) : argument;
        return method.Name switch
        {
            nameof(Convert.ToInt32) => Mql.Unary("$toInt", Whole(), typeof(int)),
            nameof(Convert.ToInt64) => Mql.Unary("$toLong", Whole(), typeof(long)),
            nameof(Convert.ToDouble) => Mql.Unary("$toDouble", argument, typeof(double)),
            nameof(Convert.ToDecimal) => Mql.Unary("$toDecimal", argument, typeof(decimal)),
            nameof(Convert.ToBoolean) when from == typeof(string) => Mql.Equal(
                Mql.Unary("$toLower",
                    Mql.Named("$trim", typeof(string), ("input", argument),
                        ("chars", Mql.Constant(StringMethodTranslator.WhiteSpace + "\0"))), typeof(string)),
                Mql.Constant("true")),
            nameof(Convert.ToBoolean) => Mql.Unary("$toBool", argument, typeof(bool)),
            nameof(Convert.ToString) => ToStringTranslator.Format(argument, from),
            _ => null,
        };
    }
}
