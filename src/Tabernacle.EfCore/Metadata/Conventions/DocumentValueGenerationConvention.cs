using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using MongoDB.Bson;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// ObjectId and Guid keys are generated when an entity is added (clients generate them in MongoDB). Integer keys are
/// store-generated as EF's relational providers make them (the code of ASP.NET Core Identity and others expects it): a
/// counter per collection gives them their values on save (<see cref="GeneratedIntegerKeys"/>); a non-zero value set by
/// the application is kept. The position key of owned collection items is
/// regenerated from the array on every save.
/// </summary>
internal sealed class DocumentValueGenerationConvention(ProviderConventionSetBuilderDependencies dependencies)
    : ValueGenerationConvention(dependencies)
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
        if (GeneratedIntegerKeys.IsCandidateType(type))
        {
            return property.DeclaringType is IConventionEntityType entityType && !entityType.IsOwned() ? ValueGenerated.OnAdd : null;
        }

        return type == typeof(Guid) || type == typeof(ObjectId)
            || (type == typeof(string) && BsonRepresentationAttributeConvention.IsObjectIdString(property))
            ? ValueGenerated.OnAdd
            : null;
    }
}
