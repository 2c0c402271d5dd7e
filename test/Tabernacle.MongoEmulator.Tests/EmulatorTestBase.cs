using Tabernacle.Testing;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests;

/// <summary>Starts a fresh 3-member emulator per test, with a driver client connected to it.</summary>
public abstract class EmulatorTestBase : IAsyncLifetime
{
    protected MongoReplicaSetEmulator Emulator { get; private set; } = null!;

    protected MongoClient Client { get; private set; } = null!;

    protected virtual ReplicaSetEmulatorOptions Options => new() { Members = 3 };

    public async Task InitializeAsync()
    {
        Emulator = await MongoReplicaSetEmulator.StartAsync(Options);
        Client = CreateClient();
    }

    protected MongoClient CreateClient(Action<MongoClientSettings>? configure = null)
    {
        var settings = MongoClientSettings.FromConnectionString(Emulator.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);

        // Faster heartbeats let the driver notice elections quickly when a test causes them.
        settings.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
        configure?.Invoke(settings);
        return new MongoClient(settings);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        var violations = Emulator.Members[0].Member.Set.InvariantViolations.ToList();
        await Emulator.DisposeAsync();

        // A majority-committed write rolled back is an emulator bug whatever the test was about: fail loudly.
        Assert.Empty(violations);
    }

    /// <summary>Waits for a background condition through the suites' one poller (<see cref="Polling"/>).</summary>
    protected static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null) =>
        Polling.WaitUntilAsync(condition, timeout, because);

    /// <inheritdoc cref="WaitUntilAsync(Func{Task{bool}}, TimeSpan?, string?)"/>
    protected static Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null) =>
        Polling.WaitUntilAsync(condition, timeout, because);

    protected static BsonDocument Doc(string json) => BsonDocument.Parse(json);
}
