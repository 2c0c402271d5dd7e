using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// What a save writes of an entity type, worked out once per type instead of per entity: element names, which
/// properties are row versions, which are not stored in the document. SaveChanges of many entities otherwise repeats
/// the same annotation lookups and key tests for every property of every entity.
/// </summary>
internal static class StoredProperties
{
    // Kept in the model's runtime annotations, so no static cache holds a model alive.
    private const string PlanAnnotation = "Tabernacle:StoredProperties";

    /// <summary>The stored properties an update may set: not the key (it is the filter), not those without an element.</summary>
    public static (IProperty Property, string Name, bool IsRowVersion)[] Of(IEntityType entityType) => PlanOf(entityType).Updatable;

    /// <summary>The row-version properties of <paramref name="entityType"/>.</summary>
    public static IProperty[] RowVersions(IEntityType entityType) => PlanOf(entityType).RowVersions;

    /// <summary>
    /// The properties an insert writes, with their element names; ordinal keys of owned collections (not stored) flagged.
    /// </summary>
    public static (IProperty Property, string Name, bool IsOrdinalKey)[] Inserted(IEntityType entityType) => PlanOf(entityType).Inserted;

    /// <summary>
    /// The typed writer of each of <see cref="Inserted"/>'s properties (same order), or <c>null</c> where the value
    /// goes through the general, boxing path (value converters, collections, other types).
    /// </summary>
    public static InsertedValueWriter?[] InsertedWriters(IEntityType entityType) => PlanOf(entityType).InsertedWriters;

    /// <summary>The concurrency tokens other than the key, with their element names: an update's or delete's filter checks them.</summary>
    public static (IProperty Property, string Name)[] ConcurrencyTokens(IEntityType entityType) => PlanOf(entityType).ConcurrencyTokens;

    /// <summary>The complex properties of <paramref name="entityType"/>.</summary>
    public static IComplexProperty[] ComplexProperties(IEntityType entityType) => PlanOf(entityType).ComplexProperties;

    /// <summary>The owned navigations whose targets are embedded in the document.</summary>
    public static INavigation[] Embedded(IEntityType entityType) => PlanOf(entityType).Embedded;

    private static Plan PlanOf(IEntityType entityType) =>
        entityType.GetOrAddRuntimeAnnotationValue(PlanAnnotation, static type => new Plan(type!), entityType);

    private sealed class Plan
    {
        public Plan(IEntityType entityType)
        {
            var properties = entityType.GetProperties().ToArray();
            Updatable = properties
                .Where(p => p.GetElementName().Length > 0 && !p.IsPrimaryKey())
                .Select(p => (p, p.GetElementName(), SaveOperation.IsRowVersion(p)))
                .ToArray();
            RowVersions = properties.Where(SaveOperation.IsRowVersion).ToArray();
            Inserted = properties
                .Select(p => (Property: p, Name: p.GetElementName()))
                .Where(p => p.Name.Length > 0
                    ? p.Name != TabernacleModelExtensions.IdElementName && !FieldPaths.IsCompositeKeyPart(p.Property)
                    : StoredValues.IsOrdinalKey(p.Property))
                .Select(p => (p.Property, p.Name, p.Name.Length == 0))
                .ToArray();
            InsertedWriters = Inserted.Select(p => p.Item3 ? null : InsertedValueWriter.For(p.Item1)).ToArray();
            ConcurrencyTokens = properties
                .Where(p => p.IsConcurrencyToken && !p.IsPrimaryKey() && p.GetElementName().Length > 0)
                .Select(p => (p, p.GetElementName()))
                .ToArray();
            ComplexProperties = entityType.GetComplexProperties().ToArray();
            Embedded = DocumentWriter.EmbeddedNavigations(entityType).ToArray();
        }

        public InsertedValueWriter?[] InsertedWriters { get; }

        public (IProperty, string)[] ConcurrencyTokens { get; }

        public IComplexProperty[] ComplexProperties { get; }

        public (IProperty, string, bool)[] Updatable { get; }

        public IProperty[] RowVersions { get; }

        public (IProperty, string, bool)[] Inserted { get; }

        public INavigation[] Embedded { get; }
    }
}
