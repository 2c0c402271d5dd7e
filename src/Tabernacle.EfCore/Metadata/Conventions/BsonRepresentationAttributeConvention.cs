using System.Reflection;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// <c>[BsonRepresentation(BsonType.ObjectId)]</c> on a string stores it as an ObjectId (and generates it for keys);
/// <c>BsonType.String</c> on an enum stores its name.
/// </summary>
internal sealed class BsonRepresentationAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : PropertyAttributeConventionBase<BsonRepresentationAttribute>(dependencies)
{
    private static readonly ValueConverter<string, ObjectId> StringToObjectId = new(s => ObjectId.Parse(s), o => o.ToString());

    public static bool IsObjectIdString(IReadOnlyProperty property) =>
        property.PropertyInfo?.GetCustomAttribute<BsonRepresentationAttribute>() is { Representation: BsonType.ObjectId }
        && property.ClrType == typeof(string);

    protected override void ProcessPropertyAdded(IConventionPropertyBuilder propertyBuilder, BsonRepresentationAttribute attribute,
        MemberInfo clrMember, IConventionContext context)
    {
        var type = Nullable.GetUnderlyingType(propertyBuilder.Metadata.ClrType) ?? propertyBuilder.Metadata.ClrType;
        switch (attribute.Representation)
        {
            case BsonType.ObjectId when type == typeof(string):
                propertyBuilder.HasConversion(StringToObjectId, fromDataAnnotation: true);
                break;
            case BsonType.String when type.IsEnum:
                propertyBuilder.HasConversion(typeof(string), fromDataAnnotation: true);
                break;
        }
    }
}
