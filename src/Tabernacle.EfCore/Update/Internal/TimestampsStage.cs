using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;
using Tabernacle.EfCore.Metadata.Conventions;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Sets <c>[AutoNowAdd]</c> properties of inserted entities (unless the application assigned one) and <c>[AutoNow]</c>
/// properties of inserted and updated ones, including the owners of changed owned entities, to one current time per save.
/// </summary>
internal sealed class TimestampsStage(ICurrentDbContext currentContext) : ISaveStage
{
    public ValueTask BeforeSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        // Most models have no timestamp property: then the save's entries need not even be ordered.
        if (!entries.Any(e => AutoTimestamps.TimestampProperties(e.EntityType).Count > 0 || e.EntityType.FindOwnership() is not null))
        {
            return ValueTask.CompletedTask;
        }

        DateTimeOffset? now = null;
        foreach (var (entry, state) in SaveStageEntries.Ordered(entries))
        {
            if (state == EntityState.Deleted)
            {
                continue;
            }

            foreach (var property in AutoTimestamps.TimestampProperties(entry.EntityType))
            {
                var set = property.IsAutoNow()
                    || (state == EntityState.Added && property.IsAutoNowAdd()
                        && DefaultValues.IsClrDefault(entry.GetCurrentValue(property), property.ClrType));
                if (set)
                {
                    now ??= AutoTimestamps.UtcNow(currentContext.Context);
                    var wasUnchanged = entry.EntityState == EntityState.Unchanged;
                    SaveStageEntries.SetValue(entry, property, AutoTimestamps.ValueFor(property, now.Value));
                    if (wasUnchanged)
                    {
                        SaveStageEntries.Include(entries, entry);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AfterSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
