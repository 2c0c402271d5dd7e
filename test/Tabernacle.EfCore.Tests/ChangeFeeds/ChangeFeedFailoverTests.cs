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
/// it sees every committed change (inserts, updates, deletes) exactly once, in commit order. Reading from the primary,
/// every step-down interrupts the stream (the emulator ends a primary-only change stream with a resumable
/// InterruptedDueToReplStateChange, as mongod interrupts operations on step-down), so each failover is a resume; reading
/// from a secondary, the stream rides through step-downs and resumes when its member crashes.
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

    [Theory]
    [InlineData(ReadPreferenceMode.Primary)]
    [InlineData(ReadPreferenceMode.SecondaryPreferred)]
    public async Task A_consumer_sees_every_committed_change_exactly_once_in_order_through_repeated_failovers(ReadPreferenceMode mode)
    {
        const int rounds = 120;
        await Emulator.WaitForPrimaryAsync();
        await using (var setup = CreateContext())
        {
            await setup.Database.EnsureCreatedAsync();
        }

        var client = new MongoClient(replicaSet.ConnectionString);
        var start = await NowAsync(client.GetDatabase(_database).GetCollection<BsonDocument>("books"));

        // Inserts, updates and deletes, each recorded once its save is acknowledged: the order the feed must show.
        var committed = new List<(EntityChangeOperation Operation, int Key)>();
        var failovers = 0;
        await using var consumerContext = CreateContext();
        var feedOptions = new ChangeFeedOptions
        {
            ResumeAfter = start,
            MaxAwaitTime = TimeSpan.FromMilliseconds(200),
            ReadPreference = new ReadPreference(mode),
        };
        var expectedCount = rounds + (rounds / 3) + (rounds / 5);
        var consumer = TakeAsync(consumerContext.Books.WatchAsync(feedOptions), expectedCount, TimeSpan.FromSeconds(150));

        await using (var writer = CreateContext())
        {
            for (var i = 0; i < rounds; i++)
            {
                writer.Books.Add(new FeedBook { Id = i, Title = $"Book {i}" });
                await writer.SaveChangesAsync();
                committed.Add((EntityChangeOperation.Insert, i));
                if (i % 3 == 2)
                {
                    (await writer.Books.SingleAsync(b => b.Id == i - 1)).Title = $"Book {i - 1}, revised";
                    await writer.SaveChangesAsync();
                    committed.Add((EntityChangeOperation.Update, i - 1));
                }

                if (i % 5 == 4)
                {
                    writer.Books.Remove(await writer.Books.SingleAsync(b => b.Id == i - 2));
                    await writer.SaveChangesAsync();
                    committed.Add((EntityChangeOperation.Delete, i - 2));
                }

                if (i % 20 == 19 && i < rounds - 1)
                {
                    failovers++;
                    await FailOverAsync(crashPrimary: failovers == 3);
                    output.WriteLine($"failover {failovers} after round {i}");
                }
            }
        }

        var seen = await consumer;
        Assert.Equal(5, failovers);
        Assert.Equal(expectedCount, committed.Count);
        Assert.Equal(committed, seen.Select(c => (c.Operation, (int)c.Key!)));
        Assert.Equal(seen.Select(c => c.ClusterTime.Value).Order(), seen.Select(c => c.ClusterTime.Value));
        Assert.Equal(seen.Count, seen.Select(c => c.ResumeToken.ToJson()).Distinct().Count());
    }

    // A step-down, or a crash of the primary (the member the feed may read from) and its return as a secondary.
    private async Task FailOverAsync(bool crashPrimary)
    {
        if (crashPrimary)
        {
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
    }
}
