using System.Text.Json;
using Tabernacle.MongoEmulator.Tests.Commands;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.ChangeStreams;

/// <summary>
/// mongosh's <c>watch()</c> (test/Mongosh/change-stream.js, mongosh pinned in test/Mongosh/package.json) against the emulator.
/// </summary>
public sealed class MongoshChangeStreamTests : EmulatorTestBase
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    [Fact]
    public async Task Mongosh_watches_looks_up_and_resumes()
    {
        var folder = Path.Combine(Path.GetDirectoryName(NodeDriverScripts.Folder())!, "Mongosh");
        await EnsureInstalledAsync(folder);
        var (exitCode, stdout, stderr) = await NodeDriverAcceptanceTests.RunAsync(
            Path.Combine(folder, "node_modules", ".bin", "mongosh"),
            [Emulator.ConnectionString, "--quiet", "--file", "change-stream.js"],
            folder,
            TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"mongosh exited {exitCode}.\nstdout: {stdout}\nstderr: {stderr}");

        using var summary = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')));
        var root = summary.RootElement;
        Assert.Equal(["insert", "update"], root.GetProperty("operations").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([1, 1], root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1965, root.GetProperty("lookedUp").GetProperty("year").GetInt32());
        Assert.Equal(1965, root.GetProperty("updatedFields").GetProperty("year").GetInt32());
        Assert.Equal(["update"], root.GetProperty("resumed").EnumerateArray().Select(e => e.GetString()));
    }

    private static async Task EnsureInstalledAsync(string folder)
    {
        await InstallGate.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(folder, "node_modules", ".bin", "mongosh")))
            {
                var (exitCode, stdout, stderr) = await NodeDriverAcceptanceTests.RunAsync(
                    "npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(10));
                Assert.True(exitCode == 0, $"npm ci failed in {folder}.\nstdout: {stdout}\nstderr: {stderr}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
