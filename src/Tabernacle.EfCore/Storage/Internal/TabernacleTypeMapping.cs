using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.Json;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>A CLR type the provider stores as a BSON value (see <see cref="BsonValueMapper"/>), possibly through a value
/// converter.</summary>
public sealed class TabernacleTypeMapping : CoreTypeMapping
{
    /// <summary>Creates a mapping for <paramref name="clrType"/>.</summary>
    public TabernacleTypeMapping(
        Type clrType,
        ValueComparer? comparer = null,
        ValueComparer? keyComparer = null,
        CoreTypeMapping? elementMapping = null,
        JsonValueReaderWriter? jsonValueReaderWriter = null)
        : base(new CoreTypeMappingParameters(clrType, converter: null, comparer, keyComparer, elementMapping: elementMapping,
            jsonValueReaderWriter: jsonValueReaderWriter))
    {
    }

    private TabernacleTypeMapping(CoreTypeMappingParameters parameters)
        : base(parameters)
    {
    }

    /// <inheritdoc />
    public override CoreTypeMapping WithComposedConverter(
        ValueConverter? converter,
        ValueComparer? comparer = null,
        ValueComparer? keyComparer = null,
        CoreTypeMapping? elementMapping = null,
        JsonValueReaderWriter? jsonValueReaderWriter = null)
        => new TabernacleTypeMapping(
            Parameters.WithComposedConverter(converter, comparer, keyComparer, elementMapping, jsonValueReaderWriter));

    /// <inheritdoc />
    protected override CoreTypeMapping Clone(CoreTypeMappingParameters parameters) => new TabernacleTypeMapping(parameters);
}
