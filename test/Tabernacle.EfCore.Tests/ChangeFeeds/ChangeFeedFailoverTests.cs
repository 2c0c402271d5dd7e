using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.MongoEmulator;
using Xunit.Abstractions;
using static Tabernacle.EfCore.Tests.ChangeFeeds.FeedTestSupport;

namespace Tabernacle.EfCore.Tests.ChangeFeeds;

/// <summary>
/// A feed consumer runs while the set fails over again and again (step-downs, and a stopped and restarted primary):
/// it sees every committed change exactly once, in commit order.
/// </summary>
public sealed class ChangeFeedFailoverTests(DedicatedReplicaSet replicaSet, ITestOutputHelper output) : IClassFixture<DedicatedReplicaSet>
{
    private readonly string _database = Backend.UniqueDatabaseName("feeds");

    private MongoReplicaSetEmulator Emulator => replicaSet.Emulator;

    private ChangeFeedContext CreateContext() => new(new DbContextOptionsBuilder<ChangeFeedContext>()
        .UseTabernacle(replicaSet.ConnectionString, _database, o => o
            .EnableRetryOnFailure(maxRetryCount: 10, maxRetryDelay: TimeSpan.FromMilliseconds(300))
            .ConfigureClientSettings(s =>
            {
                s.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
                s.ServerSelectionTimeout = TimeSpan.FromSeconds(20);
            }))
        .Options);

    [Fact]
    public async Task A_consumer_sees_every_committed_change_exactly_once_in_order_through_repeated_failovers()
    {
        const int changes = 120;
        await Emulator.WaitForPrimaryAsync();
        await using (var setup = CreateContext())
        {
            await setup.Database.EnsureCreatedAsync();
        }

        var client = new MongoClient(replicaSet.ConnectionString);
        var start = await NowAsync(client.GetDatabase(_database).GetCollection<BsonDocument>("books"));

        await using var consumerContext = CreateContext();
        var consumer = TakeAsync(
            consumerContext.Books.WatchAsync(new ChangeFeedOptions { ResumeAfter = start, MaxAwaitTime = TimeSpan.FromMilliseconds(200) }),
            changes,
            TimeSpan.FromSeconds(150));

        var failovers = 0;
        await using (var writer = CreateContext())
        {
            for (var i = 0; i < changes; i++)
            {
                writer.Books.Add(new FeedBook { Id = i, Title = $"Book {i}" });
                await writer.SaveChangesAsync();
                if (i % 20 == 19 && i < changes - 1)
                {
                    failovers++;
                    if (failovers == 3)
                    {
                        // A crash of the primary the feed reads from, and its return as a secondary.
                        var primary = await Emulator.WaitForPrimaryAsync();
                        await primary.StopAsync();
                        await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(30));
                        await primary.StartAsync();
                    }
                    else
                    {
                        await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));
                        await Emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(30));
                    }

                    output.WriteLine($"failover {failovers} after change {i}");
                }
            }
        }

        var seen = await consumer;
        Assert.Equal(5, failovers);
        Assert.Equal(Enumerable.Range(0, changes), seen.Select(c => (int)c.Key!));
        Assert.All(seen, c => Assert.Equal(EntityChangeOperation.Insert, c.Operation));
        Assert.Equal(seen.Select(c => c.ClusterTime.Value).Order(), seen.Select(c => c.ClusterTime.Value));
        Assert.Equal(changes, seen.Select(c => c.ResumeToken.ToJson()).Distinct().Count());
    }
}
