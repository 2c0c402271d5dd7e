using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Host;

/// <summary>The host's command-line contract, checked against the built host run as a separate process.</summary>
public sealed partial class HostProcessTests
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(30);

    [SkippableTheory]
    [InlineData(HostProcess.SigTerm)]
    [InlineData(HostProcess.SigInt)]
    public async Task Host_prints_the_connection_string_serves_the_driver_and_exits_0_on_a_signal(int signal)
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals only");
        using var host = HostProcess.Start("--members", "3", "--port", "0", "--replSet", "rs0");

        var connectionString = await host.ReadStdoutLineAsync(s_startTimeout);

        var match = ConnectionStringShape().Match(connectionString);
        Assert.True(match.Success, $"unexpected first stdout line: '{connectionString}'");
        var ports =
            Enumerable.Range(1, 3).Select(i =>
                int.Parse(match.Groups[i].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1, 65535));

        var settings = MongoClientSettings.FromConnectionString(connectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(30);
        using (var client = new MongoClient(settings))
        {
            var ping = await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
            Assert.Equal(1.0, ping["ok"].ToDouble());
            var collection = client.GetDatabase("host").GetCollection<BsonDocument>("items");
            await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "via", "host process" } });
            var all = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
            Assert.Equal("host process", Assert.Single(all)["via"].AsString);
        }

        host.Signal(signal);

        Assert.Equal(0, await host.WaitForExitAsync(s_exitTimeout));
        Assert.Contains("Stopping", host.Stderr, StringComparison.Ordinal);
        Assert.Empty(await host.ReadStdoutToEndAsync(s_exitTimeout)); // the connection string is the only stdout output
        foreach (var port in ports)
        {
            using var probe = new TcpClient();
            await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_lists_the_options_and_exits_0(string option)
    {
        using var host = HostProcess.Start(option);

        var exitCode = await host.WaitForExitAsync(s_startTimeout);
        var stdout = await host.ReadStdoutToEndAsync(s_exitTimeout);

        Assert.Equal(0, exitCode);
        foreach (var documented in new[] { "--members", "--port", "--replSet", "--bind", "--data", "--help" })
        {
            Assert.Contains(documented, stdout, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("mongodb://", stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, host.Stderr.Trim());
    }

    [Fact]
    public async Task Port_in_use_gives_a_one_line_error_naming_the_port_and_exit_code_1()
    {
        var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        try
        {
            var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
            using var host =
                HostProcess.Start("--members", "1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

            var exitCode = await host.WaitForExitAsync(s_startTimeout);

            Assert.Equal(1, exitCode);
            var errorLines = host.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var line = Assert.Single(errorLines);
            Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
            Assert.Contains("in use", line, StringComparison.Ordinal);
            Assert.Empty(await host.ReadStdoutToEndAsync(s_exitTimeout));
        }
        finally
        {
            blocker.Stop();
            blocker.Dispose();
        }
    }

    [Theory]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--members 9", "--members")]
    [InlineData("--port", "--port")]
    [InlineData("--setParameter maxAcceptableLogicalClockDriftSecs=0", "maxAcceptableLogicalClockDriftSecs")]
    [InlineData("--setParameter bogusParameter=1", "bogusParameter")]
    [InlineData("--database a.b", "--database")]
    [InlineData("--data ", "--data")]
    [InlineData("--setParameter maxAcceptableLogicalClockDriftSecs", "name=value")]
    public async Task Invalid_command_line_exits_non_zero_with_a_clear_message(string arguments, string named)
    {
        using var host = HostProcess.Start(arguments.Split(' '));

        var exitCode = await host.WaitForExitAsync(s_startTimeout);

        Assert.NotEqual(0, exitCode);
        var stderr = host.Stderr.Trim();
        Assert.StartsWith("error:", stderr, StringComparison.Ordinal);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Empty(await host.ReadStdoutToEndAsync(s_exitTimeout));
    }

    [Fact]
    public async Task Database_puts_the_database_in_the_printed_connection_string()
    {
        using var host = HostProcess.Start("--members", "1", "--port", "0", "--database", "library");
        var connectionString = await host.ReadStdoutLineAsync(s_startTimeout);

        Assert.Matches(@"^mongodb://127\.0\.0\.1:\d+/library\?replicaSet=rs0$", connectionString);
        Assert.Equal("library", MongoUrl.Create(connectionString).DatabaseName);
        host.Signal(HostProcess.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(s_exitTimeout));
    }

    [Fact]
    public async Task SetParameter_maxAcceptableLogicalClockDriftSecs_bounds_gossiped_cluster_times()
    {
        using var host = HostProcess.Start("--members", "1", "--port", "0", "--setParameter", "maxAcceptableLogicalClockDriftSecs=5");
        var connectionString = await host.ReadStdoutLineAsync(s_startTimeout);
        var port = int.Parse(connectionString.Split(':')[2].Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
        using var raw = await TestSupport.RawCommandClient.ConnectAsync(port);

        var reply = await raw.RunAsync(new BsonDocument
        {
            { "ping", 1 },
            {
                "$clusterTime", new BsonDocument
                {
                    { "clusterTime", new BsonTimestamp((int)DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds(), 1) },
                    { "signature", new BsonDocument { { "hash", new BsonBinaryData(new byte[20]) }, { "keyId", 0L } } },
                }
            },
        });

        Assert.Equal(205, reply["code"].ToInt32());
        host.Signal(HostProcess.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(s_exitTimeout));
    }

    [GeneratedRegex(@"^mongodb://127\.0\.0\.1:(\d+),127\.0\.0\.1:(\d+),127\.0\.0\.1:(\d+)/\?replicaSet=rs0$")]
    private static partial Regex ConnectionStringShape();
}
