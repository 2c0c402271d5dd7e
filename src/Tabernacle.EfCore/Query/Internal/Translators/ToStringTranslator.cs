using System.Reflection;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// <c>ToString()</c> where MongoDB can print the value as C# does: integers (<c>$toString</c>, the invariant
/// format), ObjectIds (24 lowercase hex digits in both), bools (C# writes "True"/"False", <c>$toString</c> "true"),
/// strings and chars (stored as strings), and enums stored as numbers (their names, by a <c>$cond</c> per member;
/// an undefined value prints its number, as in C#). A null nullable prints "". Doubles, decimals and dates are not
/// translated: their C# text depends on the culture and on formatting rules MongoDB does not share.
/// </summary>
internal sealed class ToStringTranslator : IMqlMethodCallTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments) =>
        instance is not null && method.Name == nameof(ToString) && arguments.Count == 0
            ? Format(instance, instance.Type)
            : null;

    internal static MqlExpression? Format(MqlExpression value, Type type)
    {
        var t = Mql.Unwrap(type);
        var nullable = !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        MqlExpression? text;
        if (t == typeof(string) || t == typeof(char))
        {
            text = value;
        }
        else if (Mql.IsIntegral(t) || t == typeof(ObjectId))
        {
            text = Mql.Unary("$toString", value, typeof(string));
        }
        else if (t == typeof(bool))
        {
            text = Mql.Conditional(Mql.Equal(value, Mql.Constant(true)), Mql.Constant("True"), Mql.Constant("False"), typeof(string));
        }
        else if (t.IsEnum)
        {
            text = EnumName(value, t);
        }
        else
        {
            return null;
        }

        return nullable && text is not null ? Mql.IfNull(text, Mql.Constant("")) : text;
    }

    private static MqlExpression? EnumName(MqlExpression value, Type enumType)
    {
        if (value.TypeMapping?.Converter is { } converter && converter.ProviderClrType == typeof(string))
        {
            // Stored as its name already (HasConversion<string>()). Drop the enum's mapping so that strings compared
            // with the result are not run through the enum converter.
            return value is MqlFieldExpression field ? new MqlFieldExpression(field.Path, typeof(string), null, null)
                : Mql.IfNull(value, Mql.Constant(""));
        }

        // Numbers (the default mapping converts enums to their numbers); any other conversion is not known to print the same.
        if (value.TypeMapping?.Converter is { } other && !Mql.IsIntegral(other.ProviderClrType))
        {
            return null;
        }

        // Flags combinations print as "A, B" in C#: not reproduced.
        if (enumType.IsDefined(typeof(FlagsAttribute), inherit: false))
        {
            return null;
        }

        MqlExpression result = Mql.Unary("$toString", value, typeof(string));
        foreach (var member in Enum.GetValues(enumType).Cast<object>().Reverse())
        {
            var number = Convert.ToInt64(member, System.Globalization.CultureInfo.InvariantCulture);
            result = Mql.Conditional(Mql.Equal(value, Mql.Constant(number)), Mql.Constant(Enum.GetName(enumType, member)!), result,
                typeof(string));
        }

        return result;
    }
}
