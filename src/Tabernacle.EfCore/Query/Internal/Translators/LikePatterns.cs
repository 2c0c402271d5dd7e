using System.Text;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>Turns an SQL LIKE pattern into the equivalent anchored PCRE pattern.</summary>
internal static class LikePatterns
{
    /// <summary>
    /// <c>%</c> becomes <c>.*</c> and <c>_</c> becomes <c>.</c> (the regex gets the <c>s</c> option so both span line
    /// breaks, as in SQL); every other character is literal, escaped when PCRE would read it as syntax; the escape
    /// character makes the next one literal. <c>[...]</c> sets are SQL Server's dialect, not standard LIKE, and stay literal.
    /// </summary>
    public static string ToRegex(string pattern, char? escapeCharacter)
    {
        var builder = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == escapeCharacter && i + 1 < pattern.Length)
            {
                AppendLiteral(builder, pattern[++i]);
            }
            else if (c == '%')
            {
                builder.Append(".*");
            }
            else if (c == '_')
            {
                builder.Append('.');
            }
            else
            {
                AppendLiteral(builder, c);
            }
        }

        // \z rather than $: PCRE's $ also matches before a final line break.
        return builder.Append("\\z").ToString();
    }

    private static void AppendLiteral(StringBuilder builder, char c)
    {
        // Only PCRE's metacharacters are escaped: escaping other punctuation is legal in PCRE but not in every
        // regex engine that reads MongoDB patterns (.NET rejects "\_").
        if (c is '\\' or '^' or '$' or '.' or '|' or '?' or '*' or '+' or '(' or ')' or '[' or ']' or '{' or '}')
        {
            builder.Append('\\');
        }

        builder.Append(c);
    }
}
