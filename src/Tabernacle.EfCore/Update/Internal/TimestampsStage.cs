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
                    || (state == EntityState.Added && property.IsAutoNowAdd() && DefaultValues.IsClrDefault(entry.GetCurrentValue(property), property.ClrType));
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

    public ValueTask AfterSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// The timestamp conventions for every writer: SaveChanges uses them through <see cref="TimestampsStage"/>;
/// <c>ExecuteUpdate</c> adds <see cref="AutoNowSet"/> to its <c>$set</c>.
/// </summary>
internal static class AutoTimestamps
{
    private const string PropertiesAnnotation = "Tabernacle:TimestampProperties";

    /// <summary>The properties of <paramref name="entityType"/> (declared and inherited) that are <c>[AutoNowAdd]</c> or <c>[AutoNow]</c>.</summary>
    public static IReadOnlyList<IProperty> TimestampProperties(IEntityType entityType) =>
        entityType.GetOrAddRuntimeAnnotationValue(
            PropertiesAnnotation,
            static type => type!.GetProperties().Where(p => p.IsAutoNow() || p.IsAutoNowAdd()).ToArray(),
            entityType);

    /// <summary>The properties of <paramref name="entityType"/> set on every update (<c>[AutoNow]</c>).</summary>
    public static IEnumerable<IProperty> AutoNowProperties(IEntityType entityType) => TimestampProperties(entityType).Where(p => p.IsAutoNow());

    /// <summary>
    /// The clock: the <see cref="TimeProvider"/> registered in the application's services (the context's application
    /// service provider), else <see cref="TimeProvider.System"/>.
    /// </summary>
    public static TimeProvider Clock(DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.GetService<IDbContextOptions>();
        return options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<TimeProvider>() ?? TimeProvider.System;
    }

    /// <summary>The clock's UTC time truncated to milliseconds (BSON's precision, so what is read back equals what was saved).</summary>
    public static DateTimeOffset UtcNow(DbContext context) => Truncate(Clock(context).GetUtcNow());

    /// <summary><paramref name="time"/> in UTC, truncated to milliseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var utc = time.UtcTicks;
        return new DateTimeOffset(utc - (utc % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>The value to store in <paramref name="property"/>: a UTC <see cref="DateTime"/> or a <see cref="DateTimeOffset"/> at offset zero.</summary>
    public static object ValueFor(IReadOnlyProperty property, DateTimeOffset utcNow) =>
        (Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType) == typeof(DateTimeOffset) ? (object)utcNow : utcNow.UtcDateTime;

    /// <summary>
    /// The <c>$set</c> elements an <c>ExecuteUpdate</c> of <paramref name="entityType"/> adds: every <c>[AutoNow]</c>
    /// property at the context's current time, as BSON through the property's mapping. Properties in
    /// <paramref name="setExplicitly"/> (those the update sets itself) are left out. Empty when there are none.
    /// </summary>
    public static BsonDocument AutoNowSet(IEntityType entityType, DbContext context, IReadOnlySet<IProperty>? setExplicitly = null)
    {
        var set = new BsonDocument();
        DateTimeOffset? now = null;
        foreach (var property in AutoNowProperties(entityType))
        {
            if (setExplicitly?.Contains(property) == true)
            {
                continue;
            }

            now ??= UtcNow(context);
            set[property.GetElementName()] = PropertyBson.ToBson(property, ValueFor(property, now.Value));
        }

        return set;
    }
}
