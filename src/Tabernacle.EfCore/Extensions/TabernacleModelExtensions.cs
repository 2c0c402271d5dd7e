using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore;

/// <summary>Model configuration and metadata for MongoDB: collection names and element names.</summary>
public static class TabernacleModelExtensions
{
    /// <summary>The element name MongoDB uses for a document's primary key.</summary>
    public const string IdElementName = "_id";

    /// <summary>Maps the entity type to the collection <paramref name="name"/> (the highest-precedence naming).</summary>
    public static EntityTypeBuilder ToCollection(this EntityTypeBuilder entityTypeBuilder, string name)
    {
        ArgumentNullException.ThrowIfNull(entityTypeBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        entityTypeBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.CollectionName, name);
        return entityTypeBuilder;
    }

    /// <summary>Maps the entity type to the collection <paramref name="name"/>.</summary>
    public static EntityTypeBuilder<TEntity> ToCollection<TEntity>(this EntityTypeBuilder<TEntity> entityTypeBuilder, string name)
        where TEntity : class
        => (EntityTypeBuilder<TEntity>)ToCollection((EntityTypeBuilder)entityTypeBuilder, name);

    /// <summary>The collection the entity type is stored in (its root's, for owned and derived types).</summary>
    public static string GetCollectionName(this IReadOnlyEntityType entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        var root = entityType;
        while (root.FindOwnership() is { } ownership)
        {
            root = ownership.PrincipalEntityType;
        }

        root = root.GetRootType();
        return root[TabernacleAnnotationNames.CollectionName] as string
            ?? CollectionNames.Default(root.ClrType, CollectionNaming.PluralizedLowerCase, null);
    }

    /// <summary>
    /// The write concern saves of this entity type use unless the save chooses one; when a save writes several types,
    /// the strongest of their effective write concerns applies (a type without its own counts with the context's default),
    /// so a weaker one here never weakens the others. Overrides <c>[WriteConcern]</c>.
    /// </summary>
    public static EntityTypeBuilder HasWriteConcern(this EntityTypeBuilder entityTypeBuilder, MongoDB.Driver.WriteConcern writeConcern)
    {
        ArgumentNullException.ThrowIfNull(entityTypeBuilder);
        ArgumentNullException.ThrowIfNull(writeConcern);
        entityTypeBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.WriteConcern, writeConcern);
        return entityTypeBuilder;
    }

    /// <summary>The write concern saves of this entity type use unless the save chooses one.</summary>
    public static EntityTypeBuilder<TEntity> HasWriteConcern<TEntity>(this EntityTypeBuilder<TEntity> entityTypeBuilder,
        MongoDB.Driver.WriteConcern writeConcern)
        where TEntity : class
        => (EntityTypeBuilder<TEntity>)HasWriteConcern((EntityTypeBuilder)entityTypeBuilder, writeConcern);

    /// <summary>
    /// The entity type's own write concern (from <c>HasWriteConcern</c> or <c>[WriteConcern]</c>), else its nearest base
    /// type's, or <c>null</c>.
    /// </summary>
    public static MongoDB.Driver.WriteConcern? GetWriteConcern(this IReadOnlyEntityType entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        for (var type = entityType; type is not null; type = type.BaseType)
        {
            if (type[TabernacleAnnotationNames.WriteConcern] is MongoDB.Driver.WriteConcern concern)
            {
                return concern;
            }
        }

        return null;
    }

    /// <summary>Stores the property under the element name <paramref name="name"/>.</summary>
    public static PropertyBuilder HasElementName(this PropertyBuilder propertyBuilder, string name)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        propertyBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ElementName, name);
        return propertyBuilder;
    }

    /// <summary>Stores the property under the element name <paramref name="name"/>.</summary>
    public static PropertyBuilder<TProperty> HasElementName<TProperty>(this PropertyBuilder<TProperty> propertyBuilder, string name)
        => (PropertyBuilder<TProperty>)HasElementName((PropertyBuilder)propertyBuilder, name);

    /// <summary>Stores the property of a complex type under the element name <paramref name="name"/>.</summary>
    public static ComplexTypePropertyBuilder HasElementName(this ComplexTypePropertyBuilder propertyBuilder, string name)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        propertyBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ElementName, name);
        return propertyBuilder;
    }

    /// <summary>Stores the property of a complex type under the element name <paramref name="name"/>.</summary>
    public static ComplexTypePropertyBuilder<TProperty> HasElementName<TProperty>(
        this ComplexTypePropertyBuilder<TProperty> propertyBuilder, string name)
        => (ComplexTypePropertyBuilder<TProperty>)HasElementName((ComplexTypePropertyBuilder)propertyBuilder, name);

    /// <summary>Embeds the complex property's sub-document under the element name <paramref name="name"/>.</summary>
    public static ComplexPropertyBuilder HasElementName(this ComplexPropertyBuilder complexPropertyBuilder, string name)
    {
        ArgumentNullException.ThrowIfNull(complexPropertyBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        complexPropertyBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ElementName, name);
        return complexPropertyBuilder;
    }

    /// <summary>Embeds the complex property's sub-document under the element name <paramref name="name"/>.</summary>
    public static ComplexPropertyBuilder<TComplex> HasElementName<TComplex>(this ComplexPropertyBuilder<TComplex> complexPropertyBuilder,
        string name)
        where TComplex : notnull
        => (ComplexPropertyBuilder<TComplex>)HasElementName((ComplexPropertyBuilder)complexPropertyBuilder, name);

    /// <summary>Embeds the complex collection's array of documents under the element name <paramref name="name"/>.</summary>
    public static ComplexCollectionBuilder HasElementName(this ComplexCollectionBuilder complexCollectionBuilder, string name)
    {
        ArgumentNullException.ThrowIfNull(complexCollectionBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        complexCollectionBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ElementName, name);
        return complexCollectionBuilder;
    }

    /// <summary>Embeds the complex collection's array of documents under the element name <paramref name="name"/>.</summary>
    public static ComplexCollectionBuilder<TComplex> HasElementName<TComplex>(
        this ComplexCollectionBuilder<TComplex> complexCollectionBuilder, string name)
        where TComplex : notnull
        => (ComplexCollectionBuilder<TComplex>)HasElementName((ComplexCollectionBuilder)complexCollectionBuilder, name);

    /// <summary>Stores the property of a complex collection's elements under the element name <paramref name="name"/>.</summary>
    public static ComplexCollectionTypePropertyBuilder HasElementName(this ComplexCollectionTypePropertyBuilder propertyBuilder,
        string name)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        propertyBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ElementName, name);
        return propertyBuilder;
    }

    /// <summary>Stores the property of a complex collection's elements under the element name <paramref name="name"/>.</summary>
    public static ComplexCollectionTypePropertyBuilder<TProperty> HasElementName<TProperty>(
        this ComplexCollectionTypePropertyBuilder<TProperty> propertyBuilder, string name)
        => (ComplexCollectionTypePropertyBuilder<TProperty>)HasElementName((ComplexCollectionTypePropertyBuilder)propertyBuilder, name);

    /// <summary>Embeds the owned type under the element name <paramref name="name"/>.</summary>
    public static OwnedNavigationBuilder HasElementName(this OwnedNavigationBuilder ownedNavigationBuilder, string name)
    {
        ArgumentNullException.ThrowIfNull(ownedNavigationBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ownedNavigationBuilder.OwnedEntityType.FindOwnership()!.PrincipalToDependent!.SetAnnotation(TabernacleAnnotationNames.ElementName,
            name);
        return ownedNavigationBuilder;
    }

    /// <summary>Embeds the owned type under the element name <paramref name="name"/>.</summary>
    public static OwnedNavigationBuilder<TOwner, TDependent> HasElementName<TOwner,
        TDependent>(this OwnedNavigationBuilder<TOwner, TDependent> ownedNavigationBuilder, string name)
        where TOwner : class
        where TDependent : class
        => (OwnedNavigationBuilder<TOwner, TDependent>)HasElementName((OwnedNavigationBuilder)ownedNavigationBuilder, name);

    /// <summary>
    /// The element name of a property: <c>_id</c> for the single-property key of a collection's documents, otherwise the
    /// configured name, otherwise the property name. Returns an empty string for values that are not stored
    /// (the synthesized ordinal key of owned collection items).
    /// </summary>
    public static string GetElementName(this IReadOnlyProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        if (property[TabernacleAnnotationNames.ElementName] is string configured)
        {
            return configured;
        }

        if (property.DeclaringType is IReadOnlyEntityType entityType)
        {
            if (entityType.FindOwnership() is null && property.IsPrimaryKey() && entityType.FindPrimaryKey()!.Properties.Count == 1)
            {
                return IdElementName;
            }

            if (StoredValues.IsOrdinalKey(property) || StoredValues.IsOwnerKey(property))
            {
                return "";
            }
        }

        return property.Name;
    }

    /// <summary>The element name an owned navigation (or complex property) is embedded under.</summary>
    public static string GetElementName(this IReadOnlyPropertyBase navigationOrComplexProperty)
    {
        ArgumentNullException.ThrowIfNull(navigationOrComplexProperty);
        if (navigationOrComplexProperty is IReadOnlyProperty property)
        {
            return property.GetElementName();
        }

        return navigationOrComplexProperty[TabernacleAnnotationNames.ElementName] as string ?? navigationOrComplexProperty.Name;
    }
}
