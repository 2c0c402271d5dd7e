using Tabernacle.Testing;

namespace Tabernacle.Packaging.Tests;

/// <summary>
/// The code keeps the .editorconfig limit (max_line_length = 140; eng/wrap-long-lines.py wraps at token boundaries).
/// A line may run longer only where it holds a string literal (a message, an MQL baseline, a raw string), which cannot
/// be wrapped without rewriting it.
/// </summary>
public sealed class LineLengthTests
{
    private const int Limit = 140;

    [Fact]
    public void No_line_of_code_is_longer_than_the_limit()
    {
        var root = Repository.Root();
        var files = Repository.CSharpFiles("src", "test", "samples", "benchmarks");

        var tooLong = files
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Number: i + 1, Line: line)))
            .Where(l => l.Line.Length > Limit && !l.Line.Contains('"', StringComparison.Ordinal))
            .Select(l => $"{Path.GetRelativePath(root, l.File)}:{l.Number}: {l.Line.Length} characters")
            .ToList();

        Assert.True(files.Count > 500, $"only {files.Count} C# files found under {root}");
        Assert.True(tooLong.Count == 0, $"Lines over {Limit} characters (run python3 eng/wrap-long-lines.py):\n" + string.Join("\n", tooLong));
    }
}
