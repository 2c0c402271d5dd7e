using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// Maps CLR types to BSON: scalars natively (<see cref="BsonValueMapper"/> knows how), primitive collections as arrays,
/// and everything else through the value converters EF Core selects (enums become their numbers by default).
/// </summary>
internal sealed class TabernacleTypeMappingSource(TypeMappingSourceDependencies dependencies) : TypeMappingSource(dependencies)
{
    private static readonly HashSet<Type> NativeTypes =
    [
        typeof(string), typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
        typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal), typeof(char),
        typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(TimeSpan),
        typeof(Guid), typeof(byte[]), typeof(ObjectId), typeof(Decimal128),
    ];

    protected override CoreTypeMapping? FindMapping(in TypeMappingInfo mappingInfo)
    {
        var clrType = mappingInfo.ClrType;
        if (clrType is null)
        {
            return null;
        }

        return base.FindMapping(mappingInfo)
            ?? FindNativeMapping(clrType)
            ?? FindCollectionMapping(mappingInfo, clrType);
    }

    private TabernacleTypeMapping? FindNativeMapping(Type clrType)
    {
        var type = Nullable.GetUnderlyingType(clrType) ?? clrType;
        return NativeTypes.Contains(type) || typeof(BsonValue).IsAssignableFrom(type)
            ? new TabernacleTypeMapping(clrType, jsonValueReaderWriter: Dependencies.JsonValueReaderWriterSource.FindReaderWriter(clrType))
            : null;
    }

    private TabernacleTypeMapping? FindCollectionMapping(in TypeMappingInfo mappingInfo, Type clrType)
    {
        if (clrType == typeof(byte[]) || clrType == typeof(string))
        {
            return null;
        }

        var elementMapping = mappingInfo.ElementTypeMapping;
        if (TryFindJsonCollectionMapping(mappingInfo, clrType, providerClrType: null, ref elementMapping, out var elementComparer,
            out var collectionReaderWriter)
            && elementMapping is not null)
        {
            return new TabernacleTypeMapping(clrType, elementComparer, elementMapping: elementMapping,
                jsonValueReaderWriter: collectionReaderWriter);
        }

        return null;
    }
}
