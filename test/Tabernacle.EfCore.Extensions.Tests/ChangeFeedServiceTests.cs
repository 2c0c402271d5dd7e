using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>What a test's feed service handled, and where its first run starts.</summary>
public sealed class HandledNotes
{
    public Channel<string> Texts { get; } = Channel.CreateUnbounded<string>();

    public BsonDocument? StartToken { get; set; }
}

public sealed class NoteFeedService(
    IServiceScopeFactory scopes, ILogger<NoteFeedService> logger, ChangeFeedStatusRegistry registry, HandledNotes handled)
    : ChangeFeedService<NotesContext, Note>(scopes, logger, registry)
{
    protected override ChangeFeedOptions CreateOptions() =>
        new() { MaxAwaitTime = TimeSpan.FromMilliseconds(200), ResumeAfter = handled.StartToken };

    protected override async Task HandleAsync(EntityChange<Note> change, NotesContext context, CancellationToken cancellationToken) =>
        await handled.Texts.Writer.WriteAsync(change.Entity?.Text ?? "(deleted)", cancellationToken);
}

/// <summary>
/// <see cref="ChangeFeedService{TContext, TEntity}"/>: handles changes while the host runs, stores its token through
/// the provider so a restarted host goes on where it stopped (nothing twice, nothing missed), stops with the host, and
/// the change-feed health check reports a stopped feed.
/// </summary>
public sealed class ChangeFeedServiceTests : SharedBackendTests
{
    private IHost BuildHost(string connectionString, HandledNotes handled)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTabernacle<NotesContext>(connectionString);
        builder.Services.AddSingleton(handled);
        builder.Services.AddChangeFeedService<NoteFeedService>();
        builder.Services.AddHealthChecks().AddTabernacleChangeFeeds(maxLag: TimeSpan.FromMinutes(1));
        return builder.Build();
    }

    private static async Task<List<string>> ReadAsync(HandledNotes handled, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var texts = new List<string>();
        while (texts.Count < count)
        {
            texts.Add(await handled.Texts.Reader.ReadAsync(timeout.Token));
        }

        return texts;
    }

    private static async Task AddNotesAsync(IHost host, params string[] texts)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        db.Notes.AddRange(texts.Select(t => new Note { Text = t }));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_restarted_service_goes_on_from_its_stored_token_and_the_health_check_reports_a_stopped_feed()
    {
        var connectionString = ConnectionString("feeds");
        var first = new HandledNotes();
        using (var host = BuildHost(connectionString, first))
        {
            var database = Backend.CreateClient().GetDatabase(MongoUrl.Create(connectionString).DatabaseName);
            var collection = database.GetCollection<BsonDocument>("Notes");
            using (var cursor = await collection.WatchAsync())
            {
                first.StartToken = cursor.GetResumeToken();
            }

            await host.StartAsync();
            await AddNotesAsync(host, "a", "b");
            Assert.Equal(["a", "b"], await ReadAsync(first, 2));
            var running = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, running.Status);

            await host.StopAsync();
            var registry = host.Services.GetRequiredService<ChangeFeedStatusRegistry>();
            Assert.Equal(ChangeFeedState.Stopped, registry.Feeds.Single().State);
            Assert.Equal(2, registry.Feeds.Single().HandledChanges);
            var stopped = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Unhealthy, stopped.Status);

            // A change made while no service runs.
            await AddNotesAsync(host, "c");
        }

        var second = new HandledNotes();
        using (var host = BuildHost(connectionString, second))
        {
            await host.StartAsync();
            await AddNotesAsync(host, "d");
            Assert.Equal(["c", "d"], await ReadAsync(second, 2));
            await host.StopAsync();
        }

        Assert.False(second.Texts.Reader.TryRead(out var extra), $"Handled twice: {extra}");
    }
}
