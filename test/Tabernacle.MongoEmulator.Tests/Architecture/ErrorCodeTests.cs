using System.Reflection;
using System.Text.RegularExpressions;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.Testing;
using Xunit;

namespace Tabernacle.MongoEmulator.Tests.Architecture;

/// <summary>
/// Errors the emulator raises carry a code mongod names (error_codes.yml) by that name, so the number and the reply's
/// codeName come from one place. Numbers stay only for mongod's location codes (its <c>uassert(40602, ...)</c> ids),
/// which have no name and answer <c>Location&lt;code&gt;</c>.
/// </summary>
public sealed partial class ErrorCodeTests
{
    [Fact]
    public void A_named_error_code_is_never_written_as_a_number()
    {
        var named = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .GroupBy(f => (int)f.GetRawConstantValue()!)
            .ToDictionary(g => g.Key, g => g.First().Name);
        var source = Path.Combine(Repository.Root(), "src", "Tabernacle.MongoEmulator");
        var files = Repository.CSharpFiles(Path.Combine("src", "Tabernacle.MongoEmulator"));
        var literals = files
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .SelectMany(l =>
                CodeLiteral().Matches(l.Text).Select(m =>
                    (l.File, l.Line, Code: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();

        var violations = literals.Where(l => named.ContainsKey(l.Code))
            .Select(l => $"{Path.GetRelativePath(source, l.File)}:{l.Line}: {l.Code} is ErrorCodes.{named[l.Code]}")
            .ToList();

        Assert.True(files.Count > 100, $"only {files.Count} source files found under {source}");
        Assert.Contains(literals, l => l.Code == 40602); // location codes are seen, so the scan is not vacuous
        Assert.True(violations.Count == 0, "Write these codes by name:\n" + string.Join("\n", violations));
    }

    [Theory]
    [InlineData(40414, "IDLFailedToParse")]
    [InlineData(40415, "IDLUnknownField")]
    [InlineData(135, "StaleTerm")]
    [InlineData(11000, "DuplicateKey")]
    [InlineData(40602, "Location40602")]
    public void CodeNames_are_mongods(int code, string codeName) => Assert.Equal(codeName, ErrorCodes.NameOf(code));

    [GeneratedRegex(@"MongoErrorException\((\d+)\b")]
    private static partial Regex CodeLiteral();
}
