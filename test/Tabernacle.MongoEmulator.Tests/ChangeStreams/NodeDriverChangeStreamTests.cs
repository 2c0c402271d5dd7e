using System.Text.Json;
using Tabernacle.MongoEmulator.Tests.Commands;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.ChangeStreams;

/// <summary>
/// The Node.js driver's <c>collection.watch()</c> (test/NodeDriver/change-stream.mjs) reads, looks up and resumes the emulator's
/// change streams.
/// </summary>
public sealed class NodeDriverChangeStreamTests : EmulatorTestBase
{
    [Fact]
    public async Task The_Node_driver_watches_looks_up_and_resumes()
    {
        var folder = NodeDriverScripts.Folder();
        await NodeDriverScripts.EnsureNodeModulesAsync(folder);
        var (exitCode, stdout, stderr) = await NodeDriverAcceptanceTests.RunAsync(
            "node", ["change-stream.mjs", Emulator.ConnectionString], folder, TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"node change-stream.mjs exited {exitCode}.\nstdout: {stdout}\nstderr: {stderr}");

        using var summary = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
        var events = summary.RootElement.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["insert", "update", "delete"], events.Select(e => e.GetProperty("operationType").GetString()));
        Assert.All(events, e => Assert.Equal(1, e.GetProperty("id").GetInt32()));
        Assert.All(events, e => Assert.Equal("nodeChangeStreams.books", e.GetProperty("ns").GetString()));
        Assert.All(events, e => Assert.True(e.GetProperty("hasToken").GetBoolean() && e.GetProperty("hasClusterTime").GetBoolean()));
        Assert.Equal(1965, events[1].GetProperty("updatedFields").GetProperty("year").GetInt32());
        Assert.Equal("Dune", events[1].GetProperty("fullDocument").GetProperty("title").GetString());
        Assert.Equal(["update", "delete"], summary.RootElement.GetProperty("resumed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([1], summary.RootElement.GetProperty("databaseEvents").EnumerateArray().Select(e => e.GetInt32()));
    }
}
