using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tabernacle.EfCore.Infrastructure.Internal;

/// <summary>
/// Entity types that the provider's relationship convention embedded in their owner although they look like entities
/// of their own (an <c>Id</c> or <c>TypeId</c> property): the user probably meant a separate collection.
/// </summary>
internal static class OwnedByConvention
{
    /// <summary>Whether <paramref name="entityType"/> is owned only because of the convention and has a key-like property.</summary>
    public static bool LooksUnintended(IReadOnlyEntityType entityType) =>
        entityType.FindOwnership() is IConventionForeignKey ownership
        && ownership.GetConfigurationSource() == ConfigurationSource.Convention
        && (entityType.ClrType.GetProperty("Id") ?? entityType.ClrType.GetProperty(entityType.ClrType.Name + "Id")) is not null;

    /// <summary>What happened and how to choose, for the model-building warning and for errors it causes later.</summary>
    public static string Explain(IReadOnlyEntityType entityType)
    {
        var owner = entityType.FindOwnership()!.PrincipalEntityType;
        var name = entityType.ClrType.Name;
        return $"The entity type '{name}' has a key property of its own but is owned by convention: it is embedded in the documents of "
            + $"'{owner.ClrType.Name}' ('{owner.GetCollectionName()}') because no DbSet<{name}> or ToCollection maps it to a collection. "
            + $"Add a DbSet<{name}> (or modelBuilder.Entity<{name}>().ToCollection(\"...\")) to store it in a collection of its own, "
            + $"or declare OwnsMany/OwnsOne on '{owner.ClrType.Name}' to keep it embedded and silence this warning.";
    }
}
