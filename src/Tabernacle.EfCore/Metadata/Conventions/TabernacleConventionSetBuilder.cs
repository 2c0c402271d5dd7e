using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Tabernacle.EfCore.Infrastructure.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>EF Core's conventions adjusted for documents: nested classes embed, keys map to <c>_id</c>, names follow the options.</summary>
internal sealed class TabernacleConventionSetBuilder(ProviderConventionSetBuilderDependencies dependencies, IDbContextOptions options)
    : ProviderConventionSetBuilder(dependencies)
{
    public override ConventionSet CreateConventionSet()
    {
        var conventionSet = base.CreateConventionSet();
        var extension = options.FindExtension<TabernacleOptionsExtension>() ?? new TabernacleOptionsExtension();

        conventionSet.Replace<RelationshipDiscoveryConvention>(new DocumentRelationshipDiscoveryConvention(Dependencies));
        conventionSet.Replace<ValueGenerationConvention>(new DocumentValueGenerationConvention(Dependencies));
        conventionSet.Remove(typeof(ForeignKeyIndexConvention));
        conventionSet.Add(new ElementNameAttributeConvention(Dependencies));
        conventionSet.Add(new ColumnAttributeElementNameConvention(Dependencies));
        conventionSet.Add(new BsonRepresentationAttributeConvention(Dependencies));
        conventionSet.Add(new WriteConcernAttributeConvention(Dependencies));
        conventionSet.Add(new CollectionAttributeConvention(Dependencies));
        conventionSet.Add(new AutoNowAddAttributeConvention(Dependencies));
        conventionSet.Add(new AutoNowAttributeConvention(Dependencies));
        conventionSet.Add(new DefaultAttributeConvention(Dependencies));
        conventionSet.Add(new TimestampPropertyValidationConvention());
        conventionSet.Add(new DocumentNamingConvention(extension.CollectionNaming, extension.ElementNaming, Dependencies));
        return conventionSet;
    }
}
