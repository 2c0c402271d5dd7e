using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>The health check's rules over given snapshots (the live cases are in <see cref="ReplicaSetMonitorTests"/>).</summary>
public sealed class HealthCheckTests
{
    private sealed class FixedMonitor(ReplicaSetStatus status) : IReplicaSetMonitor
    {
        public ReplicaSetStatus Current => status;

        public IMongoClient Client => throw new NotSupportedException();

        public event EventHandler<PrimaryChangedEventArgs>? PrimaryChanged { add { } remove { } }

        public Task<ReplicaSetStatus> RefreshAsync(CancellationToken cancellationToken = default) => Task.FromResult(status);

        public Task<ReplicaSetStatus> WaitForChangeAsync(CancellationToken cancellationToken = default) => Task.FromResult(status);
    }

    private static ReplicaSetMember Member(string name, ReplicaSetMemberRole role, double lagSeconds = 0, bool healthy = true) =>
        new(name, role, healthy, DateTimeOffset.UtcNow, healthy ? TimeSpan.FromSeconds(lagSeconds) : null, DateTimeOffset.UtcNow, 0);

    private static ReplicaSetStatus Status(params ReplicaSetMember[] members) =>
        new(ReplicaSetState.ReplicaSet, "rs0", members, ReplicaSetStatusSource.ReplSetGetStatus, DateTimeOffset.UtcNow,
            new Dictionary<string, long>());

    private static Task<HealthCheckResult> CheckAsync(ReplicaSetStatus status, double maxLagSeconds = 10) =>
        new TabernacleHealthCheck(new FixedMonitor(status), TimeSpan.FromSeconds(maxLagSeconds)).CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("tabernacle", _ => null!, HealthStatus.Unhealthy, null),
        });

    [Fact]
    public async Task Healthy_with_a_primary_and_secondaries_within_the_lag()
    {
        var result =
            await CheckAsync(
                Status(Member("a:1", ReplicaSetMemberRole.Primary), Member("b:2", ReplicaSetMemberRole.Secondary, 1),
                    Member("c:3", ReplicaSetMemberRole.Secondary, 2)));
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("a:1", result.Data["primary"]);
        Assert.Equal("rs0", result.Data["replicaSet"]);
    }

    [Fact]
    public async Task Degraded_when_a_secondary_lags_beyond_the_threshold()
    {
        var result =
            await CheckAsync(Status(Member("a:1", ReplicaSetMemberRole.Primary), Member("b:2", ReplicaSetMemberRole.Secondary, 11)));
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("b:2", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Degraded_when_a_member_is_down()
    {
        var result =
            await CheckAsync(Status(Member("a:1", ReplicaSetMemberRole.Primary), Member("b:2", ReplicaSetMemberRole.Down, healthy: false)));
        Assert.Equal(HealthStatus.Degraded, result.Status);
    }

    [Fact]
    public async Task Unhealthy_without_a_primary()
    {
        var result = await CheckAsync(Status(Member("b:2", ReplicaSetMemberRole.Secondary), Member("c:3", ReplicaSetMemberRole.Secondary)));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("no primary", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthy_but_saying_so_for_a_standalone_server()
    {
        var status =
            new ReplicaSetStatus(ReplicaSetState.NotReplicaSet, null, [Member("a:1", ReplicaSetMemberRole.Standalone)],
                ReplicaSetStatusSource.DriverMonitoring, DateTimeOffset.UtcNow, new Dictionary<string, long>());
        var result = await CheckAsync(status);
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("not a replica set", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_to_reach_the_deployment_says_what_kind_without_its_message()
    {
        var monitor = new ThrowingMonitor(new MongoConfigurationException("mongodb://admin:hunter2@db.example/ is wrong"));
        var result = await new TabernacleHealthCheck(monitor, TimeSpan.FromSeconds(10)).CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("tabernacle", _ => null!, HealthStatus.Unhealthy, null),
        });
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        var everything = result.Description + JsonSerializer.Serialize(result.Data);
        Assert.DoesNotContain("hunter2", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("mongodb://", everything, StringComparison.Ordinal);
    }

    private sealed class ThrowingMonitor(Exception exception) : IReplicaSetMonitor
    {
        public ReplicaSetStatus Current => ReplicaSetStatus.Unknown;

        public IMongoClient Client => throw new NotSupportedException();

        public event EventHandler<PrimaryChangedEventArgs>? PrimaryChanged { add { } remove { } }

        public Task<ReplicaSetStatus> RefreshAsync(CancellationToken cancellationToken = default) =>
            Task.FromException<ReplicaSetStatus>(exception);

        public Task<ReplicaSetStatus> WaitForChangeAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult(ReplicaSetStatus.Unknown);
    }
}
