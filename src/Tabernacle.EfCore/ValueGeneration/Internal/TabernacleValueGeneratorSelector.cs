using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.ValueGeneration;
using MongoDB.Bson;
using Tabernacle.EfCore.Metadata.Conventions;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.ValueGeneration.Internal;

/// <summary>
/// ObjectId generators for ObjectId keys; temporary numbers for the position key of owned collection items and for the
/// integer keys a counter gives their values on save.
/// </summary>
internal sealed class TabernacleValueGeneratorSelector(ValueGeneratorSelectorDependencies dependencies)
    : ValueGeneratorSelector(dependencies)
{
    protected override ValueGenerator? FindForType(IProperty property, ITypeBase typeBase, Type clrType)
    {
        if (clrType == typeof(ObjectId))
        {
            return new ObjectIdValueGenerator();
        }

        if (clrType == typeof(string) && BsonRepresentationAttributeConvention.IsObjectIdString(property))
        {
            return new ObjectIdStringValueGenerator();
        }

        if (clrType == typeof(int) && StoredValues.IsOrdinalKey(property))
        {
            return new TemporaryNumberValueGeneratorFactory().Create(property, typeBase);
        }

        // Store-generated integer keys hold temporary values until the save gives them their counter values.
        if (typeBase is IEntityType entityType && GeneratedIntegerKeys.Of(entityType) == property)
        {
            return new TemporaryNumberValueGeneratorFactory().Create(property, typeBase);
        }

        return base.FindForType(property, typeBase, clrType);
    }
}
