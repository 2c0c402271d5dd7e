using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using Tabernacle.MongoEmulator;

namespace Tabernacle.EfCore.Extensions.Tests;

public sealed class Note
{
    public ObjectId Id { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>A context with only the options constructor: AddTabernacle pools it.</summary>
public sealed class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}

/// <summary>A context that takes another service: AddTabernacle registers it as an ordinary scoped context.</summary>
public sealed class ScopedNotesContext(DbContextOptions<ScopedNotesContext> options, ILogger<ScopedNotesContext> logger)
    : DbContext(options)
{
    public ILogger Logger { get; } = logger;

    public DbSet<Note> Notes => Set<Note>();
}

/// <summary>
/// A test class on the shared backend (<see cref="TestBackend"/>: the in-process emulator, or the replica set of
/// TABERNACLE_TEST_MONGODB / TABERNACLE_TEST_DOCKER). Each database it hands out is unique to the test and dropped after it.
/// </summary>
public abstract class SharedBackendTests : IAsyncLifetime
{
    private readonly List<string> _databases = [];

    protected Backend Backend { get; private set; } = null!;

    /// <summary>A database name no other test uses, dropped when the test ends.</summary>
    protected string NewDatabase(string prefix)
    {
        var name = Backend.UniqueDatabaseName(prefix);
        lock (_databases)
        {
            _databases.Add(name);
        }

        return name;
    }

    /// <summary>The backend's connection string naming a new database of its own (see <see cref="NewDatabase"/>).</summary>
    protected string ConnectionString(string prefix) => Backend.ConnectionStringFor(NewDatabase(prefix));

    public virtual async Task InitializeAsync() => Backend = await TestBackend.GetAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await Backend.DropDatabaseAsync(database);
        }
    }
}

/// <summary>
/// A 3-member emulator owned by one test class, whatever the backend, for tests that steer the replica set (step the
/// primary down, stop a member, pause or delay replication, set fail points on members): doing that to the shared
/// backend would disturb every other test running in parallel, and a real replica set cannot be steered from a test.
/// </summary>
public sealed class DedicatedReplicaSet : IAsyncLifetime
{
    public MongoReplicaSetEmulator Emulator { get; private set; } = null!;

    public string ConnectionString(string database) => Emulator.ConnectionString.Replace("/?", $"/{database}?", StringComparison.Ordinal);

    public async Task InitializeAsync() =>
        Emulator =
            await MongoReplicaSetEmulator.StartAsync(
                new ReplicaSetEmulatorOptions { Members = 3, ElectionTimeout = TimeSpan.FromMilliseconds(500) });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    /// <summary>Brings every member back to running, unpaused and undelayed, with a primary.</summary>
    public async Task RestoreAsync()
    {
        foreach (var member in Emulator.Members)
        {
            if (!member.IsRunning)
            {
                await member.StartAsync();
            }

            member.ResumeReplication();
            member.ReplicationDelay = TimeSpan.FromMilliseconds(5);
        }

        await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(15));
        await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(15));
    }
}

public static class TestApps
{
    /// <summary>Starts an app on the in-memory test server.</summary>
    public static async Task<WebApplication> StartAsync(Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        configure(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }
}
