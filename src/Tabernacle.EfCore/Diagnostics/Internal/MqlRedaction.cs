using System.Text.RegularExpressions;

namespace Tabernacle.EfCore.Diagnostics.Internal;

/// <summary>
/// Hides the values in logged MQL unless sensitive data logging is on: strings, numbers and dates in the shell syntax
/// are replaced by <c>?</c>, leaving the shape (fields and operators) visible.
/// </summary>
internal static partial class MqlRedaction
{
    public static string Redact(string mql) => Values().Replace(mql, m => m.Groups["key"].Success ? m.Value : "?");

    // Quoted strings that are not field names (a field name is followed by a colon), and bare literals after a colon or in arrays.
    [GeneratedRegex("""(?<key>"(?:[^"\\]|\\.)*"\s*:)|"(?:[^"\\]|\\.)*"|(?<=[:\[,]\s*)(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|ISODate\([^)]*\)|ObjectId\([^)]*\)|NumberDecimal\([^)]*\)|NumberLong\([^)]*\)|CSUUID\([^)]*\)|UUID\([^)]*\)|true|false)""")]
    private static partial Regex Values();
}
