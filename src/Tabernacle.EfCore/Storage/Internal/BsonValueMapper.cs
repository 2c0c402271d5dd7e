using System.Collections;
using System.Globalization;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// Converts provider values (after any EF value converter) to BSON and back. This is the provider's storage format:
/// decimals are Decimal128, Guids standard UUIDs, DateTimes UTC dates, DateTimeOffsets <c>{DateTime, Ticks, Offset}</c>
/// documents (ordered by instant), DateOnly midnight UTC dates, TimeOnly and TimeSpan ticks, collections arrays.
/// Reading is tolerant of the numeric type stored (documents written by other tools), never of the kind of value.
/// </summary>
internal static class BsonValueMapper
{
    public static BsonValue ToBson(object? value)
    {
        switch (value)
        {
            case null:
                return BsonNull.Value;
            case BsonValue bson:
                return bson;
            case string s:
                return new BsonString(s);
            case bool b:
                return b ? BsonBoolean.True : BsonBoolean.False;
            case int i:
                return new BsonInt32(i);
            case long l:
                return new BsonInt64(l);
            case short s16:
                return new BsonInt32(s16);
            case byte u8:
                return new BsonInt32(u8);
            case sbyte s8:
                return new BsonInt32(s8);
            case ushort u16:
                return new BsonInt32(u16);
            case uint u32:
                return new BsonInt64(u32);
            case ulong u64:
                return u64 <= long.MaxValue ? new BsonInt64((long)u64) : new BsonDecimal128(new Decimal128(u64));
            case double d:
                return new BsonDouble(d);
            case float f:
                return new BsonDouble(f);
            case decimal m:
                return new BsonDecimal128(m);
            case char c:
                return new BsonString(c.ToString());
            case DateTime dt:
                return new BsonDateTime(ToUtc(dt));
            case DateTimeOffset dto:
                return new BsonDocument
                {
                    { "DateTime", new BsonDateTime(dto.UtcDateTime) },
                    { "Ticks", dto.Ticks },
                    { "Offset", (int)dto.Offset.TotalMinutes },
                };
            case DateOnly date:
                return new BsonDateTime(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            case TimeOnly time:
                return new BsonInt64(time.Ticks);
            case TimeSpan span:
                return new BsonInt64(span.Ticks);
            case Guid guid:
                return new BsonBinaryData(guid, GuidRepresentation.Standard);
            case byte[] bytes:
                return new BsonBinaryData(bytes);
            case ObjectId oid:
                return new BsonObjectId(oid);
            case Decimal128 d128:
                return new BsonDecimal128(d128);
            case Enum e:
                return ToBson(Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), CultureInfo.InvariantCulture));
            case IEnumerable sequence:
                var array = new BsonArray();
                foreach (var item in sequence)
                {
                    array.Add(ToBson(item));
                }

                return array;
            default:
                throw new InvalidOperationException(
                    $"Tabernacle cannot store a value of type '{value.GetType().Name}'. Configure a value converter for it " +
                        $"(HasConversion) or use a supported type.");
        }
    }

    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value,
    };

    /// <summary>Reads a BSON value as <paramref name="type"/>; a null or missing value gives <c>null</c>.</summary>
    public static object? FromBson(BsonValue? value, Type type)
    {
        if (value is null || value.IsBsonNull || value.IsBsonUndefined)
        {
            return null;
        }

        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(object))
        {
            return BsonTypeMapper.MapToDotNetValue(value);
        }

        if (typeof(BsonValue).IsAssignableFrom(target))
        {
            return value;
        }

        try
        {
            return Read(value, target);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The stored value {value.ToJson()} (BSON {value.BsonType}) cannot be read as '{target.Name}'.", ex);
        }
    }

    private static object Read(BsonValue value, Type target)
    {
        if (target == typeof(string))
        {
            return value.BsonType switch
            {
                BsonType.String => value.AsString,
                BsonType.ObjectId => value.AsObjectId.ToString(),
                BsonType.Symbol => value.AsBsonSymbol.Name,
                _ => throw new InvalidCastException(),
            };
        }

        if (target == typeof(int))
        {
            return value.ToInt32();
        }

        if (target == typeof(long))
        {
            return value.ToInt64();
        }

        if (target == typeof(double))
        {
            return value.ToDouble();
        }

        if (target == typeof(bool))
        {
            return value.AsBoolean;
        }

        if (target == typeof(decimal))
        {
            return value.BsonType == BsonType.Decimal128 ? Decimal128.ToDecimal(value.AsDecimal128) : value.ToDecimal();
        }

        if (target == typeof(DateTime))
        {
            return value.ToUniversalTime();
        }

        if (target == typeof(Guid))
        {
            return value.BsonType == BsonType.String ? Guid.Parse(value.AsString)
                : value.AsBsonBinaryData.ToGuid(GuidRepresentation.Standard);
        }

        if (target == typeof(ObjectId))
        {
            return value.BsonType == BsonType.String ? ObjectId.Parse(value.AsString) : value.AsObjectId;
        }

        if (target == typeof(float))
        {
            return (float)value.ToDouble();
        }

        if (target == typeof(short))
        {
            return checked((short)value.ToInt32());
        }

        if (target == typeof(byte))
        {
            return checked((byte)value.ToInt32());
        }

        if (target == typeof(sbyte))
        {
            return checked((sbyte)value.ToInt32());
        }

        if (target == typeof(ushort))
        {
            return checked((ushort)value.ToInt32());
        }

        if (target == typeof(uint))
        {
            return checked((uint)value.ToInt64());
        }

        if (target == typeof(ulong))
        {
            return value.BsonType == BsonType.Decimal128 ? (ulong)Decimal128.ToDecimal(value.AsDecimal128)
                : checked((ulong)value.ToInt64());
        }

        if (target == typeof(char))
        {
            return value.AsString.Length == 1 ? value.AsString[0] : throw new InvalidCastException();
        }

        if (target == typeof(DateTimeOffset))
        {
            if (value is BsonDocument document)
            {
                var offset = TimeSpan.FromMinutes(document.GetValue("Offset", 0).ToInt32());
                return document.TryGetValue("Ticks", out var ticks)
                    ? new DateTimeOffset(ticks.ToInt64(), offset)
                    : new DateTimeOffset(document["DateTime"].ToUniversalTime()).ToOffset(offset);
            }

            return new DateTimeOffset(value.ToUniversalTime());
        }

        if (target == typeof(DateOnly))
        {
            return DateOnly.FromDateTime(value.ToUniversalTime());
        }

        if (target == typeof(TimeOnly))
        {
            return new TimeOnly(value.ToInt64());
        }

        if (target == typeof(TimeSpan))
        {
            return value.BsonType == BsonType.String ? TimeSpan.Parse(value.AsString, CultureInfo.InvariantCulture)
                : new TimeSpan(value.ToInt64());
        }

        if (target == typeof(byte[]))
        {
            return value.AsBsonBinaryData.Bytes;
        }

        if (target == typeof(Decimal128))
        {
            return value.AsDecimal128;
        }

        if (target.IsEnum)
        {
            return value.BsonType == BsonType.String
                ? Enum.Parse(target, value.AsString)
                : Enum.ToObject(target, value.ToInt64());
        }

        if (ElementTypeOf(target) is { } elementType && value is BsonArray array)
        {
            return ReadCollection(array, target, elementType);
        }

        throw new InvalidCastException();
    }

    /// <summary>The element type of a collection type the provider stores as an array, or <c>null</c>.</summary>
    public static Type? ElementTypeOf(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static object ReadCollection(BsonArray array, Type target, Type elementType)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        foreach (var item in array)
        {
            list.Add(FromBson(item, elementType));
        }

        if (target.IsArray)
        {
            var result = Array.CreateInstance(elementType, list.Count);
            list.CopyTo(result, 0);
            return result;
        }

        if (target.IsAssignableFrom(list.GetType()))
        {
            return list;
        }

        // HashSet<T>, collections with an IEnumerable<T> constructor.
        return Activator.CreateInstance(target, list)
            ?? throw new InvalidCastException();
    }
}
