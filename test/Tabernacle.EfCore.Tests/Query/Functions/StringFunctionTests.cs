using System.Linq.Expressions;
using System.Text.RegularExpressions;

namespace Tabernacle.EfCore.Tests.Query.Functions;

public sealed class StringFunctionTests : FunctionsTestBase
{
    private static readonly string Fragment = "TAP";
    private static readonly string Ending = "e$";
    private static readonly char[] TrimSet = ['0', '1', '2'];

    private static readonly Dictionary<string, Expression<Func<Item, bool>>> Cases = new()
    {
        ["ToLower"] = i => i.Name.ToLower() == "hammer",
        ["ToUpper"] = i => i.Name.ToUpper() == "GLUE",
        ["ToLowerInvariant then StartsWith"] = i => i.Name.ToLowerInvariant().StartsWith("s"),
        ["ToUpperInvariant then Contains"] = i => i.Code.ToUpperInvariant().Contains("_0"),
        ["Trim"] = i => i.Name.Trim() == "Drill",
        ["TrimStart"] = i => i.Name.TrimStart() == "Drill  ",
        ["TrimEnd then EndsWith"] = i => i.Name.TrimEnd().EndsWith("l"),
        ["Trim with chars"] = i => i.Code.TrimEnd('0', '1', '2') == "HAM-",
        ["Trim with a char"] = i => i.Code.TrimStart('s') == "aw-002",
        ["Trim with a char array variable"] = i => i.Code.TrimEnd(TrimSet) == "PLI-",
        ["Substring(start)"] = i => i.Name.Substring(1).StartsWith("l"),
        ["Substring(start, length)"] = i => i.Code.Substring(1, 2) == "AP",
        ["Substring with a computed start"] = i => i.Name.Substring(i.Name.Length - 2) == "er",
        ["Replace"] = i => i.Code.Replace("-", "") == "HAM001",
        ["Replace chars"] = i => i.Code.Replace('_', '-').Contains("-0"),
        ["IndexOf"] = i => i.Name.IndexOf("e") == 1,
        ["IndexOf char"] = i => i.Name.IndexOf('e') > 2,
        ["IndexOf with start"] = i => i.Name.IndexOf("e", 3) == 3,
        ["IndexOf not found"] = i => i.Name.IndexOf("e") < 0,
        ["Length"] = i => i.Name.Length > 5,
        ["IsNullOrEmpty"] = i => string.IsNullOrEmpty(i.Nick),
        ["IsNullOrWhiteSpace"] = i => string.IsNullOrWhiteSpace(i.Nick),
        ["not IsNullOrWhiteSpace"] = i => !string.IsNullOrWhiteSpace(i.Nick),
        ["+"] = i => i.Name + "-" + i.Code == "saw-saw-002",
        ["+ with null as empty"] = i => i.Nick + "!" == "!",
        ["string.Concat"] = i => string.Concat(i.Prefix, i.Name) == "xsaw",
        ["string.Concat of three"] = i => string.Concat(i.Prefix, "/", i.Nick) == "wr/Wrenchy",
        ["+ with an int"] = i => i.Name + i.Quantity == "saw0",
        ["Contains a field"] = i => i.Name.Contains(i.Prefix),
        ["StartsWith a field"] = i => i.Name.StartsWith(i.Prefix),
        ["EndsWith a field"] = i => i.Name.EndsWith(i.Prefix),
        ["StartsWith a computed string"] = i => i.Name.ToLower().StartsWith(i.Prefix.ToLower().Trim()),
        ["Contains ignoring case"] = i => i.Name.Contains("tap", StringComparison.OrdinalIgnoreCase),
        ["Contains a parameter ignoring case"] = i => i.Name.Contains(Fragment, StringComparison.OrdinalIgnoreCase),
        ["StartsWith ignoring case"] = i => i.Name.StartsWith("s", StringComparison.OrdinalIgnoreCase),
        ["EndsWith a field ignoring case"] = i => i.Name.EndsWith(i.Nick ?? "zzz", StringComparison.OrdinalIgnoreCase),
        ["Contains ordinal"] = i => i.Name.Contains("e", StringComparison.Ordinal),
        ["Contains a char"] = i => i.Code.Contains('%'),
        ["StartsWith a char"] = i => i.Name.StartsWith('S'),
        ["EndsWith a char"] = i => i.Name.EndsWith('e'),
        ["string.Equals ignoring case"] = i => string.Equals(i.Name, "GLUE", StringComparison.OrdinalIgnoreCase),
        ["Equals a field ignoring case"] = i => i.Name.Equals(i.Nick, StringComparison.OrdinalIgnoreCase),
        ["Equals ordinal"] = i => i.Name.Equals("saw", StringComparison.Ordinal),
        ["string.Equals"] = i => string.Equals(i.Nick, "tape"),
        ["string.Compare ordinal"] = i => string.Compare(i.Name, "M", StringComparison.Ordinal) > 0,
        ["string.Compare ordinal ignoring case"] = i => string.Compare(i.Name, "m", StringComparison.OrdinalIgnoreCase) < 0,
        ["string.CompareOrdinal of fields"] = i => string.CompareOrdinal(i.Name, i.Code) < 0,
        ["string.Compare of a computed string"] = i => string.Compare(i.Name.ToUpper(), i.Code, StringComparison.Ordinal) >= 0,
        ["Regex.IsMatch"] = i => Regex.IsMatch(i.Name, "^[A-Z][a-z]+$"),
        ["Regex.IsMatch with options"] = i => Regex.IsMatch(i.Name, "^s", RegexOptions.IgnoreCase),
        ["Regex.IsMatch with a field pattern"] = i => Regex.IsMatch(i.Name, i.Pattern),
        ["Regex.IsMatch with a parameter"] = i => Regex.IsMatch(i.Name, Ending),
        ["Regex.IsMatch on a computed string"] = i => Regex.IsMatch(i.Name.Trim(), "^D.*l$"),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public Task Matches_linq_to_objects(string name) => AssertSameAsync(Cases[name]);
}
