using System.Collections;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>The methods compiled shapers call at run time to read documents and attach embedded entities.</summary>
internal static class ShaperMethods
{
    public static T ReadValue<T>(BsonDocument document, string[] path, CoreTypeMapping? mapping)
    {
        var value = DocumentValueBuffers.Lookup(document, path);
        var converted = PropertyBson.FromBson(mapping, value, typeof(T));
        return converted is null ? default! : (T)converted;
    }

    /// <summary>A projected value from its slot of a row read from the wire (see <see cref="WireShape"/>).</summary>
    public static T ReadRowValue<T>(object?[] row, int slot) => row[slot] is { } value ? (T)value : default!;

    /// <summary>The row of an owned reference, stored in a slot of its owner's row; null when the owned document is missing.</summary>
    public static object?[]? OwnedRow(object?[]? owner, int slot) => owner?[slot] as object?[];

    /// <summary>The embedded document at <paramref name="element"/>, or <c>null</c> when it is missing or not a document.</summary>
    public static BsonDocument? Embedded(BsonDocument? owner, string element) =>
        owner is not null && owner.TryGetValue(element, out var value) && value is BsonDocument document ? document : null;

    /// <summary>
    /// Shapes each row of an owned collection read from the wire (the rows at <paramref name="slot"/> of the owner's row),
    /// with its 1-based position in the array, as <see cref="MaterializeItems{TElement}"/> does for documents.
    /// </summary>
    public static List<TElement> MaterializeRows<TElement>(object?[]? owner, int slot, Func<object?[], int, TElement> shaper)
    {
        if (owner?[slot] is not List<object?[]?> rows)
        {
            return [];
        }

        var items = new List<TElement>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is { } row)
            {
                items.Add(shaper(row, i + 1));
            }
        }

        return items;
    }

    /// <summary>Shapes each document of the array at <paramref name="element"/> (with its 1-based position).</summary>
    public static List<TElement> MaterializeItems<TElement>(BsonDocument? owner, string element, Func<BsonDocument, int, TElement> shaper)
    {
        var items = new List<TElement>();
        if (owner is not null && owner.TryGetValue(element, out var value) && value is BsonArray array)
        {
            var position = 1;
            foreach (var item in array)
            {
                if (item is BsonDocument document)
                {
                    items.Add(shaper(document, position));
                }

                position++;
            }
        }

        return items;
    }

    /// <summary>
    /// A complex collection from its stored array: each element document materialized by <paramref name="materialize"/>.
    /// A missing or null array is null when the collection may be null, otherwise empty. A value buffer EF Core built
    /// itself (from property values, for <c>ToObject()</c>) has no slot for the array: the collection is then unset too.
    /// </summary>
    public static TCollection ComplexCollection<TElement, TCollection>(
        ValueBuffer buffer, int slot, MaterializationContext context, IComplexType elementType, bool nullable,
            Func<MaterializationContext, object> materialize)
    {
        if (slot >= buffer.Count || buffer[slot] is not BsonArray array)
        {
            return nullable ? default! : ToCollection<TElement, TCollection>([]);
        }

        var items = new List<TElement>(array.Count);
        foreach (var item in array)
        {
            if (item is BsonDocument document)
            {
                items.Add(
                    (TElement)materialize(
                        new MaterializationContext(DocumentValueBuffers.CreateElement(document, elementType), context.Context)));
            }
        }

        return ToCollection<TElement, TCollection>(items);
    }

    /// <summary>A projected complex collection: the array at <paramref name="path"/> in <paramref name="owner"/>, each element
    /// shaped.</summary>
    public static TCollection ProjectComplexCollection<TElement, TCollection>(BsonDocument? owner, string[] path, bool nullable,
        Func<BsonDocument, TElement> shaper)
    {
        if ((owner is null ? null : DocumentValueBuffers.Lookup(owner, path)) is not BsonArray array)
        {
            return nullable ? default! : ToCollection<TElement, TCollection>([]);
        }

        return ToCollection<TElement, TCollection>(array.OfType<BsonDocument>().Select(shaper).ToList());
    }

    public static TCollection ToCollection<TElement, TCollection>(List<TElement> items)
    {
        if (items is TCollection same)
        {
            return same;
        }

        if (typeof(TCollection).IsArray)
        {
            return (TCollection)(object)items.ToArray();
        }

        return (TCollection)Activator.CreateInstance(typeof(TCollection), items)!;
    }

    /// <summary>
    /// A plain instance of an embedded type, filled from its document, for client code in a projection: it is not an
    /// entity the change tracker knows (owned entities cannot be tracked without their owner).
    /// </summary>
    public static object Detached(BsonDocument document, IEntityType entityType)
    {
        var instance = Activator.CreateInstance(entityType.ClrType, nonPublic: true)!;
        foreach (var property in entityType.GetProperties().Where(p => !p.IsShadowProperty()))
        {
            var path = MemberBinder.RelativePath(property);
            if (path.Length == 0)
            {
                continue;
            }

            var value =
                PropertyBson.FromBson(property.GetTypeMapping(), DocumentValueBuffers.Lookup(document, path.Split('.')), property.ClrType);
            if (value is not null || !property.ClrType.IsValueType)
            {
                ((IRuntimePropertyBase)property).GetSetter().SetClrValueUsingContainingEntity(instance, value);
            }
        }

        foreach (var navigation in entityType.GetNavigations().Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent))
        {
            if (!document.TryGetValue(navigation.GetElementName(), out var nested) || nested.IsBsonNull)
            {
                continue;
            }

            object? value = navigation.IsCollection
                ? nested is BsonArray array
                    ? ToList(array.OfType<BsonDocument>().Select(d => Detached(d, navigation.TargetEntityType)),
                        navigation.TargetEntityType.ClrType) : null
                : nested is BsonDocument child ? Detached(child, navigation.TargetEntityType) : null;
            if (value is not null)
            {
                ((IRuntimePropertyBase)navigation).GetSetter().SetClrValueUsingContainingEntity(instance, value);
            }
        }

        return instance;
    }

    private static IList ToList(IEnumerable<object> items, Type elementType)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Attaches an embedded entity to its owner (tracking queries are fixed up by the change tracker as well).</summary>
    public static TEntity IncludeOwnedReference<TEntity, TRelated>(TEntity entity, TRelated? related, INavigation navigation)
        where TEntity : class
        where TRelated : class
    {
        if (entity is null || !navigation.DeclaringEntityType.ClrType.IsInstanceOfType(entity))
        {
            return entity!;
        }

        if (!ReferenceEquals(navigation.GetGetter().GetClrValueUsingContainingEntity(entity), related))
        {
            ((IRuntimePropertyBase)navigation).GetSetter().SetClrValueUsingContainingEntity(entity, related);
        }

        if (related is not null && navigation.Inverse is { } inverse && !inverse.IsCollection)
        {
            ((IRuntimePropertyBase)inverse).GetSetter().SetClrValueUsingContainingEntity(related, entity);
        }

        return entity;
    }

    /// <summary>Fills an owned collection navigation with its items, without duplicating those the change tracker already added.</summary>
    public static TEntity IncludeOwnedCollection<TEntity, TElement>(TEntity entity, List<TElement> items, INavigation navigation)
        where TEntity : class
        where TElement : class
    {
        if (entity is null || !navigation.DeclaringEntityType.ClrType.IsInstanceOfType(entity))
        {
            return entity!;
        }

        var accessor = navigation.GetCollectionAccessor()!;
        accessor.GetOrCreate(entity, forMaterialization: true);
        foreach (var item in items)
        {
            if (!accessor.Contains(entity, item))
            {
                accessor.Add(entity, item, forMaterialization: true);
            }

            if (navigation.Inverse is { } inverse && !inverse.IsCollection)
            {
                ((IRuntimePropertyBase)inverse).GetSetter().SetClrValueUsingContainingEntity(item, entity);
            }
        }

        return entity;
    }
}
