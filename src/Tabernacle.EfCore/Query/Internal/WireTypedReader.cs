using System.Reflection;
using System.Runtime.CompilerServices;
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
            // An enum whose mapping has no converter is stored as its number: read as the underlying type, whose bits are
            // the enum's.
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
        [typeof(int)] = Always<int>(BsonType.Int32, static r => r.ReadInt32()),
        [typeof(long)] = Always<long>(BsonType.Int64, static r => r.ReadInt64()),
        [typeof(double)] = Always<double>(BsonType.Double, static r => r.ReadDouble()),
        [typeof(bool)] = Always<bool>(BsonType.Boolean, static r => r.ReadBoolean()),
        // As BsonDateTime.ToUniversalTime: milliseconds since the epoch, clamped to DateTime's range.
        [typeof(DateTime)] = Always<DateTime>(BsonType.DateTime, static r => ReadDateTime(r)),
        [typeof(ObjectId)] = Always<ObjectId>(BsonType.ObjectId, static r => r.ReadObjectId()),
        [typeof(decimal)] = Always<decimal>(BsonType.Decimal128, static r => Decimal128.ToDecimal(r.ReadDecimal128())),
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
        [typeof(string)] = Always<string>(BsonType.String, static r => r.ReadString()),
        // The types the provider stores as another BSON type (BsonValueMapper.ToBson), read as BsonValueMapper.FromBson
        // reads them; a stored value out of the type's range is the same error as on the document path.
        [typeof(float)] = Always<float>(BsonType.Double, static r => (float)r.ReadDouble()),
        [typeof(short)] = Narrow<short>(BsonType.Int32, short.MinValue, short.MaxValue, static n => (short)n),
        [typeof(ushort)] = Narrow<ushort>(BsonType.Int32, ushort.MinValue, ushort.MaxValue, static n => (ushort)n),
        [typeof(byte)] = Narrow<byte>(BsonType.Int32, byte.MinValue, byte.MaxValue, static n => (byte)n),
        [typeof(sbyte)] = Narrow<sbyte>(BsonType.Int32, sbyte.MinValue, sbyte.MaxValue, static n => (sbyte)n),
        [typeof(uint)] = Narrow<uint>(BsonType.Int64, uint.MinValue, uint.MaxValue, static n => (uint)n),
        [typeof(TimeSpan)] = Narrow<TimeSpan>(BsonType.Int64, long.MinValue, long.MaxValue, static n => new TimeSpan(n)),
        [typeof(TimeOnly)] = Narrow<TimeOnly>(BsonType.Int64, 0, TimeOnly.MaxValue.Ticks, static n => new TimeOnly(n)),
        [typeof(DateOnly)] = Always<DateOnly>(BsonType.DateTime, static r => DateOnly.FromDateTime(ReadDateTime(r))),
        [typeof(char)] = (BsonType.String, (DirectRead<char>)((IBsonReader r, out char v, out object? o) =>
        {
            var text = r.ReadString();
            if (text.Length != 1)
            {
                (v, o) = (default, BsonValueMapper.FromBson(text, typeof(char)));
                return false;
            }

            (v, o) = (text[0], null);
            return true;
        })),
    };

    private static DateTime ReadDateTime(IBsonReader reader) => BsonUtils.ToDateTimeFromMillisecondsSinceEpoch(reader.ReadDateTime());

    // A typed read that always gives its type once the BSON type matches.
    private static (BsonType, Delegate) Always<T>(BsonType bsonType, Func<IBsonReader, T> read) =>
        (bsonType, (DirectRead<T>)((IBsonReader r, out T v, out object? o) =>
        {
            (v, o) = (read(r), null);
            return true;
        }));

    // An integer element read as a narrower type: out of range, the document path's conversion gives its error.
    private static (BsonType, Delegate) Narrow<T>(BsonType bsonType, long min, long max, Func<long, T> cast) =>
        (bsonType, (DirectRead<T>)((IBsonReader r, out T v, out object? o) =>
        {
            var number = bsonType == BsonType.Int32 ? r.ReadInt32() : r.ReadInt64();
            if (number < min || number > max)
            {
                BsonValue stored = bsonType == BsonType.Int32 ? new BsonInt32((int)number) : new BsonInt64(number);
                (v, o) = (default!, BsonValueMapper.FromBson(stored, typeof(T)));
                return false;
            }

            (v, o) = (cast(number), null);
            return true;
        }));
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
