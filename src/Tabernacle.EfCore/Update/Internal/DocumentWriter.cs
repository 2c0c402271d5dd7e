using System.Collections;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking.Internal;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Bson;
using Tabernacle.EfCore.Metadata.Internal;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Builds the BSON of tracked entities: whole documents for inserts (owned entities embedded as sub-documents and
/// arrays), and the <c>_id</c> of a document from its key values.
/// </summary>
internal static class DocumentWriter
{
    /// <summary>The whole document of a root entity, or of an embedded one (<paramref name="ordinal"/> is its position in an owned
    /// collection).</summary>
    public static BsonDocument CreateDocument(IUpdateEntry entry, int? ordinal = null)
    {
        var document = new BsonDocument();
        var entityType = entry.EntityType;
        if (entityType.FindOwnership() is null)
        {
            document[TabernacleModelExtensions.IdElementName] = IdOf(entry, original: false);
        }

        foreach (var (property, name, isOrdinalKey) in StoredProperties.Inserted(entityType))
        {
            if (isOrdinalKey)
            {
                if (ordinal is not null && entry.HasTemporaryValue(property))
                {
                    entry.SetStoreGeneratedValue(property, ordinal.Value);
                }

                continue;
            }

            document.Add(name, PropertyBson.ToBson(property, entry.GetCurrentValue(property)));
        }

        foreach (var complexProperty in entityType.GetComplexProperties())
        {
            document[complexProperty.GetElementName()] = ComplexValue(entry, complexProperty);
        }

        foreach (var navigation in StoredProperties.Embedded(entityType))
        {
            document[navigation.GetElementName()] = EmbeddedValue(entry, navigation);
        }

        return document;
    }

    /// <summary>
    /// The sub-document of a complex property, from the entry's current values (EF Core tracks the values of complex
    /// properties as part of their entity's entry), or null when an optional complex property has no value; for a
    /// complex collection, the array of its elements' documents.
    /// </summary>
    public static BsonValue ComplexValue(IUpdateEntry entry, IComplexProperty complexProperty)
    {
        if (complexProperty.IsCollection)
        {
            return ElementsValue(complexProperty, CurrentObject(entry, complexProperty));
        }

        if (complexProperty.IsNullable && CurrentObject(entry, complexProperty) is null)
        {
            return BsonNull.Value;
        }

        var document = new BsonDocument();
        foreach (var property in complexProperty.ComplexType.GetProperties())
        {
            document[property.GetElementName()] = PropertyBson.ToBson(property, entry.GetCurrentValue(property));
        }

        foreach (var nested in complexProperty.ComplexType.GetComplexProperties())
        {
            document[nested.GetElementName()] = ComplexValue(entry, nested);
        }

        return document;
    }

    // A complex collection's elements are read from the objects themselves: their values are not flattened into the
    // entity's entry the way a single complex property's are.
    private static BsonValue ElementsValue(IComplexProperty collection, object? value)
    {
        if (value is null)
        {
            return collection.IsNullable ? BsonNull.Value : new BsonArray();
        }

        var array = new BsonArray();
        foreach (var element in (IEnumerable)value)
        {
            array.Add(element is null ? BsonNull.Value : ElementDocument(collection.ComplexType, element));
        }

        return array;
    }

    private static BsonDocument ElementDocument(IComplexType complexType, object instance)
    {
        var document = new BsonDocument();
        foreach (var property in complexType.GetProperties())
        {
            document[property.GetElementName()] = PropertyBson.ToBson(property, property.GetGetter().GetClrValue(instance));
        }

        foreach (var nested in complexType.GetComplexProperties())
        {
            var value = nested.GetGetter().GetClrValue(instance);
            document[nested.GetElementName()] = nested.IsCollection ? ElementsValue(nested, value)
                : value is null ? BsonNull.Value
                : ElementDocument(nested.ComplexType, value);
        }

        return document;
    }

    // The current object of a complex property of the entry's entity (through the complex properties it is nested in),
    // or null when it or one it is nested in has no value.
    private static object? CurrentObject(IUpdateEntry entry, IComplexProperty complexProperty)
    {
        var chain = new List<IComplexProperty>();
        for (var current = complexProperty; ; current = ((IComplexType)current.DeclaringType).ComplexProperty)
        {
            chain.Add(current);
            if (current.DeclaringType is not IComplexType)
            {
                break;
            }
        }

        object? value = ((InternalEntityEntry)entry).Entity;
        for (var i = chain.Count - 1; i >= 0 && value is not null; i--)
        {
            value = chain[i].GetGetter().GetClrValue(value);
        }

        return value;
    }

    /// <summary>
    /// Whether any value stored in the complex property's sub-document (or array) changed since the entity was loaded
    /// or saved. EF Core's own check covers complex collections: an element added, removed, moved or modified.
    /// </summary>
    public static bool IsModified(IUpdateEntry entry, IComplexProperty complexProperty) => entry.IsModified(complexProperty);

    /// <summary>The BSON of an owned navigation's current value: a sub-document, an array of them, or null.</summary>
    public static BsonValue EmbeddedValue(IUpdateEntry entry, INavigation navigation)
    {
        if (EmbeddedEntries(entry, navigation) is not { } dependents)
        {
            return BsonNull.Value;
        }

        if (!navigation.IsCollection)
        {
            return CreateDocument(dependents[0].Entry);
        }

        var array = new BsonArray(dependents.Count);
        foreach (var (dependent, position) in dependents)
        {
            array.Add(CreateDocument(dependent, position));
        }

        return array;
    }

    /// <summary>
    /// The entries of an owned navigation's current value, with their 1-based positions in a collection (null for a
    /// reference), which are the ordinal keys added items get (see <see cref="WithFreeOrdinals"/>); <c>null</c> when the
    /// navigation holds nothing.
    /// </summary>
    public static List<(IUpdateEntry Entry, int? Position)>? EmbeddedEntries(IUpdateEntry entry, INavigation navigation)
    {
        var value = entry.GetCurrentValue(navigation);
        if (value is null)
        {
            return null;
        }

        var stateManager = ((InternalEntityEntry)entry).StateManager;
        var ownedType = navigation.TargetEntityType;
        if (!navigation.IsCollection)
        {
            var dependent = stateManager.TryGetEntry(value, ownedType)
                ?? throw new InvalidOperationException(
                    $"The owned '{ownedType.DisplayName()}' of '{entry.EntityType.DisplayName()}.{navigation.Name}' is not tracked.");
            return [(dependent, null)];
        }

        var entries = new List<(IUpdateEntry Entry, int? Position)>();
        var position = 1;
        var hasNew = false;
        var ordinalKey = OrdinalKey(ownedType);
        foreach (var item in (IEnumerable)value)
        {
            var dependent = stateManager.TryGetEntry(item, ownedType)
                ?? throw new InvalidOperationException(
                    $"An item of the owned collection '{entry.EntityType.DisplayName()}.{navigation.Name}' is not tracked.");
            hasNew |= ordinalKey is not null && dependent.HasTemporaryValue(ordinalKey);
            entries.Add((dependent, position++));
        }

        return hasNew ? WithFreeOrdinals(entries, ordinalKey!, stateManager.GetDependents(entry, navigation.ForeignKey)) : entries;
    }

    private static IProperty? OrdinalKey(IEntityType ownedType)
    {
        foreach (var (property, _, isOrdinalKey) in StoredProperties.Inserted(ownedType))
        {
            if (isOrdinalKey)
            {
                return property;
            }
        }

        return null;
    }

    // An added item's ordinal key is its position unless an item loaded before (still in the collection, moved up by a
    // removal, or removed and not yet saved) holds that key: then the next number no item holds, so the change tracker
    // never sees two items with one key (the ordinals follow the array positions again when the document is read back).
    private static List<(IUpdateEntry Entry, int? Position)> WithFreeOrdinals(
        List<(IUpdateEntry Entry, int? Position)> entries, IProperty ordinalKey, IEnumerable<IUpdateEntry> tracked)
    {
        var taken = new HashSet<int>();
        foreach (var dependent in tracked)
        {
            if (!dependent.HasTemporaryValue(ordinalKey) && dependent.GetCurrentValue(ordinalKey) is int held)
            {
                taken.Add(held);
            }
        }

        var next = Math.Max(entries.Count, taken.Count == 0 ? 0 : taken.Max()) + 1;
        for (var i = 0; i < entries.Count; i++)
        {
            var (dependent, position) = entries[i];
            if (dependent.HasTemporaryValue(ordinalKey) && taken.Contains(position!.Value))
            {
                entries[i] = (dependent, next++);
            }
        }

        return entries;
    }

    /// <summary>
    /// Gives the owned entries below <paramref name="entry"/> the ordinal keys <see cref="CreateDocument"/> gives them
    /// (their positions in their collections), without building the document: a direct insert writes it later, while
    /// the driver serializes the command, and only reads the entries then.
    /// </summary>
    public static void AssignOrdinals(IUpdateEntry entry)
    {
        foreach (var navigation in StoredProperties.Embedded(entry.EntityType))
        {
            if (EmbeddedEntries(entry, navigation) is not { } dependents)
            {
                continue;
            }

            foreach (var (dependent, position) in dependents)
            {
                if (position is { } ordinal)
                {
                    foreach (var (property, _, isOrdinalKey) in StoredProperties.Inserted(dependent.EntityType))
                    {
                        if (isOrdinalKey && dependent.HasTemporaryValue(property))
                        {
                            dependent.SetStoreGeneratedValue(property, ordinal);
                        }
                    }
                }

                AssignOrdinals(dependent);
            }
        }
    }

    /// <summary>The navigations of <paramref name="entityType"/> whose targets are embedded in its document.</summary>
    public static IEnumerable<INavigation> EmbeddedNavigations(IEntityType entityType) =>
        entityType.GetNavigations().Where(n => !n.IsOnDependent && n.ForeignKey.IsOwnership);

    /// <summary>The <c>_id</c> value: the single key value, or a sub-document of the key properties for a composite key.</summary>
    public static BsonValue IdOf(IUpdateEntry entry, bool original)
    {
        var key = entry.EntityType.FindPrimaryKey()!;
        if (key.Properties.Count == 1)
        {
            var property = key.Properties[0];
            return PropertyBson.ToBson(property, original ? entry.GetOriginalValue(property) : entry.GetCurrentValue(property));
        }

        var id = new BsonDocument();
        foreach (var property in key.Properties)
        {
            id[property.Name] =
                PropertyBson.ToBson(property, original ? entry.GetOriginalValue(property) : entry.GetCurrentValue(property));
        }

        return id;
    }
}
