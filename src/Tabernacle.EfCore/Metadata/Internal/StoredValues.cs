using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tabernacle.EfCore.Metadata.Internal;

/// <summary>Which properties of embedded (owned) entity types are not stored but derived from their place in the document.</summary>
internal static class StoredValues
{
    /// <summary>
    /// The key EF Core synthesizes for items of an owned collection (shadow int beside the owner's key): it is the
    /// item's position in the array, not a stored element.
    /// </summary>
    public static bool IsOrdinalKey(IReadOnlyProperty property)
    {
        if (property.DeclaringType is not IReadOnlyEntityType entityType
            || entityType.FindOwnership() is not { IsUnique: false } ownership
            || !property.IsShadowProperty()
            || property.ClrType != typeof(int)
            || property.IsForeignKey())
        {
            return false;
        }

        var key = entityType.FindPrimaryKey();
        return key is not null && key.Properties.Contains(property) && key.Properties.Count == ownership.Properties.Count + 1;
    }

    /// <summary>The foreign key of an owned entity to its owner: it repeats the owner's key, which the document's nesting already
    /// says.</summary>
    public static bool IsOwnerKey(IReadOnlyProperty property) =>
        property.DeclaringType is IReadOnlyEntityType entityType
        && entityType.FindOwnership() is { } ownership
        && ownership.Properties.Contains(property);
}
