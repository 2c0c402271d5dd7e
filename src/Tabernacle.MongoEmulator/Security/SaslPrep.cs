using System.Text;

namespace Tabernacle.MongoEmulator.Security;

/// <summary>
/// A simplified SASLprep (RFC 4013), the preparation MongoDB applies to SCRAM-SHA-256 passwords: non-ASCII space
/// characters (RFC 3454 table C.1.2) map to U+0020, characters "commonly mapped to nothing" (table B.1) are removed, and
/// the result is normalised with Unicode form KC. Unlike the full profile it does not reject prohibited output (tables
/// C.2–C.9) or check bidirectional text, so a password a real server refuses may be accepted here; for printable
/// passwords the result is the same.
/// </summary>
internal static class SaslPrep
{
    public static string Prepare(string value)
    {
        var mapped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (IsMappedToNothing(c))
            {
                continue;
            }

            mapped.Append(IsNonAsciiSpace(c) ? ' ' : c);
        }

        return mapped.ToString().Normalize(NormalizationForm.FormKC);
    }

    private static bool IsMappedToNothing(char c) =>
        c is '\u00AD' or '\u034F' or '\u1806' or '\u180B' or '\u180C' or '\u180D' or '\u200B' or '\u200C' or '\u200D' or '\u2060'
            or '\uFEFF'
        || c is >= '\uFE00' and <= '\uFE0F';

    private static bool IsNonAsciiSpace(char c) =>
        c is '\u00A0' or '\u1680' or '\u202F' or '\u205F' or '\u3000' || c is >= '\u2000' and <= '\u200B';
}
