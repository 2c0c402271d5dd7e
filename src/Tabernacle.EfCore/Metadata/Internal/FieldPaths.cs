using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tabernacle.EfCore.Metadata.Internal;

/// <summary>
/// The dotted path of a property from its document's root: through owned navigations, through complex properties
/// (embedded sub-documents), and into <c>_id</c> for composite keys.
/// </summary>
internal static class FieldPaths
{
    /// <summary>
    /// The full dotted path from the root document; through a complex collection it names the field of every element
    /// (<c>Items.Qty</c>), which is what an index key on it means to MongoDB.
    /// </summary>
    public static string Of(IReadOnlyProperty property) =>
        Prefix(ContainingEntityType(property)) + InEntity(property, throughCollections: true);

    /// <summary>
    /// The path of a property within the document of the entity type that contains it: its element name, prefixed by
    /// the complex properties it is nested in (<c>Address.City</c>), or <c>_id.Name</c> for part of a composite key.
    /// A property of a complex collection's element is relative to that element's document, which is read on its own.
    /// </summary>
    public static string InEntity(IReadOnlyProperty property) => InEntity(property, throughCollections: false);

    /// <summary>The path of a complex property's value within the document that contains it (an entity's, or a complex collection
    /// element's).</summary>
    public static string InEntity(IReadOnlyComplexProperty complexProperty) => InEntity(complexProperty, throughCollections: false);

    /// <summary>Whether the property is one of several key properties stored together inside <c>_id</c>.</summary>
    public static bool IsCompositeKeyPart(IReadOnlyProperty property) =>
        property.DeclaringType is IReadOnlyEntityType entityType
        && entityType.FindOwnership() is null
        && entityType.FindPrimaryKey() is { Properties.Count: > 1 } key
        && key.Properties.Contains(property);

    private static string InEntity(IReadOnlyProperty property, bool throughCollections)
    {
        if (IsCompositeKeyPart(property))
        {
            return $"_id.{property.Name}";
        }

        var element = property.GetElementName();
        return property.DeclaringType is IReadOnlyComplexType complexType
            && (throughCollections || !complexType.ComplexProperty.IsCollection)
            ? InEntity(complexType.ComplexProperty, throughCollections) + "." + element
            : element;
    }

    private static string InEntity(IReadOnlyComplexProperty complexProperty, bool throughCollections)
    {
        var element = complexProperty.GetElementName();
        return complexProperty.DeclaringType is IReadOnlyComplexType outer && (throughCollections || !outer.ComplexProperty.IsCollection)
            ? InEntity(outer.ComplexProperty, throughCollections) + "." + element
            : element;
    }

    /// <summary>The path of an owned entity type's document ("" for a root).</summary>
    public static string Prefix(IReadOnlyEntityType entityType)
    {
        var parts = new List<string>();
        for (var type = entityType; type.FindOwnership() is { } ownership; type = ownership.PrincipalEntityType)
        {
            parts.Add(ownership.PrincipalToDependent!.GetElementName());
        }

        parts.Reverse();
        return parts.Count == 0 ? "" : string.Join('.', parts) + ".";
    }

    /// <summary>The entity type a property is stored in: its declaring entity type, or the one its complex type is nested in.</summary>
    public static IReadOnlyEntityType ContainingEntityType(IReadOnlyProperty property)
    {
        var type = property.DeclaringType;
        while (type is IReadOnlyComplexType complexType)
        {
            type = complexType.ComplexProperty.DeclaringType;
        }

        return (IReadOnlyEntityType)type;
    }
}
