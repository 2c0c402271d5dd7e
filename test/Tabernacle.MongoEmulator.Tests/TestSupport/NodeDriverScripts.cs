using Tabernacle.MongoEmulator.Tests.Commands;

namespace Tabernacle.MongoEmulator.Tests.TestSupport;

/// <summary>Where the Node.js driver scripts live, and their pinned driver installed once per test run.</summary>
internal static class NodeDriverScripts
{
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>test/NodeDriver, found by walking up from the test assembly to the folder that holds Tabernacle.EfCore.sln.</summary>
    public static string Folder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tabernacle.EfCore.sln")))
            {
                var folder = Path.Combine(directory.FullName, "test", "NodeDriver");
                Assert.True(File.Exists(Path.Combine(folder, "smoke.mjs")), $"{folder} has no smoke.mjs");
                return folder;
            }
        }

        Assert.Fail($"No folder above {AppContext.BaseDirectory} contains Tabernacle.EfCore.sln");
        return "";
    }

    /// <summary>Installs the pinned driver from package-lock.json (npm ci) when node_modules is missing, so a clean clone runs as
    /// is.</summary>
    public static async Task EnsureNodeModulesAsync(string folder)
    {
        await InstallGate.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(folder, "node_modules", "mongodb")))
            {
                return;
            }

            var (exitCode, stdout, stderr) =
                await NodeDriverAcceptanceTests.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, NpmTimeout);
            Assert.True(exitCode == 0, $"npm ci failed with exit code {exitCode} in {folder}.\nstdout: {stdout}\nstderr: {stderr}");
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
