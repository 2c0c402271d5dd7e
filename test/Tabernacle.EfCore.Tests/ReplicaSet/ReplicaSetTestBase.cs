using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.MongoEmulator;

namespace Tabernacle.EfCore.Tests.ReplicaSet;

/// <summary>Tests that steer the members of their own emulator (pausing, delaying, stepping down).</summary>
public abstract class ReplicaSetTestBase(DedicatedReplicaSet replicaSet) : IClassFixture<DedicatedReplicaSet>, IAsyncLifetime
{
    protected DedicatedReplicaSet ReplicaSet { get; } = replicaSet;

    protected MongoReplicaSetEmulator Emulator => ReplicaSet.Emulator;

    protected string DatabaseName { get; } = Backend.UniqueDatabaseName("rs");

    protected CapturingLoggerProvider Logs { get; } = new();

    public virtual async Task InitializeAsync()
    {
        await Emulator.WaitForPrimaryAsync();
        foreach (var member in Emulator.Members)
        {
            if (!member.IsRunning)
            {
                await member.StartAsync();
            }

            member.ResumeReplication();
            member.ReplicationDelay = TimeSpan.FromMilliseconds(5);
        }

        await using var db = CreateContext();
        await db.Database.EnsureCreatedAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected ReplicaSetContext CreateContext(Action<TabernacleDbContextOptionsBuilder>? configure = null, string? connectionString = null)
    {
        var builder = new DbContextOptionsBuilder<ReplicaSetContext>()
            .UseTabernacle(connectionString ?? ReplicaSet.ConnectionString, DatabaseName, o =>
            {
                o.ConfigureClientSettings(s =>
                {
                    s.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
                    s.ServerSelectionTimeout = TimeSpan.FromSeconds(20);
                });
                configure?.Invoke(o);
            })
            .UseLoggerFactory(Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs)));
        return new ReplicaSetContext(builder.Options);
    }

    /// <summary>Finds served by each member since <paramref name="before"/>.</summary>
    protected long[] FindsSince(long[] before) => Emulator.Members.Select((m, i) => m.OpCounters.Query - before[i]).ToArray();

    protected long[] Finds() => Emulator.Members.Select(m => m.OpCounters.Query).ToArray();

    /// <summary>Waits until the driver behind <paramref name="db"/> sees one primary and two secondaries.</summary>
    protected static async Task WarmUpAsync(ReplicaSetContext db)
    {
        await db.Items.WithReadPreference(ReadPreference.Secondary).CountAsync();
        await db.Items.WithReadPreference(ReadPreference.Primary).CountAsync();
    }

    protected async Task PauseBothSecondariesAsync()
    {
        foreach (var secondary in Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            using var direct = new MongoClient($"mongodb://{secondary.Host}/?directConnection=true");
            await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(
                BsonDocument.Parse("{ configureFailPoint: 'stopReplProducer', mode: 'alwaysOn' }"));
        }
    }

    protected async Task ResumeAllAsync()
    {
        foreach (var member in Emulator.Members.Where(m => m.IsRunning))
        {
            using var direct = new MongoClient($"mongodb://{member.Host}/?directConnection=true");
            await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(
                BsonDocument.Parse("{ configureFailPoint: 'stopReplProducer', mode: 'off' }"));
        }
    }
}
