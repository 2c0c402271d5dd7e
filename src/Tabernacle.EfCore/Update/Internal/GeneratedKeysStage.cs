using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using Tabernacle.EfCore.Metadata.Conventions;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Gives inserted entities their store-generated integer keys (an <c>int</c>/<c>long</c> key that EF expects the
/// database to generate, such as Identity's claim ids). MongoDB has no auto-increment, so each collection has a counter
/// document that one findAndModify per collection and save advances by the number of new documents. Until the save,
/// such keys hold EF's temporary values, which is why <c>Add</c> stays synchronous and free of I/O; replacing them here
/// lets EF fix up the foreign keys of dependents before anything is written.
/// </summary>
internal sealed class GeneratedKeysStage(TabernacleClientWrapper client) : ISaveStage
{
    public async ValueTask BeforeSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        // Most saves have no generated integer key: then no grouping is built at all.
        if (!Pending(entries).Any())
        {
            return;
        }

        foreach (var group in Pending(entries).GroupBy(p => p.Counter, StringComparer.Ordinal))
        {
            var waiting = group.ToList();
            var last = async
                ? await client.ReserveKeysAsync(group.Key, waiting.Count, cancellationToken).ConfigureAwait(false)
                : client.ReserveKeys(group.Key, waiting.Count);
            var next = last - waiting.Count + 1;
            foreach (var (entry, property, _) in waiting)
            {
                entry.SetStoreGeneratedValue(property, Convert.ChangeType(next++, property.ClrType, null));
            }
        }
    }

    public ValueTask AfterSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    private static IEnumerable<(IUpdateEntry Entry, IProperty Property, string Counter)> Pending(IList<IUpdateEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.EntityState == EntityState.Added
                && GeneratedIntegerKeys.Of(entry.EntityType) is { } property
                && entry.HasTemporaryValue(property))
            {
                yield return (entry, property, entry.EntityType.GetCollectionName());
            }
        }
    }
}
