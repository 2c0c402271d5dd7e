using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// Instance and static <see cref="string"/> methods that change or measure a string: case, trimming, Substring,
/// Replace, IndexOf, IsNullOrWhiteSpace, Concat. MongoDB's string operators count code points and change the case of
/// ASCII letters only; .NET counts UTF-16 units and changes case by culture. The two agree on BMP text and ASCII
/// letters, which is what these translations promise.
/// </summary>
internal sealed class StringMethodTranslator : IMqlMethodCallTranslator
{
    /// <summary>
    /// The characters <see cref="char.IsWhiteSpace(char)"/> accepts. Passed explicitly to <c>$trim</c> because
    /// MongoDB's default set differs from .NET's (it trims U+0000 and not U+0085).
    /// </summary>
    internal static readonly string WhiteSpace = new(Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(char.IsWhiteSpace).ToArray());

    // null or "": two comparisons the query language can use an index for, rather than an expression over $strLenCP.
    private static MqlBinaryExpression IsNullOrEmpty(MqlExpression value) => new(
        MqlOperator.Or,
        new MqlBinaryExpression(MqlOperator.Equal, value, new MqlConstantExpression(null, typeof(string)), typeof(bool)),
        new MqlBinaryExpression(MqlOperator.Equal, value, new MqlConstantExpression("", typeof(string)), typeof(bool)),
        typeof(bool));

    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (method.DeclaringType != typeof(string))
        {
            return null;
        }

        var parameters = method.GetParameters();
        if (instance is null)
        {
            return method.Name switch
            {
                nameof(string.IsNullOrEmpty) => IsNullOrEmpty(arguments[0]),
                nameof(string.IsNullOrWhiteSpace) => IsNullOrWhiteSpace(arguments[0]),
                nameof(string.Concat) when parameters.All(p => p.ParameterType == typeof(string) || p.ParameterType == typeof(object)) =>
                    Concat(arguments),
                _ => null,
            };
        }

        switch (method.Name)
        {
            case "get_Chars" when arguments.Count == 1:
                // s[i]: the code point at i as a one-character string. Out of range (or a null string) it is "" where C# throws.
                return Mql.Call("$substrCP", typeof(char), Mql.IfNull(instance, Mql.Constant("")), arguments[0], Mql.Constant(1));
            case nameof(string.ToLower) or nameof(string.ToLowerInvariant) when arguments.Count == 0:
                return Mql.Unary("$toLower", instance, typeof(string));
            case nameof(string.ToUpper) or nameof(string.ToUpperInvariant) when arguments.Count == 0:
                return Mql.Unary("$toUpper", instance, typeof(string));
            case nameof(string.Trim):
                return Trim("$trim", instance, arguments);
            case nameof(string.TrimStart):
                return Trim("$ltrim", instance, arguments);
            case nameof(string.TrimEnd):
                return Trim("$rtrim", instance, arguments);
            case nameof(string.Substring) when arguments.Count == 1:
                // The rest of the string: a length of the whole string is enough, $substrCP stops at the end.
                return Mql.Call("$substrCP", typeof(string), instance, arguments[0], Length(instance));
            case nameof(string.Substring) when arguments.Count == 2:
                return Mql.Call("$substrCP", typeof(string), instance, arguments[0], arguments[1]);
            case nameof(string.Replace) when arguments.Count == 2 && parameters[0].ParameterType == parameters[1].ParameterType
                && (parameters[0].ParameterType == typeof(string) || parameters[0].ParameterType == typeof(char)):
                // C# removes the text when the replacement is null; $replaceAll would return null.
                return Mql.Named("$replaceAll", typeof(string), ("input", instance), ("find", arguments[0]),
                    ("replacement", Mql.IfNull(arguments[1], Mql.Constant(""))));
            case nameof(string.IndexOf) when arguments.Count == 1 && parameters[0].ParameterType is var p
                && (p == typeof(string) || p == typeof(char)):
                return Mql.Call("$indexOfCP", typeof(int), instance, arguments[0]);
            case nameof(string.IndexOf) when arguments.Count == 2 && parameters[0].ParameterType is var p
                && (p == typeof(string) || p == typeof(char)) && parameters[1].ParameterType == typeof(int):
                return Mql.Call("$indexOfCP", typeof(int), instance, arguments[0], arguments[1]);
            default:
                return null;
        }
    }

    /// <summary><c>$strLenCP</c> of a string that may be null (counted as empty, where $strLenCP would fail the query).</summary>
    internal static MqlExpression Length(MqlExpression value) => Mql.Unary("$strLenCP", Mql.IfNull(value, Mql.Constant("")), typeof(int));

    private static MqlExpression? Trim(string op, MqlExpression instance, IReadOnlyList<MqlExpression> arguments)
    {
        MqlExpression? chars = arguments.Count switch
        {
            0 => Mql.Constant(WhiteSpace),
            1 => arguments[0] switch
            {
                MqlConstantExpression { Value: char c } => Mql.Constant(c.ToString()),
                // Trim(new char[0]) and Trim(null) trim white space, as Trim() does.
                MqlConstantExpression { Value: char[] { Length: > 0 } set } => Mql.Constant(new string(set)),
                MqlConstantExpression { Value: null or char[] } => Mql.Constant(WhiteSpace),
                // A char[] parameter arrives as an array of one-character strings: concatenate it on the server.
                MqlParameterExpression { Type.IsArray: true } parameter => Mql.Named(
                    "$reduce",
                    typeof(string),
                    ("input", parameter),
                    ("initialValue", Mql.Constant("")),
                    ("in", Mql.Call("$concat", typeof(string), Mql.Variable("value", typeof(string)),
                        Mql.Variable("this", typeof(string))))),
                _ => null,
            },
            _ => null,
        };
        return chars is null ? null : Mql.Named(op, typeof(string), ("input", instance), ("chars", chars));
    }

    private static MqlExpression IsNullOrWhiteSpace(MqlExpression value) => Mql.Or(
        Mql.Equal(value, new MqlConstantExpression(null, typeof(string))),
        Mql.Equal(Mql.Named("$trim", typeof(string), ("input", value), ("chars", Mql.Constant(WhiteSpace))), Mql.Constant("")));

    /// <summary>C# concatenates null as ""; <c>$concat</c> returns null if any part is null, so each part gets a fallback.</summary>
    internal static MqlExpression? Concat(IReadOnlyList<MqlExpression> parts)
    {
        var translated = new List<MqlExpression>(parts.Count);
        foreach (var part in parts)
        {
            var type = Mql.Unwrap(part.Type);
            if (type == typeof(string) || type == typeof(char))
            {
                translated.Add(Mql.IfNull(part, Mql.Constant("")));
            }
            else if (Mql.IsIntegral(type) && part is not MqlConstantExpression)
            {
                // Integers print the same in C# (invariant) and MongoDB; a null int? prints as "".
                translated.Add(Mql.IfNull(Mql.Unary("$toString", part, typeof(string)), Mql.Constant("")));
            }
            else if (part is MqlConstantExpression { Value: var value } && (value is null || Mql.IsIntegral(value.GetType())))
            {
                translated.Add(Mql.Constant(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
            }
            else
            {
                return null;
            }
        }

        return Mql.Call("$concat", typeof(string), [.. translated]);
    }
}
