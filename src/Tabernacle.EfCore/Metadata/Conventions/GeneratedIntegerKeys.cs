using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// Which keys the provider generates from a counter: the single-property integer key of a document (not of an owned
/// type, which has no collection of its own), not a foreign key, that EF expects the store to generate on add.
/// </summary>
internal static class GeneratedIntegerKeys
{
    private static readonly HashSet<Type> Types = [typeof(int), typeof(long), typeof(short)];

    /// <summary>Whether a property of this CLR type may get a counter value (used by the value-generation convention).</summary>
    public static bool IsCandidateType(Type clrType) => Types.Contains(Nullable.GetUnderlyingType(clrType) ?? clrType);

    /// <summary>The key property whose values come from the collection's counter, if the entity type has one.</summary>
    public static IProperty? Of(IEntityType entityType) =>
        entityType.FindPrimaryKey() is { Properties: [var property] }
        && entityType.FindOwnership() is null
        && property.ValueGenerated.HasFlag(ValueGenerated.OnAdd)
        && !property.IsForeignKey()
        && IsCandidateType(property.ClrType)
        && property.GetValueGeneratorFactory() is null
            ? property
            : null;
}
