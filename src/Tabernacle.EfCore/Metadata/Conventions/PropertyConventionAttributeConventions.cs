using System.Reflection;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary><c>[AutoNowAdd]</c>: the property is set to the current time when its entity is inserted.</summary>
internal sealed class AutoNowAddAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : PropertyAttributeConventionBase<AutoNowAddAttribute>(dependencies)
{
    protected override void ProcessPropertyAdded(IConventionPropertyBuilder propertyBuilder, AutoNowAddAttribute attribute,
        MemberInfo clrMember, IConventionContext context) =>
        propertyBuilder.HasAnnotation(ConventionAnnotationNames.AutoNowAdd, true, fromDataAnnotation: true);
}

/// <summary><c>[AutoNow]</c>: the property is set to the current time on every insert and update.</summary>
internal sealed class AutoNowAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : PropertyAttributeConventionBase<AutoNowAttribute>(dependencies)
{
    protected override void ProcessPropertyAdded(IConventionPropertyBuilder propertyBuilder, AutoNowAttribute attribute,
        MemberInfo clrMember, IConventionContext context) =>
        propertyBuilder.HasAnnotation(ConventionAnnotationNames.AutoNow, true, fromDataAnnotation: true);
}

/// <summary><c>[Default(value)]</c>: the property's default, converted to the property's type.</summary>
internal sealed class DefaultAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : PropertyAttributeConventionBase<DefaultAttribute>(dependencies)
{
    protected override void ProcessPropertyAdded(IConventionPropertyBuilder propertyBuilder, DefaultAttribute attribute,
        MemberInfo clrMember, IConventionContext context)
    {
        var property = propertyBuilder.Metadata;
        var value = DefaultValues.Convert(attribute.Value, property.ClrType, $"{property.DeclaringType.DisplayName()}.{property.Name}");
        propertyBuilder.HasAnnotation(ConventionAnnotationNames.DefaultValue, value, fromDataAnnotation: true);
    }
}
