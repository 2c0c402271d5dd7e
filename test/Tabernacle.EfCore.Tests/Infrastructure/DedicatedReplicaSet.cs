using Tabernacle.MongoEmulator;

namespace Tabernacle.EfCore.Tests.Infrastructure;

/// <summary>
/// A 3-member emulator owned by one test class, for tests that step members down, pause replication or delay it:
/// doing that to the shared backend would disturb every other test running in parallel. Member 2 is tagged dc=reports.
/// </summary>
public sealed class DedicatedReplicaSet : IAsyncLifetime
{
    public MongoReplicaSetEmulator Emulator { get; private set; } = null!;

    public string ConnectionString => Emulator.ConnectionString;

    public async Task InitializeAsync()
    {
        var options = new ReplicaSetEmulatorOptions { Members = 3, ElectionTimeout = TimeSpan.FromMilliseconds(500) };
        options.MemberOptions.Add(new EmulatorMemberOptions { Priority = 2 });
        options.MemberOptions.Add(new EmulatorMemberOptions());
        var reports = new EmulatorMemberOptions();
        reports.Tags["dc"] = "reports";
        options.MemberOptions.Add(reports);
        Emulator = await MongoReplicaSetEmulator.StartAsync(options);
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
