using System.Text.Json;
using Tabernacle.MongoEmulator.Tests.TestSupport;
using Tabernacle.Testing;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>
/// The Node.js <c>mongodb</c> driver (pinned in <c>test/NodeDriver/package.json</c>) accepts the emulator's handshake:
/// it discovers the replica set, writes to the primary and reads from a secondary.
/// </summary>
public sealed class NodeDriverAcceptanceTests : EmulatorTestBase
{
    private static readonly TimeSpan SmokeTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_Node_driver_discovers_the_set_writes_and_reads_from_a_secondary()
    {
        using var summary = await RunScriptAsync("smoke.mjs");
        var root = summary.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.StartsWith("6.", root.GetProperty("driverVersion").GetString(), StringComparison.Ordinal);
        Assert.Equal("ReplicaSetWithPrimary", root.GetProperty("topologyType").GetString());
        Assert.Equal(Emulator.ReplicaSetName, root.GetProperty("setName").GetString());

        var primary = await Emulator.WaitForPrimaryAsync();
        Assert.Equal(primary.Host, root.GetProperty("primary").GetString());
        var secondaries = root.GetProperty("secondaries").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.NotEmpty(secondaries);
        Assert.DoesNotContain(primary.Host, secondaries);
        var readFrom = root.GetProperty("readFrom").GetString();
        Assert.Contains(readFrom, Emulator.Members.Where(m => m != primary).Select(m => m.Host));
        Assert.Matches("^[0-9a-f]{24}$", root.GetProperty("insertedId").GetString()!);
        Assert.True(root.GetProperty("readAttempts").GetInt32() >= 1);

        // The document the script wrote really is in the set, on the primary.
        await Emulator.WaitForReplicationAsync();
        Assert.Single(primary.GetDocuments("nodeDriverSmoke", "items"));
    }

    [Fact]
    public async Task Forged_cluster_times_from_the_Node_driver_are_refused_and_majority_writes_survive_a_step_down()
    {
        using var summary = await RunScriptAsync("forged-cluster-time.mjs");
        var root = summary.RootElement;
        Assert.Equal(72, root.GetProperty("afterClusterTimeCode").GetInt32());
        Assert.Equal(205, root.GetProperty("gossipedClusterTimeCode").GetInt32());
        Assert.Equal(205, root.GetProperty("secondaryGossipCode").GetInt32());

        // The majority write made after the attempts is on every member, and still there after a failover.
        var id = MongoDB.Bson.ObjectId.Parse(root.GetProperty("insertedId").GetString());
        await Emulator.WaitForReplicationAsync();
        Assert.All(Emulator.Members, m => Assert.Contains(m.GetDocuments("nodeForged", "items"), d => d["_id"] == id));
        var newPrimary = await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));
        Assert.Contains(newPrimary.GetDocuments("nodeForged", "items"), d => d["_id"] == id);
    }

    /// <summary>Runs a script of test/NodeDriver against the emulator; it must exit 0 and end with one JSON summary line.</summary>
    private async Task<JsonDocument> RunScriptAsync(string script)
    {
        var folder = NodeDriverScripts.Folder();
        await NodeDriverScripts.EnsureNodeModulesAsync(folder);

        var (exitCode, stdout, stderr) = await RunAsync("node", [script, Emulator.ConnectionString], folder, SmokeTimeout);

        var summaryLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        Assert.True(exitCode == 0, $"node {script} exited {exitCode}.\nstdout: {stdout}\nstderr: {stderr}");
        Assert.NotNull(summaryLine);
        return JsonDocument.Parse(summaryLine);
    }

    internal static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, string[] arguments, string workingDirectory, TimeSpan timeout) =>
        ChildProcess.RunAsync(fileName, arguments, workingDirectory, timeout,
            "Node.js (node and npm) must be on PATH for the Node.js driver tests; it is part of this project's machine image.");
}
