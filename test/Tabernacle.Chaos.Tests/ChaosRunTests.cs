using Tabernacle.Testing;
using Xunit.Abstractions;

namespace Tabernacle.Chaos.Tests;

/// <summary>
/// The short chaos run of the test suite: a few fixed seeds, about 20 s each, against the in-process emulator or, when
/// the backend is a real replica set (TABERNACLE_TEST_MONGODB, TABERNACLE_TEST_DOCKER), against that set with the faults
/// a client can inject. A failing seed replays with <c>dotnet run --project test/Tabernacle.Chaos -- --seed N</c>.
/// </summary>
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunLength = TimeSpan.FromSeconds(18);

    [Theory]
    [InlineData(101)]
    [InlineData(202)]
    [InlineData(303)]
    public async Task Short_run_finds_no_anomaly(int seed)
    {
        var connection = TestBackend.IsEmulator ? null : (await TestBackend.GetAsync()).ConnectionString;
        var result = await ChaosRun.RunAsync(new ChaosOptions(seed, RunLength, Connection: connection), output.WriteLine);

        output.WriteLine(result.Summary);
        Assert.True(result.History.Count > 0, "the workload ran no operation");
        Assert.True(
            result.Anomalies.Count == 0, $"seed {seed}: {result.Anomalies.Count} anomalies, first: {result.Anomalies.FirstOrDefault()}");
    }
}
