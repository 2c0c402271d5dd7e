using Tabernacle.Testing;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Servers;
using Tabernacle.EfCore.Extensions.Internal;
using Tabernacle.MongoEmulator;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>
/// The monitor and health check watching the members change: these tests step the primary down, stop a member, pause
/// replication and set fail points, so the class runs on a <see cref="DedicatedReplicaSet"/> whatever the backend.
/// </summary>
public sealed class ReplicaSetMonitorTests(DedicatedReplicaSet rs) : IClassFixture<DedicatedReplicaSet>, IAsyncLifetime
{
    private IHost _host = null!;

    private IReplicaSetMonitor Monitor => _host.Services.GetRequiredService<IReplicaSetMonitor>();

    public async Task InitializeAsync()
    {
        await rs.RestoreAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTabernacle<NotesContext>(rs.ConnectionString("monitor"));
        builder.Services.ConfigureReplicaSetMonitor(o => o.PollingInterval = TimeSpan.FromMilliseconds(100));
        builder.Services.AddHealthChecks().AddTabernacle(maxLag: TimeSpan.FromSeconds(2));
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private async Task<ReplicaSetStatus> WaitForAsync(Func<ReplicaSetStatus, bool> condition, string because)
    {
        await Polling.WaitUntilAsync(() => condition(Monitor.Current), because: because);
        return Monitor.Current;
    }

    private Task<HealthReport> CheckAsync() => _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    [Fact]
    public async Task Shows_three_members_with_their_roles_optimes_lag_and_heartbeats()
    {
        var status =
            await WaitForAsync(s =>
                s.Members.Count == 3 && s.Primary is not null && s.Source == ReplicaSetStatusSource.ReplSetGetStatus,
                    "three members and a primary from replSetGetStatus");
        Assert.Equal(ReplicaSetState.ReplicaSet, status.State);
        Assert.Equal("rs0", status.SetName);
        Assert.Equal(rs.Emulator.Primary!.Host, status.Primary!.Name);
        Assert.Equal(2, status.Secondaries.Count());
        Assert.All(status.Members, m =>
        {
            Assert.True(m.IsHealthy);
            Assert.NotNull(m.OpTime);
            Assert.NotNull(m.ReplicationLag);
            Assert.NotNull(m.LastHeartbeat);
        });
        Assert.Equal(TimeSpan.Zero, status.Primary.ReplicationLag);
    }

    [Fact]
    public async Task Raises_PrimaryChanged_when_the_primary_steps_down()
    {
        var before = await WaitForAsync(s => s.Primary is not null, "a primary");
        var changed = new TaskCompletionSource<PrimaryChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        Monitor.PrimaryChanged += (_, e) =>
        {
            if (e.NewPrimary is not null && e.NewPrimary != before.Primary!.Name)
            {
                changed.TrySetResult(e);
            }
        };
        var elected = await rs.Emulator.StepDownAsync(TimeSpan.FromSeconds(2));
        var args = await changed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(elected.Host, args.NewPrimary);
        Assert.Equal(elected.Host, Monitor.Current.Primary?.Name);
    }

    [Fact]
    public async Task A_stopped_member_is_down_and_the_health_check_is_degraded_then_healthy_again()
    {
        await WaitForAsync(s => s.Primary is not null, "a primary");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
        var secondary = rs.Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        await secondary.StopAsync();
        await WaitForAsync(s =>
            s.Members.Any(m => m.Name == secondary.Host && m.Role == ReplicaSetMemberRole.Down && !m.IsHealthy),
                "the stopped member shows as down");
        var report = await CheckAsync();
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains(secondary.Host, report.Entries["tabernacle"].Description, StringComparison.Ordinal);
        await secondary.StartAsync();
        await Polling.WaitUntilAsync(async () =>
            (await CheckAsync()).Status == HealthStatus.Healthy, because: "healthy once the member is back");
    }

    [Fact]
    public async Task A_paused_secondary_lags_and_the_health_check_reports_it()
    {
        var client = _host.Services.GetRequiredService<IMongoClient>();
        var collection = client.GetDatabase("monitor").GetCollection<BsonDocument>("lag");
        await collection.InsertOneAsync(new BsonDocument("n", 0));
        await rs.Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(10));
        var paused = rs.Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        paused.PauseReplication();
        var start = DateTime.UtcNow;
        // Writes more than maxLag (2 s) after the last one the paused member applied: its optime falls that far behind.
        await Polling.WaitUntilAsync(async () =>
        {
            await collection.InsertOneAsync(new BsonDocument("n", 1));
            return DateTime.UtcNow - start > TimeSpan.FromSeconds(2.5);
        }, TimeSpan.FromSeconds(10), "time passes while writing");
        var status =
            await WaitForAsync(s =>
                s.Members.FirstOrDefault(m => m.Name == paused.Host)?.ReplicationLag > TimeSpan.FromSeconds(2), "the paused member lags");
        Assert.True(status.Members.Where(m => m.Name != paused.Host).All(m => m.ReplicationLag < TimeSpan.FromSeconds(2)));
        var report = await CheckAsync();
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("lagging", report.Entries["tabernacle"].Description, StringComparison.Ordinal);
        var members = Assert.IsAssignableFrom<IEnumerable<Dictionary<string, object?>>>(report.Entries["tabernacle"].Data["members"]);
        Assert.True((double)members.Single(m => (string)m["name"]! == paused.Host)["lagMs"]! > 2000);
        paused.ResumeReplication();
    }

    [Fact]
    public async Task Without_the_replSetGetStatus_privilege_the_drivers_monitoring_is_used()
    {
        await WaitForAsync(s => s.Source == ReplicaSetStatusSource.ReplSetGetStatus, "replSetGetStatus first");
        var failPoint = new BsonDocument
        {
            { "configureFailPoint", "failCommand" },
            { "mode", "alwaysOn" },
            { "data", new BsonDocument { { "failCommands", new BsonArray { "replSetGetStatus" } }, { "errorCode", 13 } } },
        };
        foreach (var member in rs.Emulator.Members)
        {
            using var direct = new MongoClient($"mongodb://{member.Host}/?directConnection=true");
            await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(failPoint);
        }

        try
        {
            var status = await Monitor.RefreshAsync();
            Assert.Equal(ReplicaSetStatusSource.DriverMonitoring, status.Source);
            Assert.Equal(ReplicaSetState.ReplicaSet, status.State);
            Assert.Equal(3, status.Members.Count);
            Assert.NotNull(status.Primary);
            Assert.False(((ReplicaSetMonitor)Monitor).StatusCommandPermitted);
        }
        finally
        {
            foreach (var member in rs.Emulator.Members)
            {
                using var direct = new MongoClient($"mongodb://{member.Host}/?directConnection=true");
                await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(
                    new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } });
            }
        }
    }

    [Fact]
    public void A_standalone_server_is_reported_as_not_a_replica_set()
    {
        var endPoint = new DnsEndPoint("db.example", 27017);
        var clusterId = new ClusterId(1);
        var server =
            new ServerDescription(new ServerId(clusterId, endPoint), endPoint, state: ServerState.Connected, type: ServerType.Standalone);
        var cluster = new ClusterDescription(clusterId, false, null, ClusterType.Standalone, [server]);
        var status = StatusBuilder.FromCluster(cluster, DateTimeOffset.UtcNow);
        Assert.Equal(ReplicaSetState.NotReplicaSet, status.State);
        Assert.Null(status.Primary);
        var member = Assert.Single(status.Members);
        Assert.Equal(ReplicaSetMemberRole.Standalone, member.Role);
        Assert.Null(member.ReplicationLag);
        Assert.Equal(ReplicaSetState.NotReplicaSet, StatusBuilder.NotReplicaSet(cluster, DateTimeOffset.UtcNow).State);
    }
}
