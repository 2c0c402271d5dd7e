using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// How one document level is read from the wire into a row (an <c>object?[]</c> that is EF Core's value buffer):
/// element names are matched through a <see cref="BsonTrie{TValue}"/> built once per query shape, so no name is
/// decoded into a string; each known element is read straight into its slot, sub-documents of complex properties
/// into the same row, owned references into a row of their own (stored in a slot of the owner's row), and anything
/// else is skipped. A table that owns a row also completes it once the whole document is read: elements that were
/// missing or null get the value the document path gives them (<see cref="DocumentValueBuffers"/>: defaults, null,
/// or the same error), and owned rows get their owner's key.
/// </summary>
internal sealed class WireTable
{
    /// <summary>A slot whose element was not in the document.</summary>
    public static readonly object Missing = new();

    /// <summary>A slot whose element was BSON null (or undefined).</summary>
    public static readonly object Null = new();

    /// <summary>Whether a slot's value was read with its own type into the row's bank (see <see cref="WireBank"/>).</summary>
    public static bool IsTyped(object? value) => value is WireTypedMarker;

    private enum Kind
    {
        Value,
        Nested,
        Owned,
        OwnedArray,
        Raw,
    }

    private sealed record Entry(
        string Name, Kind Kind, int Slot, WireValueReaders.ValueReader? Read, WireTable? Child, WireTypedReader? TypedRead = null);

    private readonly List<Entry> _building = [];
    private readonly BsonTrie<int> _names = new();
    private Entry[] _entries = [];

    // Set on a table that owns a row (the root, an owned entity); nested tables only add entries.
    private int _size;
    private IEntityType? _entityType;
    private DocumentValueBuffers.Slot[] _entitySlots = [];
    private int[] _valueSlots = [];
    private (int Slot, WireTable Child)[] _owned = [];
    private (int Slot, WireTable Child)[] _ownedArrays = [];
    private int _idSlot = -1;

    // The row's typed values: a long[] of _bankLongs in the row's last slot (none when 0), and each slot's typed reader.
    private int _bankLongs;
    private WireTypedReader?[] _typedSlots = [];

    /// <summary>
    /// The table of a row: <paramref name="entityType"/>'s value-buffer slots (if any) plus the shape's extras, with a bank
    /// of <paramref name="bankBytes"/> bytes for the values read with their own type (keys are read boxed when
    /// <paramref name="boxKeys"/>: an identity map looks them up as objects).
    /// </summary>
    public static WireTable ForRow(int size, IEntityType? entityType, int bankBytes, bool boxKeys = false)
    {
        var table = new WireTable
        {
            _size = size, _entityType = entityType, _bankLongs = WireBank.Longs(bankBytes), _typedSlots = new WireTypedReader?[size],
        };
        var valueSlots = new List<int>();
        if (entityType is not null)
        {
            var layout = DocumentValueBuffers.LayoutOf(entityType);
            var bank = WireBankLayout.Of(entityType);
            table._entitySlots = layout.Slots;
            foreach (var slot in layout.Slots)
            {
                if (slot.IsOwnerKey || slot.IsOrdinal)
                {
                    continue;
                }

                if (slot.Collection is not null)
                {
                    table.Add(slot.Path, Kind.Raw, slot.Index, null, null);
                    continue;
                }

                if (slot.Path is [""])
                {
                    // Not stored (no element name): always completed as missing.
                    valueSlots.Add(slot.Index);
                    continue;
                }

                var typed = boxKeys && slot.Property!.IsPrimaryKey() ? null : bank.ReaderOf(slot.Property!);
                table._typedSlots[slot.Index] = typed;
                table.Add(slot.Path, Kind.Value, slot.Index, WireValueReaders.For(slot.Mapping, slot.Property!.ClrType), null, typed);
                valueSlots.Add(slot.Index);
                if (slot.Path is ["_id"])
                {
                    table._idSlot = slot.Index;
                }
            }
        }

        table._valueSlots = [.. valueSlots];
        return table;
    }

    /// <summary>A projected value at <paramref name="path"/>: missing or null reads as null.</summary>
    public void AddScalar(string[] path, int slot, WireValueReaders.ValueReader read, WireTypedReader? typed)
    {
        Add(path, Kind.Value, slot, read, null, typed);
        _typedSlots[slot] = typed;
        _valueSlots = [.. _valueSlots, slot];
    }

    /// <summary>
    /// An owned reference stored under <paramref name="element"/>, read into a row of its own at <paramref name="slot"/>.
    /// </summary>
    public void AddOwned(string element, int slot, WireTable child)
    {
        Add([element], Kind.Owned, slot, null, child);
        _owned = [.. _owned, (slot, child)];
    }

    /// <summary>An owned collection: the array at <paramref name="element"/> becomes a list of <paramref name="child"/>'s rows.</summary>
    public void AddOwnedArray(string element, int slot, WireTable child)
    {
        Add([element], Kind.OwnedArray, slot, null, child);
        _ownedArrays = [.. _ownedArrays, (slot, child)];
    }

    private void Add(
        string[] path, Kind kind, int slot, WireValueReaders.ValueReader? read, WireTable? child, WireTypedReader? typed = null)
    {
        var table = this;
        for (var i = 0; i < path.Length - 1; i++)
        {
            var existing = table._building.Find(e => e.Name == path[i]);
            if (existing is null)
            {
                existing = new Entry(path[i], Kind.Nested, -1, null, new WireTable());
                table._building.Add(existing);
            }
            else if (existing.Kind != Kind.Nested)
            {
                throw new WireShapeNotSupportedException($"element '{path[i]}' is read both as a value and as a document");
            }

            table = existing.Child!;
        }

        if (table._building.Exists(e => e.Name == path[^1]))
        {
            throw new WireShapeNotSupportedException($"element '{path[^1]}' is read twice");
        }

        table._building.Add(new Entry(path[^1], kind, slot, read, child, typed));
    }

    /// <summary>Freezes the name tables (this one's and its nested and owned tables').</summary>
    public WireTable Seal()
    {
        _entries = [.. _building];
        for (var i = 0; i < _entries.Length; i++)
        {
            _names.Add(_entries[i].Name, i);
            _entries[i].Child?.Seal();
        }

        return this;
    }

    /// <summary>Reads the document at the reader's position into a new row (not yet completed).</summary>
    public object?[] ReadRow(IBsonReader reader)
    {
        long[]? bank = null;
        WireTypedMarker? marker = null;
        object?[] row;
        if (_bankLongs > 0)
        {
            bank = WireBank.Claim(_bankLongs, out marker);
            row = new object?[_size + 1];
            row[_size] = bank;
        }
        else
        {
            row = new object?[_size];
        }

        foreach (var slot in _valueSlots)
        {
            row[slot] = Missing;
        }

        ReadInto(reader, row, bank, marker);
        return row;
    }

    private void ReadInto(IBsonReader reader, object?[] row, long[]? bank, WireTypedMarker? marker)
    {
        reader.ReadStartDocument();
        var decoder = new NameDecoder(_names);
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            reader.ReadName(decoder);
            if (!decoder.Found)
            {
                reader.SkipValue();
                continue;
            }

            var entry = _entries[decoder.Value];
            var type = reader.CurrentBsonType;
            switch (entry.Kind)
            {
                case Kind.Value when type is BsonType.Null:
                    reader.ReadNull();
                    row[entry.Slot] = Null;
                    break;
                case Kind.Value when type is BsonType.Undefined:
                    reader.ReadUndefined();
                    row[entry.Slot] = Null;
                    break;
                case Kind.Value when entry.TypedRead is { } typed:
                    row[entry.Slot] = typed.Read(reader, bank!, marker!);
                    break;
                case Kind.Value:
                    row[entry.Slot] = entry.Read!(reader);
                    break;
                case Kind.Nested when type is BsonType.Document:
                    entry.Child!.ReadInto(reader, row, bank, marker);
                    break;
                case Kind.Owned when type is BsonType.Document:
                    row[entry.Slot] = entry.Child!.ReadRow(reader);
                    break;
                case Kind.OwnedArray when type is BsonType.Array:
                    row[entry.Slot] = entry.Child!.ReadRows(reader);
                    break;
                case Kind.Raw:
                    row[entry.Slot] = WireValueReaders.Raw(reader);
                    break;
                default:
                    reader.SkipValue();
                    break;
            }
        }

        reader.ReadEndDocument();
    }

    /// <summary>
    /// Gives every missing or null slot its value and owned rows their owner's key, top-down (an owned row's key comes
    /// from its owner's row, which may hold the <c>_id</c> after the owned element).
    /// </summary>
    // One row per element of an owned collection's array; an element that is not a document keeps its position (the
    // ordinal key counts every element, as on the document path) with no row.
    private List<object?[]?> ReadRows(IBsonReader reader)
    {
        var rows = new List<object?[]?>();
        reader.ReadStartArray();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            if (reader.CurrentBsonType == BsonType.Document)
            {
                rows.Add(ReadRow(reader));
            }
            else
            {
                reader.SkipValue();
                rows.Add(null);
            }
        }

        reader.ReadEndArray();
        return rows;
    }

    /// <summary>
    /// Fills what the document does not hold: owner keys (from <paramref name="owner"/>'s row), the ordinal key of an owned
    /// collection's element (its 1-based <paramref name="ordinal"/>; 0 for a reference) and missing values.
    /// </summary>
    public void Complete(object?[] row, object?[]? owner, WireTable? ownerTable = null, int ordinal = 0)
    {
        if (_entityType is { } entityType)
        {
            foreach (var slot in _entitySlots)
            {
                if (slot.IsOwnerKey)
                {
                    // Owner keys are filled in, not read: a typed key of the owner is boxed for them.
                    row[slot.Index] = owner is null ? null : ownerTable!.ValueAt(owner, slot.PrincipalIndex);
                }
                else if (slot.IsOrdinal)
                {
                    row[slot.Index] = WireValueReaders.Box(ordinal);
                }
                else if (slot.Collection is null && row[slot.Index] is var value
                    && (ReferenceEquals(value, Missing) || ReferenceEquals(value, Null)))
                {
                    var missing = ReferenceEquals(value, Missing);
                    row[slot.Index] = DocumentValueBuffers.MissingValue(entityType, slot, missing, IdOf, (this, row));
                }
            }
        }

        // Projected values (and anything not completed above) read as null when missing or null.
        foreach (var slot in _valueSlots)
        {
            if (ReferenceEquals(row[slot], Missing) || ReferenceEquals(row[slot], Null))
            {
                row[slot] = null;
            }
        }

        foreach (var (slot, child) in _owned)
        {
            if (row[slot] is object?[] childRow)
            {
                child.Complete(childRow, row, this);
            }
        }

        foreach (var (slot, child) in _ownedArrays)
        {
            if (row[slot] is List<object?[]?> rows)
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    if (rows[i] is { } elementRow)
                    {
                        child.Complete(elementRow, row, this, i + 1);
                    }
                }
            }
        }
    }

    /// <summary>A slot's value as an object: a typed one boxed from the row's bank.</summary>
    private object? ValueAt(object?[] row, int slot) =>
        row[slot] is WireTypedMarker marker ? _typedSlots[slot]!.Box((long[])row[_size]!, marker) : row[slot];

    // The document's _id as the error names it (an owned document has none of its own: "null", as on the document path).
    // Static, with its state passed along: a lambda capturing the row would allocate its closure on every Complete.
    private static string IdOf((WireTable Table, object?[] Row) state)
    {
        var value = state.Table._idSlot >= 0 ? state.Table.ValueAt(state.Row, state.Table._idSlot) : null;
        return value is null || ReferenceEquals(value, Missing) || ReferenceEquals(value, Null) ? "null" : value.ToIdJson();
    }
}

/// <summary>
/// Matches an element name against a table's trie without decoding it; unlike the driver's <c>TrieNameDecoder</c>,
/// a name the table does not know is skipped rather than decoded into a string (it is skipped with its value).
/// </summary>
internal sealed class NameDecoder(BsonTrie<int> names) : INameDecoder
{
    private const string Unknown = "(unread element)";

    public bool Found { get; private set; }

    public int Value { get; private set; }

    public string Decode(BsonStream stream, System.Text.UTF8Encoding encoding)
    {
        var start = stream.Position;
        if (names.TryGetNode(stream, out var node) && node.HasValue)
        {
            Found = true;
            Value = node.Value;
            return node.ElementName;
        }

        stream.Position = start;
        stream.SkipCString();
        Found = false;
        Value = -1;
        return Unknown;
    }

    // Readers over documents in memory (the synthetic rows of scalar results) pass the name instead.
    public void Inform(string name)
    {
        Found = names.TryGetValue(name, out var value);
        Value = value;
    }
}

internal static class WireIdText
{
    public static string ToIdJson(this object value)
    {
        try
        {
            return BsonValueMapper.ToBson(value).ToJson();
        }
        catch (InvalidOperationException)
        {
            return value.ToString() ?? "?";
        }
    }
}

/// <summary>A query shape the wire reader does not handle; the query reads through <c>BsonDocument</c>s instead.</summary>
internal sealed class WireShapeNotSupportedException(string reason) : Exception(reason);
