using System.Globalization;
using System.Reflection;
using System.Text;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// <c>string.Format</c> and interpolated strings (which C# compiles to it) with a constant format: <c>$concat</c> of the
/// literal text and each argument's text as <see cref="ToStringTranslator"/> prints it (a null argument prints ""
/// in both). Holes with an alignment or a format (<c>{0,5}</c>, <c>{0:N2}</c>) and arguments whose text depends on
/// the culture (doubles, decimals, dates) are not translated.
/// </summary>
internal sealed class StringFormatTranslator : IMqlMethodCallTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (instance is not null || method.DeclaringType != typeof(string) || method.Name != nameof(string.Format)
            || method.GetParameters() is not [{ ParameterType: var first }, ..] || first != typeof(string))
        {
            // string.Format(IFormatProvider, ...) formats with a culture's rules, which MongoDB does not share.
            return null;
        }

        return Format(arguments) switch
        {
            (null, var failure) => Mql.Untranslatable(failure ?? "An argument of 'String.Format' could not be translated to MQL.",
                typeof(string)),
            (var formatted, _) => formatted,
        };
    }

    /// <summary>The translation, or the reason it has none.</summary>
    private static (MqlExpression? Result, string? Failure) Format(IReadOnlyList<MqlExpression> translated)
    {
        if (translated[0] is not MqlConstantExpression { Value: string format })
        {
            return (null, "string.Format needs a constant format string to be translated to MQL.");
        }

        // The arguments are those after the format, or the elements of a params array written inline.
        IReadOnlyList<MqlExpression> arguments = translated is [_, MqlArrayExpression array] ? array.Elements : translated.Skip(1).ToList();
        if (arguments.Any(a => a.Type.IsArray))
        {
            return (null, "string.Format with an argument array that is not written inline could not be translated to MQL.");
        }

        var texts = new MqlExpression?[arguments.Count];
        var parts = new List<MqlExpression>();
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{' && i + 1 < format.Length && format[i + 1] == '{' || c == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c == '}')
            {
                return (null, $"The format string '{format}' is not valid.");
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var end = format.IndexOf('}', i);
            if (end < 0 || !int.TryParse(format.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index >= arguments.Count)
            {
                return (null,
                    $"The format item '{format[i..(end < 0 ? format.Length : end + 1)]}' has an alignment or a format (or no argument): " +
                        $"only '{{n}}' items are translated to MQL.");
            }

            if (texts[index] is null)
            {
                // The argument arrives boxed to object; its translation keeps the value's own type, whose text it is.
                var argument = arguments[index];
                texts[index] = ToStringTranslator.Format(argument, argument.Type);
                if (texts[index] is null)
                {
                    return (null,
                        $"A {argument.Type.Name} argument of string.Format could not be translated to MQL: its text depends on .NET's " +
                            $"formatting rules, which MongoDB does not share.");
                }
            }

            if (literal.Length > 0)
            {
                parts.Add(Mql.Constant(literal.ToString()));
                literal.Clear();
            }

            parts.Add(texts[index]!);
            i = end;
        }

        if (literal.Length > 0)
        {
            parts.Add(Mql.Constant(literal.ToString()));
        }

        return parts.Count switch
        {
            0 => (Mql.Constant(""), null),
            1 when parts[0].Type == typeof(string) => (parts[0], null),
            _ => (Mql.Call("$concat", typeof(string), [.. parts]), null),
        };
    }
}
