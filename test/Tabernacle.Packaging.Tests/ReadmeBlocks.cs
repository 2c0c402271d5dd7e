using System.Text.RegularExpressions;

namespace Tabernacle.Packaging.Tests;

/// <summary>
/// The C# code blocks of README.md, each with the context it compiles in, named by the HTML comment
/// <c>&lt;!-- readme-compile: context --&gt;</c> on the line before the block (invisible when the README is rendered).
/// A context other than <c>program</c> adds the file <c>Readme/&lt;context&gt;.cs</c>, which declares what the prose
/// around the block assumes (an earlier snippet's variables, the sample's DbContext).
/// </summary>
internal static partial class ReadmeBlocks
{
    public static readonly string[] Contexts = ["program", "emulator", "shop", "conventions", "web"];

    public sealed record Block(int Line, string Context, string Code);

    public static List<Block> Extract(string readme)
    {
        var lines = readme.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var blocks = new List<Block>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal) || !IsCSharp(lines[i][3..].Trim()))
            {
                if (lines[i].StartsWith("```", StringComparison.Ordinal))
                {
                    i = EndOf(lines, i); // skip other languages' blocks whole, so their contents are never taken for fences
                }

                continue;
            }

            var marker = i > 0 ? Marker().Match(lines[i - 1]) : Match.Empty;
            if (!marker.Success)
            {
                throw new InvalidOperationException(
                    $"README.md line {i + 1}: a C# block without '<!-- readme-compile: <context> -->' on the line before it "
                    + $"(contexts: {string.Join(", ", Contexts)}).");
            }

            var context = marker.Groups[1].Value;
            if (!Contexts.Contains(context))
            {
                throw new InvalidOperationException(
                    $"README.md line {i}: unknown compile context '{context}' (contexts: {string.Join(", ", Contexts)}).");
            }

            var end = EndOf(lines, i);
            blocks.Add(new Block(i + 1, context, string.Join('\n', lines[(i + 1)..end]) + "\n"));
            i = end;
        }

        return blocks;
    }

    private static bool IsCSharp(string info) => info is "csharp" or "cs" or "c#" or "C#";

    private static int EndOf(string[] lines, int start)
    {
        for (var j = start + 1; j < lines.Length; j++)
        {
            if (lines[j].TrimEnd() == "```")
            {
                return j;
            }
        }

        throw new InvalidOperationException($"README.md line {start + 1}: a code block that never ends.");
    }

    [GeneratedRegex(@"^<!--\s*readme-compile:\s*([a-z]+)\s*-->\s*$")]
    private static partial Regex Marker();
}
