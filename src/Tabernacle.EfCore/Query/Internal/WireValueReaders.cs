using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Reads one element's value from the wire as a property's type, chosen once per property when a query shape is
/// compiled. The common stored types (string, 32/64-bit integers, double, bool, date, ObjectId, UUID, Decimal128) are
/// read with the reader's own typed methods; anything else (another numeric type than the property's, converters of
/// other provider types, collections, documents) goes through <see cref="PropertyBson.FromBson(CoreTypeMapping?, BsonValue?, Type)"/>
/// so that it reads exactly as the document path does, errors included.
/// </summary>
internal static class WireValueReaders
{
    /// <summary>A reader of a present, non-null value (the table handles null and missing).</summary>
    public delegate object? ValueReader(IBsonReader reader);

    private static readonly object True = true;
    private static readonly object False = false;

    // Boxes of small integers are shared: counts, flags and enum-like values are mostly small, and a box per value is
    // the one allocation left between the wire and EF Core's value buffer.
    private static readonly object[] SmallInts = Enumerable.Range(-1, 258).Select(i => (object)i).ToArray();

    public static ValueReader For(CoreTypeMapping? mapping, Type clrType)
    {
        var converter = mapping?.Converter;
        var target = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? clrType) ?? converter?.ProviderClrType ?? clrType;
        var fallback = Fallback(mapping, clrType);
        if (mapping?.ElementTypeMapping is { Converter: not null } || Direct(target) is not { } direct)
        {
            return fallback;
        }

        if (converter is not null)
        {
            var fromProvider = converter.ConvertFromProvider;
            return reader => Typed(reader, direct) is var value && ReferenceEquals(value, Fell) ? fallback(reader) : fromProvider(value);
        }

        return reader => Typed(reader, direct) is var value && ReferenceEquals(value, Fell) ? fallback(reader) : value;
    }

    // Marks a value the typed reader left for the fallback (its BSON type is not the one the typed read expects).
    private static readonly object Fell = new();

    private static object? Typed(IBsonReader reader, (BsonType Type, ValueReader Read) direct) =>
        reader.CurrentBsonType == direct.Type ? direct.Read(reader) : Fell;

    private static (BsonType, ValueReader)? Direct(Type target)
    {
        if (target == typeof(string))
        {
            return (BsonType.String, static r => r.ReadString());
        }

        if (target == typeof(int))
        {
            return (BsonType.Int32, static r => Box(r.ReadInt32()));
        }

        if (target == typeof(long))
        {
            return (BsonType.Int64, static r => r.ReadInt64());
        }

        if (target == typeof(double))
        {
            return (BsonType.Double, static r => r.ReadDouble());
        }

        if (target == typeof(bool))
        {
            return (BsonType.Boolean, static r => r.ReadBoolean() ? True : False);
        }

        if (target == typeof(DateTime))
        {
            // As BsonDateTime.ToUniversalTime: milliseconds since the epoch, clamped to DateTime's range.
            return (BsonType.DateTime, static r => BsonUtils.ToDateTimeFromMillisecondsSinceEpoch(r.ReadDateTime()));
        }

        if (target == typeof(ObjectId))
        {
            return (BsonType.ObjectId, static r => r.ReadObjectId());
        }

        if (target == typeof(decimal))
        {
            return (BsonType.Decimal128, static r => Decimal128.ToDecimal(r.ReadDecimal128()));
        }

        if (target == typeof(Guid))
        {
            return (BsonType.Binary, static r =>
            {
                var binary = r.ReadBinaryData();
                return binary.SubType == BsonBinarySubType.UuidStandard
                    ? binary.ToGuid(GuidRepresentation.Standard)
                    : BsonValueMapper.FromBson(binary, typeof(Guid));
            });
        }

        return null;
    }

    /// <summary>An int boxed, from a shared box when small.</summary>
    internal static object Box(int value) => (uint)(value + 1) < (uint)SmallInts.Length ? SmallInts[value + 1] : value;

    /// <summary>The value as BSON, converted as the document path converts it.</summary>
    public static ValueReader Fallback(CoreTypeMapping? mapping, Type clrType) => reader =>
    {
        var value = BsonValueSerializer.Instance.Deserialize(BsonDeserializationContext.CreateRoot(reader));
        return PropertyBson.FromBson(mapping, value, clrType);
    };

    /// <summary>A value as raw BSON (the array of a complex collection, read by the materializer).</summary>
    public static BsonValue Raw(IBsonReader reader) =>
        BsonValueSerializer.Instance.Deserialize(BsonDeserializationContext.CreateRoot(reader));
}
