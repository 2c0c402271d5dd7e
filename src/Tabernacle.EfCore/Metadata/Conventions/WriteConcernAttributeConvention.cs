using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary><c>[WriteConcern(...)]</c> on an entity class sets its default write concern.</summary>
internal sealed class WriteConcernAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : TypeAttributeConventionBase<WriteConcernAttribute>(dependencies)
{
    protected override void ProcessEntityTypeAdded(IConventionEntityTypeBuilder entityTypeBuilder, WriteConcernAttribute attribute,
        IConventionContext<IConventionEntityTypeBuilder> context) =>
        entityTypeBuilder.HasAnnotation(TabernacleAnnotationNames.WriteConcern, attribute.ToWriteConcern(), fromDataAnnotation: true);
}
