namespace Tabernacle.Testing;

/// <summary>The checkout the tests run from, for tests that read the sources, the README or the solution.</summary>
public static class Repository
{
    /// <summary>The folder that holds <c>Tabernacle.EfCore.sln</c>, found upward from the test's output folder.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tabernacle.EfCore.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains Tabernacle.EfCore.sln");
    }

    /// <summary>The C# source files under <paramref name="folders"/> of the checkout, without build output.</summary>
    public static IReadOnlyList<string> CSharpFiles(params string[] folders)
    {
        var root = Root();
        return folders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar)
                .Any(part => part is "obj" or "bin" or "node_modules"))
            .ToList();
    }
}
