using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.ChangeFeeds.Internal;

namespace Tabernacle.EfCore;

/// <summary>Change feeds: the committed changes of an entity set, as they happen, through the model's mapping.</summary>
public static class TabernacleChangeFeedExtensions
{
    /// <summary>
    /// Watches the entities of <paramref name="source"/> (a <c>DbSet</c>, optionally filtered with <c>Where</c>) and
    /// returns their majority-committed changes in commit order. The filter is translated as a query's is and applied
    /// to each change's full document. A resumable error (a failover, a lost connection) resumes the feed from the last
    /// change it returned, so no change is missed or seen twice. Enumeration ends if the collection is dropped.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="source">A <c>DbSet</c> or a <c>Where</c> over one.</param>
    /// <param name="options">Full-document and pre-image modes, where to start, batching and read preference.</param>
    /// <param name="cancellationToken">Stops the feed.</param>
    /// <returns>The changes, as they are committed.</returns>
    public static IAsyncEnumerable<EntityChange<TEntity>> WatchAsync<TEntity>(
        this IQueryable<TEntity> source, ChangeFeedOptions? options = null, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Provider is not IAsyncQueryProvider provider)
        {
            throw new InvalidOperationException("WatchAsync needs a query of a DbContext configured with UseTabernacle.");
        }

        var feedOptions = options ?? new ChangeFeedOptions();
        if (feedOptions.MaxResumeAttempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxResumeAttempts must not be negative.");
        }

        // The query pipeline compiles the filter (EF's usual error if it cannot be translated) and gives the shaper
        // that materialises documents; no-tracking, because a feed's entities are snapshots, not units of work.
        var compiled = provider.ExecuteAsync<IAsyncEnumerable<TEntity>>(source.AsNoTracking().Expression, cancellationToken);
        if (compiled is not IChangeFeedSource<TEntity> feedSource)
        {
            throw new InvalidOperationException("WatchAsync needs a query of a DbContext configured with UseTabernacle.");
        }

        return new ChangeFeed<TEntity>(feedSource, feedOptions).ReadAsync(cancellationToken);
    }
}
