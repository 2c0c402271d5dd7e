using MongoDB.Driver;
using Tabernacle.MongoEmulator;
using Testcontainers.MongoDb;

namespace Tabernacle.EfCore.Tests.Infrastructure;

/// <summary>
/// The MongoDB replica set the provider tests run against, chosen once per test run:
/// <c>TABERNACLE_TEST_MONGODB=&lt;connection string&gt;</c> (a real replica set), <c>TABERNACLE_TEST_DOCKER=1</c>
/// (MongoDB started with Testcontainers as a replica set), or by default an in-process 3-member emulator.
/// </summary>
public static class TestBackend
{
    private static readonly Lazy<Task<Backend>> Instance = new(StartAsync);

    public static Task<Backend> GetAsync() => Instance.Value;

    /// <summary>Whether the tests run against the in-process emulator (tests that steer members need it).</summary>
    public static bool IsEmulator => Environment.GetEnvironmentVariable("TABERNACLE_TEST_MONGODB") is null or ""
        && Environment.GetEnvironmentVariable("TABERNACLE_TEST_DOCKER") != "1";

    private static async Task<Backend> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("TABERNACLE_TEST_MONGODB");
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new Backend(external, null, null);
        }

        if (Environment.GetEnvironmentVariable("TABERNACLE_TEST_DOCKER") == "1")
        {
            var container = new MongoDbBuilder("mongo:7.0").WithReplicaSet("rs0").Build();
            await container.StartAsync();
            return new Backend(container.GetConnectionString(), null, container);
        }

        var emulator = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 3 });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new Backend(emulator.ConnectionString, emulator, null);
    }
}

/// <summary>A running backend: its connection string, and the emulator when it is one.</summary>
public sealed record Backend(string ConnectionString, MongoReplicaSetEmulator? Emulator, MongoDbContainer? Container)
{
    /// <summary>A database name no other test class uses.</summary>
    public static string UniqueDatabaseName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 33)];

    public IMongoClient CreateClient() => new MongoClient(ConnectionString);
}
