using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// The time saves and updates stamp: the application's <see cref="TimeProvider"/> (from its service provider) or the
/// system clock, in UTC, truncated to milliseconds so that what is read back (BSON dates hold milliseconds) equals
/// what was saved. Shared by SaveChanges' timestamp stage and ExecuteUpdate.
/// </summary>
internal static class UpdateClock
{
    /// <summary>The annotation that marks a property as <c>[AutoNow]</c> (stamped on every insert and update).</summary>
    public const string AutoNowAnnotation = TabernacleAnnotationNames.Prefix + "AutoNow";

    /// <summary>The annotation that marks a property as <c>[AutoNowAdd]</c> (stamped once, on insert).</summary>
    public const string AutoNowAddAnnotation = TabernacleAnnotationNames.Prefix + "AutoNowAdd";

    public static DateTime Now(DbContext context)
    {
        var provider = context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService(typeof(TimeProvider)) as TimeProvider
            ?? TimeProvider.System;
        var now = provider.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    /// <summary>The <c>[AutoNow]</c> properties of an entity type (stored at the root of its document).</summary>
    public static IEnumerable<IProperty> AutoNowProperties(IEntityType entityType) =>
        entityType.GetProperties().Where(p => p.FindAnnotation(AutoNowAnnotation)?.Value is true);
}
