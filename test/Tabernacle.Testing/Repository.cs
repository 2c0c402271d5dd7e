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
}
