using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Which properties of an entity type hierarchy are read into the bank and where: every stored value-type property
/// that has a typed reader, at an offset of its own (sibling types do not share offsets, so a property's offset does
/// not depend on the document's type). Owner keys and ordinals (filled in, not read) and the values of complex
/// collections' elements (read from their documents) stay boxed. Kept in the model's runtime annotations.
/// </summary>
internal sealed class WireBankLayout
{
    private const string Annotation = "Tabernacle:WireBankLayout";

    private readonly Dictionary<IPropertyBase, WireTypedReader> _readers = [];

    /// <summary>The bytes the hierarchy's typed values take.</summary>
    public int Width { get; private set; }

    public static WireBankLayout Of(IEntityType entityType)
    {
        var root = entityType.GetRootType();
        return root.GetOrAddRuntimeAnnotationValue(Annotation, static type => Build(type!), root);
    }

    /// <summary>The typed reader of <paramref name="property"/> in the rows of its entity, or <c>null</c> when it is read boxed.</summary>
    public static WireTypedReader? Find(IPropertyBase property)
    {
        var declaring = property.DeclaringType;
        while (declaring is IComplexType complexType)
        {
            if (complexType.ComplexProperty.IsCollection)
            {
                return null;
            }

            declaring = complexType.ComplexProperty.DeclaringType;
        }

        return declaring is IEntityType entityType && Of(entityType)._readers.TryGetValue(property, out var reader) ? reader : null;
    }

    public WireTypedReader? ReaderOf(IPropertyBase property) => _readers.GetValueOrDefault(property);

    private static WireBankLayout Build(IEntityType root)
    {
        var layout = new WireBankLayout();
        foreach (var type in root.GetDerivedTypesInclusive())
        {
            foreach (var slot in DocumentValueBuffers.LayoutOf(type).Slots)
            {
                if (slot.IsOwnerKey || slot.IsOrdinal || slot.Collection is not null || slot.Path is [""]
                    || slot.Property is not { } property || layout._readers.ContainsKey(property))
                {
                    continue;
                }

                if (WireTypedReader.Create(slot.Mapping, property.ClrType, layout.Width) is { } reader)
                {
                    layout._readers[property] = reader;
                    layout.Width += reader.Size;
                }
            }
        }

        return layout;
    }
}
