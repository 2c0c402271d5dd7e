using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Tabernacle.EfCore.Update.Internal;

namespace Tabernacle.EfCore.Metadata.Internal;

/// <summary>
/// The dotted path of a property from its document's root: through owned navigations, through complex properties
/// (embedded sub-documents), and into <c>_id</c> for composite keys.
/// </summary>
internal static class FieldPaths
{
    public static string Of(IReadOnlyProperty property) => Prefix(ContainingEntityType(property)) + InEntity(property);

    /// <summary>
    /// The path of a property within the document of the entity type that contains it: its element name, prefixed by
    /// the complex properties it is nested in (<c>Address.City</c>), or <c>_id.Name</c> for part of a composite key.
    /// </summary>
    public static string InEntity(IReadOnlyProperty property)
    {
        if (DocumentWriter.IsCompositeKeyPart(property))
        {
            return $"_id.{property.Name}";
        }

        var element = property.GetElementName();
        return property.DeclaringType is IReadOnlyComplexType complexType ? InEntity(complexType.ComplexProperty) + "." + element : element;
    }

    /// <summary>The path of a complex property's sub-document within the document of the entity type that contains it.</summary>
    public static string InEntity(IReadOnlyComplexProperty complexProperty)
    {
        var element = complexProperty.GetElementName();
        return complexProperty.DeclaringType is IReadOnlyComplexType outer ? InEntity(outer.ComplexProperty) + "." + element : element;
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
