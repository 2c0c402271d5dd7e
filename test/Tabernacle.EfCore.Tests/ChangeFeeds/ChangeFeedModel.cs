using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Tests.ChangeFeeds;

public enum Shelf
{
    Fiction,
    Reference,
}

public class FeedBook
{
    public int Id { get; set; }

    public string Title { get; set; } = "";

    public string Genre { get; set; } = "";

    public int Year { get; set; }

    public Shelf Shelf { get; set; }

    public FeedPublisher Publisher { get; set; } = new();

    public List<string> Tags { get; set; } = [];
}

public class FeedPublisher
{
    public string Name { get; set; } = "";

    public string City { get; set; } = "";
}

/// <summary>A model with an element name, an owned type and a converter, so a feed's materialisation is seen to use the mapping.</summary>
public class ChangeFeedContext(DbContextOptions<ChangeFeedContext> options) : DbContext(options)
{
    public DbSet<FeedBook> Books => Set<FeedBook>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var book = modelBuilder.Entity<FeedBook>();
        book.ToCollection("books");
        book.Property(b => b.Id).ValueGeneratedNever();
        book.Property(b => b.Year).HasElementName("yr");
        book.Property(b => b.Shelf).HasConversion<string>();
        book.OwnsOne(b => b.Publisher, p => p.HasElementName("pub"));
    }
}

/// <summary>Helpers shared by the change-feed tests.</summary>
internal static class FeedTestSupport
{
    /// <summary>
    /// The resume token of "now" on <paramref name="collection"/> (the post-batch token of a stream just opened), so a
    /// feed started from it sees exactly the changes made after this call, however late its enumeration begins.
    /// </summary>
    public static async Task<BsonDocument> NowAsync(IMongoCollection<BsonDocument> collection)
    {
        using var cursor = await collection.WatchAsync();
        return cursor.GetResumeToken();
    }

    /// <summary>
    /// Takes <paramref name="count"/> changes from <paramref name="feed"/>, failing if they do not come within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<List<EntityChange<T>>> TakeAsync<T>(
        IAsyncEnumerable<EntityChange<T>> feed, int count, TimeSpan? timeout = null)
        where T : class
    {
        var changes = new List<EntityChange<T>>();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            await foreach (var change in feed.WithCancellation(cancellation.Token))
            {
                changes.Add(change);
                if (changes.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Assert.Fail($"Only {changes.Count} of {count} changes arrived within the timeout.");
        }

        Assert.Equal(count, changes.Count);
        return changes;
    }
}
