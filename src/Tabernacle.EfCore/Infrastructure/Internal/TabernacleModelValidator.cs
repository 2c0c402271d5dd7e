using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;

namespace Tabernacle.EfCore.Infrastructure.Internal;

/// <summary>
/// Checks the model for what documents cannot hold, with messages that say what to change. Entity types without a key
/// are keyless ones (EF's own validation refuses the others): read-only, like views, so they may share a collection.
/// </summary>
internal sealed class TabernacleModelValidator(ModelValidatorDependencies dependencies) : ModelValidator(dependencies)
{
    public override void Validate(IModel model, IDiagnosticsLogger<DbLoggerCategory.Model.Validation> logger)
    {
        base.Validate(model, logger);
        foreach (var owned in model.GetEntityTypes().Where(OwnedByConvention.LooksUnintended))
        {
            WarnOwnedByConvention(logger, OwnedByConvention.Explain(owned));
        }

        if (model.GetEntityTypes().FirstOrDefault(e => e.IsView() && e.FindPrimaryKey() is not null && e.FindOwnership() is null)
            is { } keyed)
        {
            throw new InvalidOperationException(
                $"The entity type '{keyed.DisplayName()}' is mapped to the view '{keyed.GetCollectionName()}', which MongoDB cannot "
                + "write to. Make it keyless with HasNoKey() or [Keyless].");
        }

        var collections = model.GetEntityTypes()
            // Keyless types may read any collection, including one that an entity type owns.
            .Where(e => e.FindOwnership() is null && e.BaseType is null && e.FindPrimaryKey() is not null)
            .GroupBy(e => e.GetCollectionName(), StringComparer.Ordinal)
            .FirstOrDefault(g => g.Count() > 1);
        if (collections is not null)
        {
            throw new InvalidOperationException(
                $"The entity types {string.Join(", ", collections.Select(e => $"'{e.DisplayName()}'"))} are all mapped to the collection '{collections.Key}'. Give each its own collection with ToCollection(...), or map them as one inheritance hierarchy.");
        }
    }

    // Through both sinks EF offers: the logger factory's ILogger and the context's own logger (LogTo).
    private static void WarnOwnedByConvention(IDiagnosticsLogger<DbLoggerCategory.Model.Validation> logger, string message)
    {
        var id = Diagnostics.TabernacleEventId.OwnedByConventionWarning;
        if (logger.Logger.IsEnabled(LogLevel.Warning))
        {
            logger.Logger.Log(LogLevel.Warning, id, "{Message}", message);
        }

        if (logger.DbContextLogger.ShouldLog(id, LogLevel.Warning))
        {
            var definition = new EventDefinition(
                logger.Options, id, LogLevel.Warning, id.Name!, l => LoggerMessage.Define(l, id, "Owned by convention"));
            logger.DbContextLogger.Log(new EventData(definition, (_, _) => message));
        }
    }
}
