using MongoDB.Driver;
using Tabernacle.MongoEmulator;
using Testcontainers.MongoDb;

namespace Tabernacle.Testing;

/// <summary>
/// The MongoDB replica set the provider-side suites (Tabernacle.EfCore.Tests, Tabernacle.EfCore.Extensions.Tests,
/// LibraryManagement.Tests) run against, chosen once per test run:
/// <c>TABERNACLE_TEST_MONGODB=&lt;connection string&gt;</c> (a real replica set), <c>TABERNACLE_TEST_DOCKER=1</c>
/// (MongoDB started with Testcontainers as a replica set), or by default an in-process 3-member emulator.
/// </summary>
/// <remarks>
/// The backend is shared by every test class of the run, each working in its own database
/// (<see cref="Backend.UniqueDatabaseName"/>). Tests that steer the replica set (step down, pause replication, stop or
/// delay a member) must not use it: they start a dedicated emulator of their own whatever the backend.
/// </remarks>
public static class TestBackend
{
    public const string ConnectionStringVariable = "TABERNACLE_TEST_MONGODB";

    public const string DockerVariable = "TABERNACLE_TEST_DOCKER";

    private static readonly Lazy<Task<Backend>> Instance = new(StartAsync);

    public static Task<Backend> GetAsync() => Instance.Value;

    /// <summary>Whether the tests run against the in-process emulator (no variable set).</summary>
    public static bool IsEmulator => !IsExternal && !IsDocker;

    /// <summary>Whether <c>TABERNACLE_TEST_MONGODB</c> names a replica set to run against.</summary>
    public static bool IsExternal => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ConnectionStringVariable));

    /// <summary>Whether <c>TABERNACLE_TEST_DOCKER=1</c> asks for MongoDB in Docker (ignored when <see cref="IsExternal"/>).</summary>
    public static bool IsDocker => !IsExternal && Environment.GetEnvironmentVariable(DockerVariable) == "1";

    /// <summary>What the run uses, for messages.</summary>
    public static string Description =>
        IsExternal ? $"the replica set of {ConnectionStringVariable}" : IsDocker ? "MongoDB in Docker (Testcontainers)"
            : "the in-process emulator";

    private static async Task<Backend> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new Backend(external, null, null);
        }

        if (Environment.GetEnvironmentVariable(DockerVariable) == "1")
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

    /// <summary>
    /// The backend's connection string naming <paramref name="database"/> as its database (for APIs that take the
    /// database from the connection string, such as AddTabernacle and <c>ConnectionStrings:Library</c>). Credentials
    /// keep authenticating against the database they did before, not the new one.
    /// </summary>
    public string ConnectionStringFor(string database)
    {
        var url = new MongoUrlBuilder(ConnectionString);
        if (url.Username is not null && url.AuthenticationSource is null)
        {
            url.AuthenticationSource = url.DatabaseName ?? "admin";
        }

        url.DatabaseName = database;
        return url.ToString();
    }

    public IMongoClient CreateClient() => new MongoClient(ConnectionString);

    /// <summary>Drops <paramref name="database"/>, the end of a test class's use of the shared backend.</summary>
    public async Task DropDatabaseAsync(string database)
    {
        using var client = new MongoClient(ConnectionString);
        await client.DropDatabaseAsync(database);
    }
}
