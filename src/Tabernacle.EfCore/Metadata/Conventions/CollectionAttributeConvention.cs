using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// <c>[Collection("x")]</c> names the collection, as a data annotation: above the <c>Meta</c> class and the naming rule
/// (which are set by convention), below fluent <c>ToCollection</c> (explicit).
/// </summary>
internal sealed class CollectionAttributeConvention(ProviderConventionSetBuilderDependencies dependencies)
    : TypeAttributeConventionBase<CollectionAttribute>(dependencies)
{
    protected override void ProcessEntityTypeAdded(IConventionEntityTypeBuilder entityTypeBuilder, CollectionAttribute attribute,
        IConventionContext<IConventionEntityTypeBuilder> context) =>
        entityTypeBuilder.HasAnnotation(TabernacleAnnotationNames.CollectionName, attribute.Name, fromDataAnnotation: true);
}
