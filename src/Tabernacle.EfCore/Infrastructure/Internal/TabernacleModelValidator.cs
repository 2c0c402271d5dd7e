using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tabernacle.EfCore.Infrastructure.Internal;

/// <summary>Checks the model for what documents cannot hold, with messages that say what to change.</summary>
internal sealed class TabernacleModelValidator(ModelValidatorDependencies dependencies) : ModelValidator(dependencies)
{
    public override void Validate(IModel model, IDiagnosticsLogger<DbLoggerCategory.Model.Validation> logger)
    {
        base.Validate(model, logger);
        foreach (var entityType in model.GetEntityTypes().Where(e => e.FindOwnership() is null))
        {
            if (entityType.FindPrimaryKey() is null)
            {
                throw new InvalidOperationException(
                    $"The entity type '{entityType.DisplayName()}' has no key. Every MongoDB document needs an _id: add a property named Id or {entityType.ClrType.Name}Id, or mark one with [Key].");
            }
        }

        var collections = model.GetEntityTypes()
            .Where(e => e.FindOwnership() is null && e.BaseType is null)
            .GroupBy(e => e.GetCollectionName(), StringComparer.Ordinal)
            .FirstOrDefault(g => g.Count() > 1);
        if (collections is not null)
        {
            throw new InvalidOperationException(
                $"The entity types {string.Join(", ", collections.Select(e => $"'{e.DisplayName()}'"))} are all mapped to the collection '{collections.Key}'. Give each its own collection with ToCollection(...), or map them as one inheritance hierarchy.");
        }
    }
}
