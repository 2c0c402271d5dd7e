using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// What one compiled query reads from each result document, collected while its shaper is compiled: the root
/// entity's value-buffer slots, the rows of owned references (each at an extra slot of its owner's row), the rows of
/// owned collections (a list of rows at an extra slot) and projected values (extra slots of the root row).
/// <see cref="Build"/> turns it into the query's <see cref="WireRowSerializer"/>.
/// </summary>
internal sealed class WireShape
{
    private readonly Node _root;

    // Whether the shape's entities go to an identity map (tracking, or identity resolution): their keys are then kept boxed
    // in the row, as EF Core looks entries up with the key as an object, and one box serves the lookup and the entity.
    private readonly bool _boxKeys;

    public WireShape(IEntityType? rootType, bool boxKeys = false)
    {
        _boxKeys = boxKeys;
        if (rootType is not null && rootType.FindOwnership() is not null)
        {
            throw new WireShapeNotSupportedException("owned root");
        }

        _root = new Node(rootType);
    }

    /// <summary>
    /// The row slot of a projected value, and its typed reader when it is a value type read into the row's bank (at the
    /// reader's offset) rather than boxed.
    /// </summary>
    public (int Slot, WireTypedReader? Typed) Scalar(string path, Type clrType, CoreTypeMapping? mapping)
    {
        var slot = _root.Next++;
        var typed = WireTypedReader.Create(mapping, clrType, _root.BankNext);
        _root.BankNext += typed?.Size ?? 0;
        _root.Scalars.Add((path.Split('.'), slot, WireValueReaders.For(mapping, clrType), typed));
        return (slot, typed);
    }

    /// <summary>The row of the root entity.</summary>
    public object RootNode => _root;

    /// <summary>
    /// The slot of <paramref name="owner"/>'s row that holds the row of its owned reference <paramref name="navigation"/>.
    /// </summary>
    public (int Slot, object Node) Owned(object owner, INavigation navigation)
    {
        if (navigation.IsCollection)
        {
            throw new WireShapeNotSupportedException("owned collection");
        }

        return Child(owner, navigation.GetElementName(), navigation.TargetEntityType, navigation.DeclaringEntityType, isCollection: false);
    }

    /// <summary>
    /// The slot of <paramref name="owner"/>'s row that holds the rows of its owned collection <paramref name="navigation"/>
    /// (a <see cref="List{T}"/> of rows, one per array element, <c>null</c> where an element is not a document).
    /// </summary>
    public (int Slot, object Node) OwnedCollection(object owner, INavigation navigation) =>
        Child(owner, navigation.GetElementName(), navigation.TargetEntityType, navigation.DeclaringEntityType, isCollection: true);

    /// <summary>
    /// The slot of <paramref name="owner"/>'s row that holds the row of an entity of another collection joined at
    /// <paramref name="element"/> (Include of a reference through <c>$lookup</c>): a root entity of its own, with no owner key.
    /// </summary>
    public (int Slot, object Node) Joined(object owner, string element, IEntityType entityType) =>
        Child(owner, element, entityType, null, isCollection: false);

    /// <summary>
    /// The slot of <paramref name="owner"/>'s row that holds the rows of the entities of another collection joined as an
    /// array at <paramref name="element"/> (Include of a collection through <c>$lookup</c>): root entities of their own.
    /// </summary>
    public (int Slot, object Node) JoinedCollection(object owner, string element, IEntityType entityType) =>
        element.Contains('.', StringComparison.Ordinal)
            ? throw new WireShapeNotSupportedException("joined array below the root")
            : Child(owner, element, entityType, null, isCollection: true);

    private static (int Slot, object Node) Child(
        object owner, string element, IEntityType entityType, IEntityType? declaringType, bool isCollection)
    {
        var node = (Node)owner;
        if (entityType.GetDerivedTypes().Any() || node.EntityType is null)
        {
            throw new WireShapeNotSupportedException("embedded hierarchy");
        }

        var existing = node.Children.Find(o => o.Element == element);
        if (existing.Child is not null)
        {
            return existing.IsCollection == isCollection
                ? (existing.Slot, existing.Child)
                : throw new WireShapeNotSupportedException($"element '{element}' read both as a document and as an array");
        }

        var child = new Node(entityType);
        var slot = node.Next++;
        node.Children.Add((element, declaringType, slot, child, isCollection));
        return (slot, child);
    }

    public WireRowSerializer Build()
    {
        var rootType = _root.EntityType;
        if (rootType is null || !rootType.GetDerivedTypes().Any())
        {
            return new WireRowSerializer(Table(_root, rootType, _boxKeys), null);
        }

        var discriminator = rootType.FindDiscriminatorProperty()
            ?? throw new WireShapeNotSupportedException("hierarchy without discriminator");
        var path = MemberBinder.RelativePath(discriminator).Split('.');
        if (path.Length != 1)
        {
            throw new WireShapeNotSupportedException("nested discriminator");
        }

        var byValue = rootType.GetDerivedTypesInclusive()
            .Select(t => (t.GetDiscriminatorValue(), Table(_root, t, _boxKeys)))
            .ToArray();
        var read = WireValueReaders.For(discriminator.GetTypeMapping(), discriminator.ClrType);
        var selector = new WireRowSerializer.Discriminator(path[0], read, byValue);
        return new WireRowSerializer(Table(_root, rootType, _boxKeys), selector);
    }

    private static WireTable Table(Node node, IEntityType? concrete, bool boxKeys)
    {
        var table = WireTable.ForRow(node.Next, concrete, node.BankNext, boxKeys);
        foreach (var (path, slot, read, typed) in node.Scalars)
        {
            table.AddScalar(path, slot, read, typed);
        }

        foreach (var (element, declaringType, slot, child, isCollection) in node.Children)
        {
            // An owned navigation of a derived type is read only into that type's rows.
            if (concrete is not null && declaringType is not null && !declaringType.IsAssignableFrom(concrete))
            {
                continue;
            }

            if (isCollection)
            {
                table.AddOwnedArray(element, slot, Table(child, child.EntityType, boxKeys));
            }
            else
            {
                table.AddOwned(element, slot, Table(child, child.EntityType, boxKeys));
            }
        }

        return table;
    }

    private sealed class Node
    {
        public Node(IEntityType? entityType)
        {
            EntityType = entityType;
            // Extra slots follow every slot of the hierarchy's types (siblings reuse indexes, and a complex
            // collection's slot follows them all).
            Next = entityType is null
                ? 0
                : entityType.GetRootType().GetDerivedTypesInclusive().Max(t => DocumentValueBuffers.LayoutOf(t).Size);
            BankNext = entityType is null ? 0 : WireBankLayout.Of(entityType).Width;
        }

        public IEntityType? EntityType { get; }

        public int Next { get; set; }

        // The bytes of the row's bank: the entity's typed values, then typed projected values.
        public int BankNext { get; set; }

        public List<(string[] Path, int Slot, WireValueReaders.ValueReader Read, WireTypedReader? Typed)> Scalars { get; } = [];

        // Owned references and joined entities (each a row of its own, in a slot of this one) and owned collections (a
        // list of rows in a slot of this one).
        public List<(string Element, IEntityType? DeclaringType, int Slot, Node Child, bool IsCollection)> Children { get; } = [];
    }
}

/// <summary>
/// The serializer of one query shape: decodes each result document from the reply's bytes into a row (EF Core's value
/// buffer with the shape's extra slots), with no <see cref="BsonDocument"/> in between. For a hierarchy it first looks
/// at the discriminator element (through a bookmark, then reads from the start), since sibling types lay out their
/// value buffers differently.
/// </summary>
internal sealed class WireRowSerializer(WireTable table, WireRowSerializer.Discriminator? discriminator) : SerializerBase<object?[]>
{
    internal sealed record Discriminator(string Element, WireValueReaders.ValueReader Read, (object? Value, WireTable Table)[] Tables);

    private readonly WireTable _table = table.Seal();

    /// <summary>
    /// How many of EF Core's value-buffer reads the compiled shaper reads from the rows' banks instead (see
    /// <see cref="WireTypedReadRewriter"/>); what tests check to see that a shape takes the typed path.
    /// </summary>
    internal int ShaperTypedReads { get; set; }

    private readonly Discriminator? _discriminator = discriminator is null
        ? null
        : discriminator with { Tables = [.. discriminator.Tables.Select(t => (t.Value, t.Table.Seal()))] };

    public override object?[] Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        var reader = context.Reader;
        var table = _discriminator is null ? _table : Choose(reader, _discriminator);
        var row = table.ReadRow(reader);
        table.Complete(row, null);
        return row;
    }

    private WireTable Choose(IBsonReader reader, Discriminator discriminator)
    {
        var bookmark = reader.GetBookmark();
        object? value = null;
        reader.ReadStartDocument();
        if (reader.FindElement(discriminator.Element) && reader.CurrentBsonType is not (BsonType.Null or BsonType.Undefined))
        {
            value = discriminator.Read(reader);
        }

        reader.ReturnToBookmark(bookmark);
        foreach (var (candidate, table) in discriminator.Tables)
        {
            if (Equals(candidate, value))
            {
                return table;
            }
        }

        return _table;
    }
}
