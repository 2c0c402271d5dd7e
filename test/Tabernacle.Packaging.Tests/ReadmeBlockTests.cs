namespace Tabernacle.Packaging.Tests;

/// <summary>The README's C# blocks are found and each names the context it compiles in (the build is in PackageSmokeTests).</summary>
public sealed class ReadmeBlockTests
{
    [Fact]
    public void Every_csharp_block_of_the_README_names_its_compile_context()
    {
        var blocks = ReadmeBlocks.Extract(File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot(), "README.md")));

        Assert.True(blocks.Count >= 8, $"only {blocks.Count} C# blocks found in README.md");
        Assert.All(blocks, b => Assert.False(string.IsNullOrWhiteSpace(b.Code), $"the block at line {b.Line} is empty"));
        Assert.All(
            blocks.Where(b => b.Context != "program"),
            b => Assert.True(
                File.Exists(Path.Combine(AppContext.BaseDirectory, "Readme", b.Context + ".cs")), $"no Readme/{b.Context}.cs"));
    }

    [Fact]
    public void A_csharp_block_without_a_context_is_reported_with_its_line()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ReadmeBlocks.Extract("# Title\n\n```csharp\nvar x = 1;\n```\n"));

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocks_of_other_languages_are_skipped_and_markers_are_read()
    {
        var blocks = ReadmeBlocks.Extract("```bash\necho '```csharp'\n```\n<!-- readme-compile: web -->\n```csharp\nvar app = 1;\n```\n");

        var block = Assert.Single(blocks);
        Assert.Equal(("web", 5, "var app = 1;\n"), (block.Context, block.Line, block.Code));
    }
}
