using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore;

namespace LibraryManagement.LiveUpdates;

/// <summary>One line of the dashboard's live activity: what happened to which book, and when it was committed.</summary>
public sealed record ActivityEvent(string Kind, string BookId, string? Title, DateTime? At);

/// <summary>
/// The dashboard's live activity as server-sent events: borrows and returns (loan changes) and new books, from change
/// feeds started a moment before the request (so an action made while the page connects is not lost). No user ids are
/// sent: the dashboard is public.
/// </summary>
public static class ActivityStream
{
    public static void MapActivityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/activity/stream", StreamAsync)
            .WithTags("Activity")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        app.MapGet("/api/notifications", async (LibraryContext db, HttpContext http) =>
        {
            var userId = http.User.Id();
            return await db.Notifications.WithReadPreference(MongoDB.Driver.ReadPreference.Primary)
                .Where(n => n.UserId == userId).OrderByDescending(n => n.CreatedAt).Take(50)
                .Select(n => new { Id = n.Id.ToString(), BookId = n.BookId.ToString(), n.Message, n.CreatedAt })
                .ToListAsync();
        }).WithTags("Notifications").RequireAuthorization();
    }

    private static async Task StreamAsync(HttpContext http, IServiceScopeFactory scopes)
    {
        var aborted = http.RequestAborted;
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var since = new BsonTimestamp((int)DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeSeconds(), 0);
        var events = Channel.CreateBounded<ActivityEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var loans = PumpAsync<Loan>(scopes, db => db.Loans, since, events.Writer, LoanActivityAsync, stop.Token);
        var books = PumpAsync<Book>(scopes, db => db.Books, since, events.Writer, BookActivity, stop.Token);

        await http.Response.WriteAsync(": connected\n\n", aborted);
        await http.Response.Body.FlushAsync(aborted);
        try
        {
            await foreach (var activity in events.Reader.ReadAllAsync(aborted))
            {
                var data = JsonSerializer.Serialize(activity, JsonSerializerOptions.Web);
                await http.Response.WriteAsync($"event: activity\ndata: {data}\n\n", aborted);
                await http.Response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The browser went away.
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loans, books).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task PumpAsync<T>(
        IServiceScopeFactory scopes, Func<LibraryContext, IQueryable<T>> source, BsonTimestamp since, ChannelWriter<ActivityEvent> writer,
        Func<EntityChange<T>, LibraryContext, CancellationToken, Task<ActivityEvent?>> describe, CancellationToken cancellationToken)
        where T : class
    {
        await using var feedScope = scopes.CreateAsyncScope();
        await using var lookupScope = scopes.CreateAsyncScope();
        var feedContext = feedScope.ServiceProvider.GetRequiredService<LibraryContext>();
        var lookups = lookupScope.ServiceProvider.GetRequiredService<LibraryContext>();
        var options = new ChangeFeedOptions { StartAtOperationTime = since, MaxAwaitTime = TimeSpan.FromSeconds(1) };
        await foreach (var change in source(feedContext).WatchAsync(options, cancellationToken))
        {
            if (await describe(change, lookups, cancellationToken) is { } activity)
            {
                await writer.WriteAsync(activity, cancellationToken);
            }
        }
    }

    private static async Task<ActivityEvent?> LoanActivityAsync(
        EntityChange<Loan> change, LibraryContext lookups, CancellationToken cancellationToken)
    {
        var kind = change.Operation switch
        {
            EntityChangeOperation.Insert => "borrow",
            EntityChangeOperation.Update when change.ChangedProperties.Contains(nameof(Loan.ReturnedAt)) => "return",
            _ => null,
        };
        if (kind is null || change.Entity is not { } loan)
        {
            return null;
        }

        var title = await lookups.Books.Where(b => b.Id == loan.BookId).Select(b => b.Title).FirstOrDefaultAsync(cancellationToken);
        return new ActivityEvent(kind, loan.BookId.ToString(), title, change.WallTime);
    }

    private static Task<ActivityEvent?> BookActivity(
        EntityChange<Book> change, LibraryContext lookups, CancellationToken cancellationToken) =>
        Task.FromResult(change is { Operation: EntityChangeOperation.Insert, Entity: { } book }
            ? new ActivityEvent("new-book", book.Id.ToString(), book.Title, change.WallTime)
            : null);
}
