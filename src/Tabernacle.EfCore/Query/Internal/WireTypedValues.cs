using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Reads one value-type element from the wire with its own type into a row's bank (a region of a <c>long[]</c> slab in
/// the row's last slot, see <see cref="WireBank"/>) instead of boxing it into the row: the row's slot then holds the
/// row's <see cref="WireTypedMarker"/>. An element of another BSON type than the typed read expects is read by the boxing
/// reader (<see cref="WireValueReaders.For"/>), so it converts, or fails, exactly as before.
/// </summary>
internal abstract class WireTypedReader(int offset, int size, Type storeType)
{
    /// <summary>Where the value starts in the bank, in bytes (values are packed, read and written unaligned).</summary>
    public int Offset { get; } = offset;

    /// <summary>How many bytes the value takes.</summary>
    public int Size { get; } = size;

    /// <summary>The model type stored (a property's type without <see cref="Nullable{T}"/>).</summary>
    public Type StoreType { get; } = storeType;

    /// <summary>Reads a present, non-null value: <paramref name="marker"/> once it is in the bank, else the boxed value.</summary>
    public abstract object? Read(IBsonReader reader, long[] slab, WireTypedMarker marker);

    /// <summary>The value in the bank, boxed (for error messages and owner keys only).</summary>
    public abstract object Box(long[] slab, WireTypedMarker marker);

    /// <summary>
    /// The typed reader of a value of <paramref name="clrType"/> mapped by <paramref name="mapping"/>, or <c>null</c> when
    /// it is read boxed: a reference type, a value type holding references, a provider type with no typed wire read, a
    /// converter whose types are not the property's, or a primitive collection.
    /// </summary>
    public static WireTypedReader? Create(CoreTypeMapping? mapping, Type clrType, int offset)
    {
        var model = Nullable.GetUnderlyingType(clrType) ?? clrType;
        if (!model.IsValueType || ContainsReferences(model) || mapping?.ElementTypeMapping is not null)
        {
            return null;
        }

        var converter = mapping?.Converter;
        Type provider;
        Delegate? convert = null;
        if (converter is null)
        {
            // An enum without a converter is stored as its number: read as the underlying type, the bits are the enum's.
            provider = model.IsEnum ? Enum.GetUnderlyingType(model) : model;
        }
        else
        {
            var lambda = converter.ConvertFromProviderExpression;
            provider = converter.ProviderClrType;
            if (converter.ModelClrType != model || lambda.Parameters.Count != 1 || lambda.Parameters[0].Type != provider
                || lambda.ReturnType != model)
            {
                return null;
            }

            convert = lambda.Compile();
        }

        if (!DirectReaders.TryGetValue(provider, out var direct))
        {
            return null;
        }

        var type = typeof(WireTypedReader<,>).MakeGenericType(provider, model);
        return (WireTypedReader)Activator.CreateInstance(
            type, offset, SizeOf(model), direct.BsonType, direct.Read, convert, WireValueReaders.For(mapping, clrType))!;
    }

    private static bool ContainsReferences(Type type) =>
        (bool)ContainsReferencesMethod.MakeGenericMethod(type).Invoke(null, null)!;

    private static int SizeOf(Type type) => (int)SizeOfMethod.MakeGenericMethod(type).Invoke(null, null)!;

    private static readonly MethodInfo ContainsReferencesMethod =
        typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!;

    private static readonly MethodInfo SizeOfMethod = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!;

    /// <summary>A typed read of a present value; false (with the value read another way in <paramref name="other"/>) when it
    /// cannot give the type.</summary>
    internal delegate bool DirectRead<T>(IBsonReader reader, out T value, out object? other);

    // The stored types the reader reads with its own typed methods, as WireValueReaders' boxing reads do.
    private static readonly Dictionary<Type, (BsonType BsonType, Delegate Read)> DirectReaders = new()
    {
        [typeof(int)] = (BsonType.Int32, (DirectRead<int>)((IBsonReader r, out int v, out object? o) =>
        {
            (v, o) = (r.ReadInt32(), null);
            return true;
        })),
        [typeof(long)] = (BsonType.Int64, (DirectRead<long>)((IBsonReader r, out long v, out object? o) =>
        {
            (v, o) = (r.ReadInt64(), null);
            return true;
        })),
        [typeof(double)] = (BsonType.Double, (DirectRead<double>)((IBsonReader r, out double v, out object? o) =>
        {
            (v, o) = (r.ReadDouble(), null);
            return true;
        })),
        [typeof(bool)] = (BsonType.Boolean, (DirectRead<bool>)((IBsonReader r, out bool v, out object? o) =>
        {
            (v, o) = (r.ReadBoolean(), null);
            return true;
        })),
        // As BsonDateTime.ToUniversalTime: milliseconds since the epoch, clamped to DateTime's range.
        [typeof(DateTime)] = (BsonType.DateTime, (DirectRead<DateTime>)((IBsonReader r, out DateTime v, out object? o) =>
        {
            (v, o) = (BsonUtils.ToDateTimeFromMillisecondsSinceEpoch(r.ReadDateTime()), null);
            return true;
        })),
        [typeof(ObjectId)] = (BsonType.ObjectId, (DirectRead<ObjectId>)((IBsonReader r, out ObjectId v, out object? o) =>
        {
            (v, o) = (r.ReadObjectId(), null);
            return true;
        })),
        [typeof(decimal)] = (BsonType.Decimal128, (DirectRead<decimal>)((IBsonReader r, out decimal v, out object? o) =>
        {
            (v, o) = (Decimal128.ToDecimal(r.ReadDecimal128()), null);
            return true;
        })),
        [typeof(Guid)] = (BsonType.Binary, (DirectRead<Guid>)((IBsonReader r, out Guid v, out object? o) =>
        {
            var binary = r.ReadBinaryData();
            if (binary.SubType == BsonBinarySubType.UuidStandard)
            {
                (v, o) = (binary.ToGuid(GuidRepresentation.Standard), null);
                return true;
            }

            (v, o) = (default, BsonValueMapper.FromBson(binary, typeof(Guid)));
            return false;
        })),
        // A converter's provider type (an enum stored as its name): the string is read, the model value is not boxed.
        [typeof(string)] = (BsonType.String, (DirectRead<string>)((IBsonReader r, out string v, out object? o) =>
        {
            (v, o) = (r.ReadString(), null);
            return true;
        })),
    };
}

/// <summary>The typed reader of a <typeparamref name="TModel"/> stored as <typeparamref name="TProvider"/>.</summary>
internal sealed class WireTypedReader<TProvider, TModel>(
    int offset,
    int size,
    BsonType bsonType,
    WireTypedReader.DirectRead<TProvider> read,
    Func<TProvider, TModel>? convert,
    WireValueReaders.ValueReader boxed) : WireTypedReader(offset, size, typeof(TModel))
    where TModel : struct
{
    public override object? Read(IBsonReader reader, long[] slab, WireTypedMarker marker)
    {
        if (reader.CurrentBsonType != bsonType)
        {
            return boxed(reader);
        }

        if (!read(reader, out var provider, out var other))
        {
            // Read another way (a UUID of a legacy subtype): as the boxing reader would, converted if need be.
            return convert is null || other is null ? other : convert((TProvider)other);
        }

        // Without a converter the provider type is the model type or, for an enum, its underlying type (the same bits).
        var value = convert is null ? Unsafe.As<TProvider, TModel>(ref provider) : convert(provider);
        WireBank.Write(slab, marker.Start + Offset, value);
        return marker;
    }

    public override object Box(long[] slab, WireTypedMarker marker) => WireBank.ReadAt<TModel>(slab, marker.Start + Offset);
}

/// <summary>
/// Where a row's typed values start in its slab (in bytes): what the slots of its typed values hold. Markers are shared
/// (one per position of a slab), so marking a slot allocates nothing.
/// </summary>
internal sealed class WireTypedMarker
{
    private WireTypedMarker(int start) => Start = start;

    public int Start { get; }

    private static readonly WireTypedMarker[] Markers =
        [.. Enumerable.Range(0, WireBank.SlabLongs).Select(i => new WireTypedMarker(i * sizeof(long)))];

    /// <summary>The marker of a bank that starts at long <paramref name="index"/> of its slab.</summary>
    public static WireTypedMarker At(int index) => Markers[index];
}

/// <summary>
/// The typed storage of rows read from the wire. Value-type values live in a bank: a region of a <c>long[]</c> slab
/// that the row's last slot holds, packed at byte offsets (a bool takes one byte, an int four); their slots hold the
/// row's <see cref="WireTypedMarker"/> (where its bank starts). Rows share a slab (each reading thread claims regions of
/// its own slab, and a slab is never reused), so a row's typed values cost their bytes and no object of their own.
/// The shaper reads them with these methods, which the compiled shaper calls in place of EF Core's
/// <c>ValueBufferTryReadValue</c> (see <see cref="WireTypedReadRewriter"/>): no box between the wire and the property.
/// A slot that holds anything else (a default filled in, null, a value read by the boxing fallback) is read as EF Core
/// reads it.
/// </summary>
internal static class WireBank
{
    /// <summary>The longs of a slab: 4 KB, far below the large object heap, shared by the rows of a batch or two.</summary>
    public const int SlabLongs = 512;

    [ThreadStatic]
    private static long[]? t_slab;

    [ThreadStatic]
    private static int t_next;

    /// <summary>The longs a bank of <paramref name="bytes"/> takes.</summary>
    public static int Longs(int bytes) => (bytes + sizeof(long) - 1) / sizeof(long);

    /// <summary>A bank of <paramref name="longs"/> for one row: its slab, and the marker of where it starts.</summary>
    public static long[] Claim(int longs, out WireTypedMarker marker)
    {
        if (longs > SlabLongs)
        {
            marker = WireTypedMarker.At(0);
            return new long[longs];
        }

        var slab = t_slab;
        if (slab is null || t_next + longs > SlabLongs)
        {
            // The old slab stays with the rows that hold it; the thread no longer writes to it.
            slab = t_slab = new long[SlabLongs];
            t_next = 0;
        }

        marker = WireTypedMarker.At(t_next);
        t_next += longs;
        return slab;
    }

    public static void Write<T>(long[] slab, int offset, T value)
        where T : struct =>
        Unsafe.WriteUnaligned(ref At(slab, offset), value);

    public static T ReadAt<T>(long[] slab, int offset)
        where T : struct =>
        Unsafe.ReadUnaligned<T>(ref At(slab, offset));

    // The byte at an offset: the long that holds it is bounds-checked; a layout gives each value the bytes it takes within
    // the longs its bank claimed, so no value reaches past the end.
    private static ref byte At(long[] slab, int offset) =>
        ref Unsafe.Add(ref Unsafe.As<long, byte>(ref slab[offset >> 3]), offset & 7);

    private static long[] SlabOf(in ValueBuffer buffer) => (long[])buffer[buffer.Count - 1]!;

    public static T Read<T>(ValueBuffer buffer, int index, int offset)
        where T : struct =>
        buffer[index] is WireTypedMarker marker ? ReadAt<T>(SlabOf(buffer), marker.Start + offset) : (T)buffer[index]!;

    public static T? ReadNullable<T>(ValueBuffer buffer, int index, int offset)
        where T : struct =>
        buffer[index] is WireTypedMarker marker ? ReadAt<T>(SlabOf(buffer), marker.Start + offset) : (T?)buffer[index];

    /// <summary>The value as an object (EF Core's key values for the identity map): boxed once, only when asked for.</summary>
    public static object? ReadBoxed<T>(ValueBuffer buffer, int index, int offset)
        where T : struct
    {
        var value = buffer[index];
        if (value is not WireTypedMarker marker)
        {
            return value;
        }

        var typed = ReadAt<T>(SlabOf(buffer), marker.Start + offset);
        // Small ints (most keys of small collections, counts) share their boxes, as the boxing reader's do.
        return typeof(T) == typeof(int) ? WireValueReaders.Box(Unsafe.As<T, int>(ref typed)) : typed;
    }

    /// <summary>The slot itself, for a null test (a typed value is not null): no box to compare.</summary>
    public static object? Slot(ValueBuffer buffer, int index) => buffer[index];

    /// <summary>A projected value from a row (see <see cref="ShaperMethods.ReadRowValue{T}"/>).</summary>
    public static T RowValue<T>(object?[] row, int slot, int offset)
        where T : struct
    {
        var value = row[slot];
        return value is WireTypedMarker marker ? ReadAt<T>((long[])row[^1]!, marker.Start + offset)
            : value is null ? default : (T)value;
    }

    public static T? RowNullable<T>(object?[] row, int slot, int offset)
        where T : struct =>
        row[slot] is WireTypedMarker marker ? ReadAt<T>((long[])row[^1]!, marker.Start + offset) : (T?)row[slot];
}

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

/// <summary>
/// Replaces EF Core's value-buffer reads (<c>ValueBufferTryReadValue</c>) of typed properties in a wire-path shaper with
/// reads of the bank (<see cref="WireBank"/>), as EF Core's Cosmos provider replaces them with reads of its JSON: the
/// materializer, the identity-map key and the shadow-value snapshot all read the value with its own type.
/// </summary>
internal sealed class WireTypedReadRewriter : ExpressionVisitor
{
    private static readonly MethodInfo ReadMethod = typeof(WireBank).GetMethod(nameof(WireBank.Read))!;
    private static readonly MethodInfo ReadNullableMethod = typeof(WireBank).GetMethod(nameof(WireBank.ReadNullable))!;
    private static readonly MethodInfo ReadBoxedMethod = typeof(WireBank).GetMethod(nameof(WireBank.ReadBoxed))!;
    private static readonly MethodInfo SlotMethod = typeof(WireBank).GetMethod(nameof(WireBank.Slot))!;

    /// <summary>How many reads were replaced (what a test checks to see that the typed path is used).</summary>
    public int Replaced { get; private set; }

    protected override Expression VisitMethodCall(MethodCallExpression node) =>
        TypedReaderOf(node) is { } reader ? Typed(node, reader) : base.VisitMethodCall(node);

    protected override Expression VisitBinary(BinaryExpression node)
    {
        // EF Core tests a key for null by reading it as object: the slot itself answers without boxing the value.
        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual
            && node.Right is ConstantExpression { Value: null }
            && node.Left is MethodCallExpression { Type: var type } call && type == typeof(object)
            && TypedReaderOf(call) is not null)
        {
            Replaced++;
            return Expression.MakeBinary(
                node.NodeType, Expression.Call(SlotMethod, Visit(call.Arguments[0]), call.Arguments[1]), node.Right, node.IsLiftedToNull,
                node.Method);
        }

        return base.VisitBinary(node);
    }

    private static WireTypedReader? TypedReaderOf(MethodCallExpression node) =>
        node.Method.IsGenericMethod
        && node.Method.GetGenericMethodDefinition() == Microsoft.EntityFrameworkCore.Infrastructure.ExpressionExtensions
            .ValueBufferTryReadValueMethod
        && node.Arguments[2] is ConstantExpression { Value: IPropertyBase property }
            ? WireBankLayout.Find(property)
            : null;

    private Expression Typed(MethodCallExpression node, WireTypedReader reader)
    {
        Replaced++;
        var type = node.Method.GetGenericArguments()[0];
        var buffer = Visit(node.Arguments[0]);
        var offset = Expression.Constant(reader.Offset);
        if (type == reader.StoreType)
        {
            return Expression.Call(ReadMethod.MakeGenericMethod(type), buffer, node.Arguments[1], offset);
        }

        if (Nullable.GetUnderlyingType(type) == reader.StoreType)
        {
            return Expression.Call(ReadNullableMethod.MakeGenericMethod(reader.StoreType), buffer, node.Arguments[1], offset);
        }

        var boxed = Expression.Call(ReadBoxedMethod.MakeGenericMethod(reader.StoreType), buffer, node.Arguments[1], offset);
        return type == typeof(object) ? boxed : Expression.Convert(boxed, type);
    }
}
