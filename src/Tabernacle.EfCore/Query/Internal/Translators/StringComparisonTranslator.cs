using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// String matching and comparison: Contains/StartsWith/EndsWith with any argument or a <see cref="StringComparison"/>,
/// Equals with a comparison, string.Compare, CompareOrdinal and CompareTo.
/// <para>
/// MongoDB compares strings by code point, which is .NET's ordinal order (for BMP text). Only the ordinal
/// comparisons are translated exactly; culture-aware ones (<see cref="StringComparison.CurrentCulture"/>,
/// <see cref="StringComparison.InvariantCultureIgnoreCase"/>...) have no MongoDB equivalent without a collation, so
/// they are left untranslated rather than silently becoming ordinal. The exception is the comparison-less
/// string.Compare/CompareTo, which EF providers conventionally translate to the database's order: here, ordinal.
/// Ignoring case folds ASCII letters (MongoDB's <c>$toUpper</c>, or a regex with the <c>i</c> option).
/// </para>
/// </summary>
internal sealed class StringComparisonTranslator : IMqlMethodCallTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (method.DeclaringType != typeof(string))
        {
            return null;
        }

        var parameters = method.GetParameters();
        if (instance is not null)
        {
            switch (method.Name)
            {
                case nameof(string.Contains) or nameof(string.StartsWith) or nameof(string.EndsWith)
                    when parameters[0].ParameterType == typeof(string) || parameters[0].ParameterType == typeof(char):
                    var ignoreCase = false;
                    if (arguments.Count == 2
                        && (parameters[1].ParameterType != typeof(StringComparison) || !TryOrdinal(arguments[1], out ignoreCase)))
                    {
                        return null;
                    }

                    return arguments.Count > 2 ? null : Match(method.Name, instance, arguments[0], ignoreCase);
                case nameof(string.Equals) when arguments.Count == 2 && parameters[1].ParameterType == typeof(StringComparison):
                    return TryOrdinal(arguments[1], out var equalsIgnoreCase) ? EqualsOrdinal(instance, arguments[0], equalsIgnoreCase)
                        : null;
                case nameof(string.CompareTo) when arguments.Count == 1 && parameters[0].ParameterType == typeof(string):
                    return Compare(instance, arguments[0], ignoreCase: false);
                default:
                    return null;
            }
        }

        switch (method.Name)
        {
            case nameof(string.Equals) when arguments.Count == 2 && parameters.All(p => p.ParameterType == typeof(string)):
                return Mql.Equal(arguments[0], arguments[1]);
            case nameof(string.Equals) when arguments.Count == 3 && parameters[2].ParameterType == typeof(StringComparison):
                return TryOrdinal(arguments[2], out var ignoreCase) ? EqualsOrdinal(arguments[0], arguments[1], ignoreCase) : null;
            case nameof(string.Compare) or nameof(string.CompareOrdinal) when arguments.Count == 2
                && parameters.All(p => p.ParameterType == typeof(string)):
                return Compare(arguments[0], arguments[1], ignoreCase: false);
            case nameof(string.Compare) when arguments.Count == 3 && parameters[2].ParameterType == typeof(StringComparison):
                return TryOrdinal(arguments[2], out var compareIgnoreCase) ? Compare(arguments[0], arguments[1], compareIgnoreCase) : null;
            case nameof(string.Compare) when arguments.Count == 3 && parameters[2].ParameterType == typeof(bool) && arguments[2]
                is MqlConstantExpression { Value: bool ignore }:
                return Compare(arguments[0], arguments[1], ignore);
            default:
                return null;
        }
    }

    private static bool TryOrdinal(MqlExpression comparison, out bool ignoreCase)
    {
        ignoreCase = comparison is MqlConstantExpression { Value: StringComparison.OrdinalIgnoreCase };
        return comparison is MqlConstantExpression { Value: StringComparison.Ordinal or StringComparison.OrdinalIgnoreCase };
    }

    private static MqlExpression? Match(string name, MqlExpression text, MqlExpression search, bool ignoreCase)
    {
        var transform = name switch
        {
            nameof(string.StartsWith) => ParameterTransform.StartsWithPattern,
            nameof(string.EndsWith) => ParameterTransform.EndsWithPattern,
            _ => ParameterTransform.ContainsPattern,
        };

        if (search is MqlConstantExpression { Value: null })
        {
            return Mql.Untranslatable($"'String.{name}' of null has no MQL form: .NET throws ArgumentNullException for it.", typeof(bool));
        }

        // A known value becomes a regex (the query language when the text is a field); the "i" option folds case.
        if (RegexFor(search, transform) is { } regex)
        {
            return new MqlRegexExpression(text, regex, ignoreCase ? "i" : "");
        }

        if (ignoreCase)
        {
            text = Mql.Unary("$toUpper", text, typeof(string));
            search = Mql.Unary("$toUpper", search, typeof(string));
        }

        // Any other argument: compare code points. indexOf == 0 is StartsWith; EndsWith compares the tail, guarded
        // because $substrCP rejects a negative start.
        var found = Mql.Call("$indexOfCP", typeof(int), text, search);
        switch (transform)
        {
            case ParameterTransform.StartsWithPattern:
                return Mql.Equal(found, Mql.Constant(0));
            case ParameterTransform.ContainsPattern:
                return Mql.Binary(MqlOperator.GreaterThanOrEqual, found, Mql.Constant(0), typeof(bool));
            default:
                var textLength = StringMethodTranslator.Length(text);
                var searchLength = StringMethodTranslator.Length(search);
                var start = Mql.Binary(MqlOperator.Subtract, textLength, searchLength, typeof(int));
                return Mql.Conditional(
                    Mql.Binary(MqlOperator.GreaterThanOrEqual, start, Mql.Constant(0), typeof(bool)),
                    Mql.Equal(Mql.Call("$substrCP", typeof(string), text, start, searchLength), search),
                    Mql.Constant(false),
                    typeof(bool));
        }
    }

    private static MqlExpression? RegexFor(MqlExpression search, ParameterTransform transform) =>
        search switch
        {
            MqlConstantExpression { Value: string text } => Mql.Constant(MqlRenderer.Pattern(text, transform)),
            MqlConstantExpression { Value: char c } => Mql.Constant(MqlRenderer.Pattern(c.ToString(), transform)),
            MqlParameterExpression { Type: var type } parameter when type == typeof(string) => parameter.WithTransform(transform),
            _ => null,
        };

    private static MqlExpression EqualsOrdinal(MqlExpression left, MqlExpression right, bool ignoreCase)
    {
        if (!ignoreCase)
        {
            return Mql.Equal(left, right);
        }

        // A field against a known value: an anchored case-insensitive regex, so the query language (and indexes) apply.
        if (left is MqlFieldExpression && RegexFor(right, ParameterTransform.EqualsIgnoreCasePattern) is { } regex)
        {
            return new MqlRegexExpression(left, regex, "i");
        }

        if (right is MqlFieldExpression && RegexFor(left, ParameterTransform.EqualsIgnoreCasePattern) is { } reversed)
        {
            return new MqlRegexExpression(right, reversed, "i");
        }

        // Both computed: compare upper-cased. $strcasecmp is not used because it treats null as "" (C#: null ≠ "").
        return Mql.Equal(Mql.Unary("$toUpper", left, typeof(string)), Mql.Unary("$toUpper", right, typeof(string)));
    }

    /// <summary>
    /// <c>$cmp</c> orders by code point like ordinal comparison, and puts null first like string.Compare. It returns
    /// -1/0/1 where .NET's ordinal compare returns any sign-carrying number, so compare the result with 0.
    /// </summary>
    private static MqlExpression Compare(MqlExpression left, MqlExpression right, bool ignoreCase) => ignoreCase
        ? Mql.Call("$cmp", typeof(int), Mql.Unary("$toUpper", left, typeof(string)), Mql.Unary("$toUpper", right, typeof(string)))
        : Mql.Call("$cmp", typeof(int), left, right);
}
