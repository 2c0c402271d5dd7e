using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using Tabernacle.EfCore.Metadata.Internal;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Builds EF Core's value buffer for an entity from its document: each property's value at the property's index,
/// converted from BSON through its type mapping. EF Core's own materializer then creates (or finds the tracked)
/// entity from it, exactly as it does for other providers.
/// </summary>
internal static class DocumentValueBuffers
{
    // Worked out once per type and kept in the model's runtime annotations (as EF Core's own providers cache per-model
    // data), so no static cache holds a model alive after its context type is gone.
    private const string LayoutAnnotation = "Tabernacle:DocumentLayout";
    private const string CollectionSlotAnnotation = "Tabernacle:CollectionSlot";

    // A slot holds a property's converted value or, for a complex collection (Collection set), the raw BSON of its
    // array: EF Core leaves complex collections to the provider, whose materializer reads that slot.
    // Everything about a type that does not depend on the document, worked out once per type: the slots, the buffer
    // size and the discriminator (only when the type has derived types), so filling a buffer allocates only the
    // buffer and its values.
    internal sealed record Layout(Slot[] Slots, int Size, IProperty? Discriminator = null, string[]? DiscriminatorPath = null);

    internal sealed record Slot(int Index, IProperty? Property, string[] Path, CoreTypeMapping? Mapping, bool IsOwnerKey,
        int PrincipalIndex, bool IsOrdinal, bool Required = false, IComplexProperty? Collection = null);

    /// <summary>The slots of an entity type's value buffer (shared with the wire reader, see <see cref="WireTable"/>).</summary>
    internal static Layout LayoutOf(IEntityType entityType) =>
        entityType.GetOrAddRuntimeAnnotationValue(LayoutAnnotation, static type => EntityLayout(type!), entityType);

    /// <summary>The value buffer of a document's root entity.</summary>
    public static ValueBuffer Create(BsonDocument document, IEntityType entityType) => Fill(document, entityType, ValueBuffer.Empty, 0);

    /// <summary>The value buffer of an embedded entity: its key repeats its owner's (and its position, in a collection).</summary>
    public static ValueBuffer CreateEmbedded(BsonDocument document, IEntityType entityType, ValueBuffer ownerBuffer, int ordinal) =>
        Fill(document, entityType, ownerBuffer, ordinal);

    /// <summary>The value buffer of one element of a complex collection, laid out by the element type's own property indexes.</summary>
    public static ValueBuffer CreateElement(BsonDocument document, IComplexType elementType)
    {
        var layout = elementType.GetOrAddRuntimeAnnotationValue(LayoutAnnotation, static type => ElementLayout(type!), elementType);
        var values = new object?[layout.Size];
        foreach (var slot in layout.Slots)
        {
            values[slot.Index] = ReadSlot(document, slot, null);
        }

        return new ValueBuffer(values);
    }

    /// <summary>
    /// The value-buffer index that carries a complex collection's raw array. It follows every property index of the
    /// document it is stored in (the whole hierarchy's, as sibling types reuse indexes), so it never hides a value.
    /// </summary>
    public static int CollectionSlot(IComplexProperty complexCollection) =>
        complexCollection.GetOrAddRuntimeAnnotationValue(CollectionSlotAnnotation, static collection =>
    {
        var container = collection!.DeclaringType;
        while (container is IComplexType { ComplexProperty: { IsCollection: false } inline })
        {
            container = inline.DeclaringType;
        }

        var types = container is IEntityType entityType ? entityType.GetRootType().GetDerivedTypesInclusive().Cast<ITypeBase>().ToList()
            : [container];
        var properties = types.SelectMany(InlineProperties).ToList();
        var first = properties.Count == 0 ? 0 : properties.Max(p => p.GetIndex()) + 1;
        var collections = types.SelectMany(InlineCollections).Distinct().ToList();
        return first + collections.IndexOf(collection);
    }, complexCollection);

    // The properties stored in a type's own document: its properties and those of its (non-collection) complex properties.
    private static IEnumerable<IProperty> InlineProperties(ITypeBase type) =>
        type.GetProperties().Concat(
            type.GetComplexProperties().Where(c => !c.IsCollection).SelectMany(c => InlineProperties(c.ComplexType)));

    // The complex collections stored in a type's own document, directly or inside its (non-collection) complex properties.
    private static IEnumerable<IComplexProperty> InlineCollections(ITypeBase type) =>
        type.GetComplexProperties().SelectMany(c => c.IsCollection ? [c] : InlineCollections(c.ComplexType));

    private static int Size(Slot[] slots) => slots.Length == 0 ? 0 : slots.Max(s => s.Index) + 1;

    private static object? ReadSlot(BsonDocument document, Slot slot, IEntityType? entityType)
    {
        var raw = Lookup(document, slot.Path);
        if (slot.Collection is not null)
        {
            return raw;
        }

        var value = PropertyBson.FromBson(slot.Mapping, raw, slot.Property!.ClrType);
        return value ?? (entityType is null ? ElementDefault(slot.Property) : MissingValue(document, entityType, slot, raw));
    }

    // An element of a complex collection missing a value: its configured default, else the CLR default of a value type
    // (an element has no _id to name in an error, and one odd element should not make its whole entity unreadable).
    private static object? ElementDefault(IProperty property)
    {
        if (property.FindAnnotation(DefaultValueAnnotation)?.Value is { } configuredDefault)
        {
            return configuredDefault;
        }

        return property.ClrType.IsValueType && Nullable.GetUnderlyingType(property.ClrType) is null
            ? Activator.CreateInstance(property.ClrType) : null;
    }

    private static ValueBuffer Fill(BsonDocument document, IEntityType entityType, ValueBuffer ownerBuffer, int ordinal)
    {
        // Sibling types of a hierarchy reuse property indexes, so the buffer is laid out for the document's own type.
        var layout = entityType.GetOrAddRuntimeAnnotationValue(LayoutAnnotation, static type => EntityLayout(type!), entityType);
        if (layout.Discriminator is not null)
        {
            var concrete = ConcreteType(document, entityType, layout);
            if (!ReferenceEquals(concrete, entityType))
            {
                entityType = concrete;
                layout = entityType.GetOrAddRuntimeAnnotationValue(LayoutAnnotation, static type => EntityLayout(type!), entityType);
            }
        }

        var values = new object?[layout.Size];
        foreach (var slot in layout.Slots)
        {
            if (slot.IsOwnerKey)
            {
                values[slot.Index] = ownerBuffer.IsEmpty ? null : ownerBuffer[slot.PrincipalIndex];
                continue;
            }

            if (slot.IsOrdinal)
            {
                values[slot.Index] = ordinal;
                continue;
            }

            values[slot.Index] = ReadSlot(document, slot, entityType);
        }

        return new ValueBuffer(values);
    }

    // A document without a value for a property: its default ([Default]/HasDefault) when the element is missing (or null
    // while the property cannot hold null); null when the property may be null; otherwise an error that names the
    // collection, the document and the element. Only properties every type of the hierarchy has are required: a derived
    // type's are absent from its siblings' documents.
    private static object? MissingValue(BsonDocument document, IEntityType entityType, Slot slot, BsonValue? raw) =>
        MissingValue(entityType, slot, missing: raw is null, static d => d.GetValue("_id", BsonNull.Value).ToJson(), document);

    /// <summary>
    /// The value of a property whose element is missing (<paramref name="missing"/>) or null; <paramref name="id"/> names
    /// the document in the error (only called when there is one, so a reader need not keep the <c>_id</c> as BSON).
    /// </summary>
    internal static object? MissingValue<TState>(IEntityType entityType, Slot slot, bool missing, Func<TState, string> id, TState state)
    {
        var property = slot.Property!;
        var isNonNullableValueType = property.ClrType.IsValueType && Nullable.GetUnderlyingType(property.ClrType) is null;
        if ((missing || isNonNullableValueType) && property.FindAnnotation(DefaultValueAnnotation)?.Value is { } configuredDefault)
        {
            return configuredDefault;
        }

        var required = isNonNullableValueType || (missing && !property.ClrType.IsValueType && !property.IsNullable);
        // A required complex property's values are required too (slot.Required).
        if (!required || (property.DeclaringType != entityType.GetRootType() && !slot.Required))
        {
            return null;
        }

        var what = missing ? "has no element" : "has null in element";
        throw new InvalidOperationException(
            $"The document with _id {id(state)} in collection '{entityType.GetCollectionName()}' {what} '{string.Join('.', slot.Path)}', " +
                $"but '{property.DeclaringType.DisplayName()}.{property.Name}' ({property.ClrType.Name}) cannot be null. Make the " +
                    $"property nullable, give it a default value ([Default(...)] or HasDefault(...)), or fix the document.");
    }

    /// <summary>The annotation a default value for missing elements is stored under (set by the conventions).</summary>
    public const string DefaultValueAnnotation = TabernacleAnnotationNames.DefaultValue;

    /// <summary>The type a document holds, by its discriminator; the queried type when there is none or it is unknown.</summary>
    private static IEntityType ConcreteType(BsonDocument document, IEntityType entityType, Layout layout)
    {
        var discriminator = layout.Discriminator!;
        var stored =
            PropertyBson.FromBson(discriminator.GetTypeMapping(), Lookup(document, layout.DiscriminatorPath!), discriminator.ClrType);
        return entityType.GetDerivedTypesInclusive().FirstOrDefault(t => Equals(t.GetDiscriminatorValue(), stored)) ?? entityType;
    }

    private static Layout ElementLayout(IComplexType elementType)
    {
        var slots = BuildElementLayout(elementType);
        return new Layout(slots, Size(slots));
    }

    private static Layout EntityLayout(IEntityType entityType)
    {
        var slots = BuildLayout(entityType);
        var discriminator = entityType.FindDiscriminatorProperty() is { } property && entityType.GetDerivedTypes().Any() ? property : null;
        return new Layout(slots, Size(slots), discriminator,
            discriminator is null ? null : MemberBinder.RelativePath(discriminator).Split('.'));
    }

    private static Slot[] BuildLayout(IEntityType entityType)
    {
        var ownership = entityType.FindOwnership();
        var slots = new List<Slot>();
        foreach (var property in entityType.GetProperties())
        {
            var isOwnerKey = ownership is not null && ownership.Properties.Contains(property);
            var principalIndex = isOwnerKey ? ownership!.PrincipalKey.Properties[ownership.Properties.ToList().IndexOf(property)].GetIndex()
                : -1;
            var isOrdinal = StoredValues.IsOrdinalKey(property);
            var path = MemberBinder.RelativePath(property).Split('.');
            slots.Add(new Slot(property.GetIndex(), property, path, property.GetTypeMapping(), isOwnerKey, principalIndex, isOrdinal));
        }

        // Complex properties: EF Core flattens their values into the entity's value buffer, at each property's index.
        foreach (var complexProperty in entityType.GetRootType().GetDerivedTypesInclusive().SelectMany(t =>
            t.GetDeclaredComplexProperties()).Distinct())
        {
            AddComplexSlots(slots, complexProperty, required: complexProperty.DeclaringType == entityType.GetRootType());
        }

        return slots.ToArray();
    }

    private static Slot[] BuildElementLayout(IComplexType elementType)
    {
        var slots = new List<Slot>();
        foreach (var property in elementType.GetProperties())
        {
            slots.Add(
                new Slot(property.GetIndex(), property, MemberBinder.RelativePath(property).Split('.'), property.GetTypeMapping(), false,
                    -1, false));
        }

        foreach (var complexProperty in elementType.GetComplexProperties())
        {
            AddComplexSlots(slots, complexProperty, required: false);
        }

        return slots.ToArray();
    }

    private static void AddComplexSlots(List<Slot> slots, IComplexProperty complexProperty, bool required)
    {
        if (complexProperty.IsCollection)
        {
            // The elements are materialized from the raw array when the owning object is (see TabernacleStructuralTypeMaterializerSource).
            slots.Add(
                new Slot(CollectionSlot(complexProperty), null, FieldPaths.InEntity(complexProperty).Split('.'), null, false, -1, false,
                    Collection: complexProperty));
            return;
        }

        required &= !complexProperty.IsNullable;
        foreach (var property in complexProperty.ComplexType.GetProperties())
        {
            slots.Add(
                new Slot(property.GetIndex(), property, MemberBinder.RelativePath(property).Split('.'), property.GetTypeMapping(), false,
                    -1, false, required));
        }

        foreach (var nested in complexProperty.ComplexType.GetComplexProperties())
        {
            AddComplexSlots(slots, nested, required);
        }
    }

    /// <summary>The value at a dotted path, or <c>null</c> when any part is missing.</summary>
    public static BsonValue? Lookup(BsonDocument document, string[] path)
    {
        BsonValue current = document;
        foreach (var part in path)
        {
            if (current is not BsonDocument doc || !doc.TryGetValue(part, out current!))
            {
                return null;
            }
        }

        return current;
    }
}
