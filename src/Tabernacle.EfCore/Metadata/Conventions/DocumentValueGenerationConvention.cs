using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using MongoDB.Bson;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// ObjectId and Guid keys are generated when an entity is added (clients generate them in MongoDB); numeric keys are
/// the application's to assign, since MongoDB has no auto-increment. The position key of owned collection items is
/// regenerated from the array on every save.
/// </summary>
internal sealed class DocumentValueGenerationConvention(ProviderConventionSetBuilderDependencies dependencies) : ValueGenerationConvention(dependencies)
{
    protected override ValueGenerated? GetValueGenerated(IConventionProperty property)
    {
        if (StoredValues.IsOrdinalKey(property))
        {
            return ValueGenerated.OnAdd;
        }

        if (property.FindContainingPrimaryKey() is not { Properties.Count: 1 } || property.IsForeignKey())
        {
            return null;
        }

        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        return type == typeof(Guid) || type == typeof(ObjectId) || (type == typeof(string) && BsonRepresentationAttributeConvention.IsObjectIdString(property))
            ? ValueGenerated.OnAdd
            : null;
    }
}
