using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using static Tabernacle.EfCore.Tests.ChangeFeeds.FeedTestSupport;

namespace Tabernacle.EfCore.Tests.ChangeFeeds;

/// <summary>
/// <c>db.Books.WatchAsync()</c>: typed changes materialised through the model's mapping, filters translated as
/// queries are, resume tokens, pre-images, read preference, and the log line of the feed.
/// </summary>
public sealed class ChangeFeedTests : ProviderTestBase<ChangeFeedContext>
{
    private static readonly ChangeFeedOptions Fast = new() { MaxAwaitTime = TimeSpan.FromMilliseconds(300) };

    private IMongoCollection<BsonDocument> Raw => RawCollection("books");

    private static FeedBook Book(int id, string genre = "SF") => new()
    {
        Id = id,
        Title = $"Book {id}",
        Genre = genre,
        Year = 1960 + id,
        Shelf = Shelf.Reference,
        Publisher = new FeedPublisher { Name = "Ace", City = "New York" },
        Tags = ["a", "b", "c"],
    };

    private static ChangeFeedOptions From(BsonDocument token, Action<ChangeFeedOptions>? configure = null)
    {
        var options = new ChangeFeedOptions { MaxAwaitTime = Fast.MaxAwaitTime, ResumeAfter = token };
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Changes_are_materialised_through_the_mapping_with_keys_and_changed_properties_by_clr_name()
    {
        var start = await NowAsync(Raw);
        await using (var writer = CreateContext())
        {
            writer.Books.Add(Book(1));
            await writer.SaveChangesAsync();
            var book = await writer.Books.SingleAsync(b => b.Id == 1);
            book.Title = "Dune";
            book.Publisher.City = "Philadelphia";
            book.Tags.RemoveAt(2);
            await writer.SaveChangesAsync();
            var replacement = BsonDocument.Parse(
                "{ _id: 1, Title: 'Replaced', Genre: 'SF', yr: 2000, Shelf: 'Fiction', pub: { Name: 'Tor', City: 'NYC' }, Tags: [] }");
            await Raw.ReplaceOneAsync(new BsonDocument("_id", 1), replacement);
            writer.Books.Remove(await writer.Books.SingleAsync(b => b.Id == 1));
            await writer.SaveChangesAsync();
        }

        await using var db = CreateContext();
        var changes = await TakeAsync(db.Books.WatchAsync(From(start)), 4);

        Assert.Equal(
            [EntityChangeOperation.Insert, EntityChangeOperation.Update, EntityChangeOperation.Replace, EntityChangeOperation.Delete],
            changes.Select(c => c.Operation));
        Assert.All(changes, c => Assert.Equal(1, c.Key));
        var inserted = changes[0].Entity!;
        Assert.Equal((1961, Shelf.Reference, "New York"), (inserted.Year, inserted.Shelf, inserted.Publisher.City));
        Assert.Equal(["Publisher.City", "Tags", "Title"], changes[1].ChangedProperties.Order());
        Assert.Equal((2000, Shelf.Fiction, "Tor"), (changes[2].Entity!.Year, changes[2].Entity!.Shelf, changes[2].Entity!.Publisher.Name));
        Assert.Null(changes[3].Entity);
        Assert.Equal(changes.Select(c => c.ClusterTime.Value).Order(), changes.Select(c => c.ClusterTime.Value));
        Assert.Empty(db.ChangeTracker.Entries());
    }

    [Fact]
    public async Task A_where_filter_is_translated_onto_the_full_document_with_its_parameters()
    {
        var start = await NowAsync(Raw);
        await using (var writer = CreateContext())
        {
            writer.Books.AddRange(Book(1, "SF"), Book(2, "Crime"), Book(3, "SF"));
            await writer.SaveChangesAsync();
            (await writer.Books.SingleAsync(b => b.Id == 2)).Genre = "SF";
            await writer.SaveChangesAsync();
        }

        await using var db = CreateContext();
        var genre = "SF";
        var minimumYear = 1962;
        var changes = await TakeAsync(db.Books.Where(b => b.Genre == genre && b.Year >= minimumYear).WatchAsync(From(start)), 2);
        Assert.Equal(
            [(EntityChangeOperation.Insert, 3), (EntityChangeOperation.Update, 2)], changes.Select(c => (c.Operation, (int)c.Key!)));

        var untranslatable = Assert.Throws<InvalidOperationException>(() => db.Books.Where(b => Rot13(b.Title) == "x").WatchAsync(Fast));
        Assert.Contains("could not be translated", untranslatable.Message, StringComparison.Ordinal);
        var ordered = db.Books.OrderBy(b => b.Title).WatchAsync(Fast);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await ordered.GetAsyncEnumerator().MoveNextAsync());
    }

    private static string Rot13(string text) => new(text.Select(c => (char)(c + 13)).ToArray());

    [Fact]
    public async Task A_feed_resumes_after_a_stored_token_and_reads_from_a_secondary()
    {
        var start = await NowAsync(Raw);
        await using var db = CreateContext();
        await using (var writer = CreateContext())
        {
            writer.Books.AddRange(Book(1), Book(2), Book(3));
            await writer.SaveChangesAsync();
        }

        // Traced like a query: an activity per opening, with the collection, the operation and the read preference.
        var traced = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Tabernacle.EfCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = traced.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var first = await TakeAsync(db.Books.WatchAsync(From(start)), 1);
        var rest = await TakeAsync(db.Books.WatchAsync(From(first[0].ResumeToken, o => o.ReadPreference = ReadPreference.Secondary)), 2);
        Assert.Equal([2, 3], rest.Select(c => (int)c.Key!));
        Assert.Contains(Logs.Entries, e => e.Message.Contains("db.books.watch(", StringComparison.Ordinal));
        Assert.Contains(traced, a => a.DisplayName == "watch books" && (string?)a.GetTagItem("db.namespace") == DatabaseName
            && (string?)a.GetTagItem("tabernacle.read_preference") == "Secondary");
    }

    [Fact]
    public async Task Pre_images_give_the_entity_before_the_change_and_let_a_filtered_feed_see_deletes()
    {
        await Backend.CreateClient().GetDatabase(DatabaseName).RunCommandAsync<BsonDocument>(
            new BsonDocument { { "collMod", "books" }, { "changeStreamPreAndPostImages", new BsonDocument("enabled", true) } });
        var start = await NowAsync(Raw);
        await using (var writer = CreateContext())
        {
            writer.Books.AddRange(Book(1, "SF"), Book(2, "Crime"));
            await writer.SaveChangesAsync();
            (await writer.Books.SingleAsync(b => b.Id == 1)).Title = "Solaris";
            await writer.SaveChangesAsync();
            writer.Books.RemoveRange(await writer.Books.ToListAsync());
            await writer.SaveChangesAsync();
        }

        await using var db = CreateContext();
        var changes = await TakeAsync(
            db.Books.Where(b => b.Genre == "SF").WatchAsync(From(start, o =>
            {
                o.PreImage = ChangeFeedPreImage.Required;
                o.FullDocument = ChangeFeedFullDocument.Required;
            })),
            3);
        Assert.Equal(
            [EntityChangeOperation.Insert, EntityChangeOperation.Update, EntityChangeOperation.Delete], changes.Select(c => c.Operation));
        Assert.Equal(("Book 1", "Solaris"), (changes[1].EntityBeforeChange!.Title, changes[1].Entity!.Title));
        Assert.Equal("Solaris", changes[2].EntityBeforeChange!.Title);
        Assert.All(changes, c => Assert.Equal(1, c.Key));
    }
}
