using System.Collections;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// A model value to BSON and back, through the property's type mapping: its value converter (for example an enum
/// stored as a string) and, for primitive collections, the element converter. Queries and saves share it, so a
/// value written by SaveChanges is found by a query that compares against the same CLR value.
/// </summary>
internal static class PropertyBson
{
    public static BsonValue ToBson(CoreTypeMapping? mapping, object? value)
    {
        if (value is null)
        {
            return BsonNull.Value;
        }

        if (mapping?.Converter is { } converter)
        {
            return BsonValueMapper.ToBson(converter.ConvertToProvider(value));
        }

        if (mapping?.ElementTypeMapping is { } elementMapping && value is IEnumerable sequence and not string and not byte[])
        {
            var array = new BsonArray();
            foreach (var item in sequence)
            {
                array.Add(ToBson(elementMapping, item));
            }

            return array;
        }

        return BsonValueMapper.ToBson(value);
    }

    public static BsonValue ToBson(IReadOnlyProperty property, object? value) => ToBson(property.FindTypeMapping(), value);

    /// <summary>Reads a stored value as the model type <paramref name="clrType"/> (after the converter, if any).</summary>
    public static object? FromBson(CoreTypeMapping? mapping, BsonValue? value, Type clrType)
    {
        if (value is null || value.IsBsonNull)
        {
            return null;
        }

        if (mapping?.Converter is { } converter)
        {
            var provider = BsonValueMapper.FromBson(value, converter.ProviderClrType);
            return provider is null ? null : converter.ConvertFromProvider(provider);
        }

        if (mapping?.ElementTypeMapping is { Converter: not null } elementMapping && value is BsonArray array
            && BsonValueMapper.ElementTypeOf(Nullable.GetUnderlyingType(clrType) ?? clrType) is { } elementType)
        {
            var converted = new BsonArray(array.Count);
            var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            foreach (var item in array)
            {
                items.Add(FromBson(elementMapping, item, elementType));
            }

            return ToCollection(items, clrType, elementType);
        }

        return BsonValueMapper.FromBson(value, clrType);
    }

    public static object? FromBson(IReadOnlyProperty property, BsonValue? value) =>
        FromBson(property.FindTypeMapping(), value, property.ClrType);

    private static object ToCollection(IList items, Type target, Type elementType)
    {
        if (target.IsArray)
        {
            var result = Array.CreateInstance(elementType, items.Count);
            items.CopyTo(result, 0);
            return result;
        }

        return target.IsInstanceOfType(items) ? items : Activator.CreateInstance(target, items)!;
    }

    /// <summary>The converter of a property, if it has one.</summary>
    public static ValueConverter? ConverterOf(IReadOnlyProperty property) => property.FindTypeMapping()?.Converter;
}
