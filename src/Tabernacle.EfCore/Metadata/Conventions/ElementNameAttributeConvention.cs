using System.ComponentModel.DataAnnotations.Schema;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using MongoDB.Bson.Serialization.Attributes;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary><c>[BsonElement("name")]</c> names the element a property is stored under.</summary>
internal sealed class ElementNameAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : PropertyAttributeConventionBase<BsonElementAttribute>(dependencies)
{
    protected override void ProcessPropertyAdded(IConventionPropertyBuilder propertyBuilder, BsonElementAttribute attribute,
        MemberInfo clrMember, IConventionContext context)
    {
        if (!string.IsNullOrWhiteSpace(attribute.ElementName))
        {
            propertyBuilder.HasAnnotation(TabernacleAnnotationNames.ElementName, attribute.ElementName, fromDataAnnotation: true);
        }
    }
}

/// <summary><c>[Column("name")]</c> names the element too, so models shared with relational providers keep working.</summary>
internal sealed class ColumnAttributeElementNameConvention(ProviderConventionSetBuilderDependencies dependencies)
    : PropertyAttributeConventionBase<ColumnAttribute>(dependencies)
{
    protected override void ProcessPropertyAdded(IConventionPropertyBuilder propertyBuilder, ColumnAttribute attribute,
        MemberInfo clrMember, IConventionContext context)
    {
        if (!string.IsNullOrWhiteSpace(attribute.Name))
        {
            propertyBuilder.HasAnnotation(TabernacleAnnotationNames.ElementName, attribute.Name, fromDataAnnotation: true);
        }
    }
}
