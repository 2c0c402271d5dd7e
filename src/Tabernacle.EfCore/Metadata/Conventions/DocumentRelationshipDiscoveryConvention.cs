using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// A navigation to a class that is not an entity type of its own (no <c>DbSet</c>, not configured) is owned: the class
/// is embedded in its owner's document, as MongoDB users expect of nested objects and arrays of objects.
/// </summary>
internal sealed class DocumentRelationshipDiscoveryConvention(ProviderConventionSetBuilderDependencies dependencies)
    : RelationshipDiscoveryConvention(dependencies)
{
    protected override bool? ShouldBeOwned(Type targetType, IConventionModel model) =>
        !targetType.IsGenericType || targetType.GetInterface(typeof(IEnumerable<>).Name) is null;
}
