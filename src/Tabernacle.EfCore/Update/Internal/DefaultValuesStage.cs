using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using Tabernacle.EfCore.Metadata.Conventions;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Writes <c>[Default(value)]</c>/<c>HasDefault(value)</c> into the properties of inserted entities (and owned entities)
/// that still hold their CLR default. The first stage: timestamps, hooks and validation see the defaults.
/// </summary>
internal sealed class DefaultValuesStage : ISaveStage
{
    private const string PropertiesAnnotation = "Tabernacle:DefaultValueProperties";

    public ValueTask BeforeSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            if (entry.EntityState != EntityState.Added)
            {
                continue;
            }

            foreach (var (property, value) in PropertiesWithDefaults(entry.EntityType))
            {
                if (DefaultValues.IsClrDefault(entry.GetCurrentValue(property), property.ClrType))
                {
                    SaveStageEntries.SetValue(entry, property, value);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AfterSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    private static (IProperty Property, object Value)[] PropertiesWithDefaults(IEntityType entityType) =>
        entityType.GetOrAddRuntimeAnnotationValue(
            PropertiesAnnotation,
            static type => type!.GetProperties()
                .Where(p => !p.IsKey() && p.GetDefault() is not null)
                .Select(p => (p, p.GetDefault()!))
                .ToArray(),
            entityType);
}
