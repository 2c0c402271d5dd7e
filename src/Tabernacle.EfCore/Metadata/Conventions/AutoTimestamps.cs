using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// The timestamp conventions for every writer: SaveChanges uses them through its timestamps stage, and
/// <c>ExecuteUpdate</c> adds the <c>[AutoNow]</c> properties to its <c>$set</c>.
/// </summary>
internal static class AutoTimestamps
{
    private const string PropertiesAnnotation = "Tabernacle:TimestampProperties";

    /// <summary>The properties of <paramref name="entityType"/> (declared and inherited) that are <c>[AutoNowAdd]</c> or
    /// <c>[AutoNow]</c>.</summary>
    public static IReadOnlyList<IProperty> TimestampProperties(IEntityType entityType) =>
        entityType.GetOrAddRuntimeAnnotationValue(
            PropertiesAnnotation,
            static type => type!.GetProperties().Where(p => p.IsAutoNow() || p.IsAutoNowAdd()).ToArray(),
            entityType);

    /// <summary>The properties of <paramref name="entityType"/> set on every update (<c>[AutoNow]</c>).</summary>
    public static IEnumerable<IProperty> AutoNowProperties(IEntityType entityType) =>
        TimestampProperties(entityType).Where(p => p.IsAutoNow());

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

    /// <summary>The value to store in <paramref name="property"/>: a UTC <see cref="DateTime"/> or a <see cref="DateTimeOffset"/> at offset
    /// zero.</summary>
    public static object ValueFor(IReadOnlyProperty property, DateTimeOffset utcNow) =>
        (Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType) == typeof(DateTimeOffset) ? (object)utcNow : utcNow.UtcDateTime;
}
