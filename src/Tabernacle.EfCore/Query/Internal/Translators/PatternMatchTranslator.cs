using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// <c>EF.Functions.Like</c> and <c>Regex.IsMatch</c> → a regex match: the query language's <c>$regex</c> on a field,
/// <c>$regexMatch</c> on a computed string. MongoDB runs PCRE, which agrees with .NET regular expressions on the
/// common syntax (classes, quantifiers, anchors, groups, lookarounds); .NET-only constructs (named groups with
/// <c>(?&lt;name&gt;</c> work, balancing groups and <c>RegexOptions.RightToLeft</c> do not) are the user's to avoid.
/// </summary>
internal sealed class PatternMatchTranslator : IMqlMethodCallTranslator
{
    private const RegexOptions Supported = RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.Singleline
        | RegexOptions.IgnorePatternWhitespace | RegexOptions.Compiled | RegexOptions.CultureInvariant;

    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (method.DeclaringType == typeof(DbFunctionsExtensions) && method.Name == nameof(DbFunctionsExtensions.Like))
        {
            return Like(arguments[1], arguments[2], arguments.Count > 3 ? arguments[3] : null);
        }

        if (method.DeclaringType == typeof(Regex) && method.IsStatic && method.Name == nameof(Regex.IsMatch)
            && method.GetParameters() is [{ ParameterType: var input }, { ParameterType: var pattern }, ..] parameters
            && input == typeof(string) && pattern == typeof(string)
            && (parameters.Length == 2 || (parameters.Length == 3 && parameters[2].ParameterType == typeof(RegexOptions))))
        {
            var options = RegexOptions.None;
            if (arguments.Count == 3)
            {
                if (arguments[2] is not MqlConstantExpression { Value: RegexOptions given } || (given & ~Supported) != 0)
                {
                    return null;
                }

                options = given;
            }

            return new MqlRegexExpression(arguments[0], arguments[1], Options(options));
        }

        return null;
    }

    private static string Options(RegexOptions options) =>
        (options.HasFlag(RegexOptions.IgnoreCase) ? "i" : "")
        + (options.HasFlag(RegexOptions.Multiline) ? "m" : "")
        + (options.HasFlag(RegexOptions.Singleline) ? "s" : "")
        + (options.HasFlag(RegexOptions.IgnorePatternWhitespace) ? "x" : "");

    private static MqlExpression? Like(MqlExpression text, MqlExpression pattern, MqlExpression? escape)
    {
        char? escapeCharacter = null;
        if (escape is not null)
        {
            if (escape is not MqlConstantExpression { Value: string { Length: 1 } e })
            {
                return null;
            }

            escapeCharacter = e[0];
        }

        return pattern switch
        {
            MqlConstantExpression { Value: string p } =>
                new MqlRegexExpression(text, Mql.Constant(LikePatterns.ToRegex(p, escapeCharacter)), "s"),
            // A parameter is converted when bound (ParameterTransform.LikePattern), with the default escape only.
            MqlParameterExpression parameter when escapeCharacter is null =>
                new MqlRegexExpression(text, parameter.WithTransform(ParameterTransform.LikePattern), "s"),
            _ => null,
        };
    }
}
