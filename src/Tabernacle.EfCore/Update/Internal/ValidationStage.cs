using System.ComponentModel;
using System.Reflection;
using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using Tabernacle.EfCore.Infrastructure.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// DataAnnotations validation of the added and modified entities and owned entities, the last stage before the writes
/// (so it checks exactly what will be written, defaults, timestamps and hook changes included). Every failure of every
/// entity is collected; any failure aborts the save with a <see cref="TabernacleValidationException"/>.
/// </summary>
internal sealed class ValidationStage(IDbContextOptions options) : ISaveStage
{
    private readonly bool _enabled = options.FindExtension<TabernacleOptionsExtension>()?.ValidateOnSave ?? true;
    private readonly IServiceProvider? _applicationServices = options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;

    public ValueTask BeforeSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        if (!_enabled || !AnyToValidate(entries))
        {
            return ValueTask.CompletedTask;
        }

        List<TabernacleValidationFailure>? failures = null;
        var results = new List<ValidationResult>();
        foreach (var (entry, state) in SaveStageEntries.Ordered(entries))
        {
            if (state is not (EntityState.Added or EntityState.Modified) || entry.EntityState == EntityState.Unchanged)
            {
                continue;
            }

            var entity = SaveStageEntries.EntityOf(entry);
            if (!NeedsValidation(entry.EntityType))
            {
                continue;
            }

            results.Clear();
            if (Validator.TryValidateObject(entity, new ValidationContext(entity, _applicationServices, items: null), results,
                validateAllProperties: true))
            {
                continue;
            }

            var key = KeyOf(entry);
            foreach (var result in results)
            {
                (failures ??= []).Add(
                    new TabernacleValidationFailure(entity, entry.EntityType.DisplayName(), key, result.MemberNames.ToArray(),
                        result.ErrorMessage ?? ""));
            }
        }

        return failures is null ? ValueTask.CompletedTask : throw new TabernacleValidationException(failures);
    }

    public ValueTask AfterSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    // Only added and modified entries are validated (an unchanged owner the ordering adds is skipped below), so a save
    // whose types have nothing to validate need not order its entries at all.
    private static bool AnyToValidate(IList<IUpdateEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.EntityState is EntityState.Added or EntityState.Modified && NeedsValidation(entry.EntityType))
            {
                return true;
            }
        }

        return false;
    }

    // Whether DataAnnotations validation can fail for a type at all: it has a validation attribute on the class or a
    // property, implements IValidatableObject, or names a metadata ("buddy") class. Worked out once per entity type and
    // kept in the model's runtime annotations (no static cache holds a model or a type alive), so a type with nothing to
    // validate skips Validator.TryValidateObject, which reflects over every property of every entity saved (about 2 KB
    // and a few microseconds per entity).
    private const string NeedsValidationAnnotation = "Tabernacle:NeedsValidation";

    private static bool NeedsValidation(IEntityType entityType) => entityType.GetOrAddRuntimeAnnotationValue(
        NeedsValidationAnnotation, static type => NeedsValidation(type!.ClrType), entityType);

    private static bool NeedsValidation(Type t) =>
        typeof(IValidatableObject).IsAssignableFrom(t)
        || Attribute.IsDefined(t, typeof(ValidationAttribute), inherit: true)
        || Attribute.IsDefined(t, typeof(MetadataTypeAttribute), inherit: true)
        || TypeDescriptor.GetAttributes(t).OfType<ValidationAttribute>().Any()
        || t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p =>
            Attribute.IsDefined(p, typeof(ValidationAttribute), inherit: true))
        || TypeDescriptor.GetProperties(t).Cast<PropertyDescriptor>().Any(p => p.Attributes.OfType<ValidationAttribute>().Any());

    private static Dictionary<string, object?> KeyOf(IUpdateEntry entry)
    {
        var key = new Dictionary<string, object?>();
        foreach (var property in entry.EntityType.FindPrimaryKey()?.Properties ?? [])
        {
            key[property.Name] = entry.GetCurrentValue(property);
        }

        return key;
    }
}
