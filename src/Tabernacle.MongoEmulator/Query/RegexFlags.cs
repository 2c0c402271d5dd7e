using System.Text.RegularExpressions;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query;

/// <summary>
/// MongoDB's regular-expression flags (PCRE's <c>imsxu</c>) as .NET options: one parser for <c>$regex</c> filters and
/// the <c>$regexMatch</c>/<c>$regexFind</c>/<c>$regexFindAll</c> expressions, which mongod validates alike.
/// </summary>
internal static class RegexFlags
{
    /// <summary>
    /// The options for <paramref name="flags"/>; <c>u</c> adds nothing (.NET strings are Unicode already). An unknown flag
    /// fails with mongod's 51108, its message prefixed by <paramref name="operatorName"/> when an expression operator asks.
    /// </summary>
    public static RegexOptions Parse(string flags, string? operatorName = null)
    {
        var options = RegexOptions.CultureInvariant;
        foreach (var flag in flags)
        {
            options |= flag switch
            {
                'i' => RegexOptions.IgnoreCase,
                'm' => RegexOptions.Multiline,
                's' => RegexOptions.Singleline,
                'x' => RegexOptions.IgnorePatternWhitespace,
                'u' => RegexOptions.None,
                _ => throw new MongoErrorException(
                    51108, $"{(operatorName is null ? "" : operatorName + " ")}invalid flag in regex options: {flag}"),
            };
        }

        return options;
    }
}
