using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>
/// Names what nothing more specific named, when the model is finalized: each root entity type's collection (from its
/// nested <c>Meta</c> class's <c>Collection</c> constant, else the context's collection naming option) and each
/// property's element (from the element naming option). Names configured fluently (<c>ToCollection</c>,
/// <c>HasElementName</c>) or by attributes (<c>[Collection]</c>, <c>[BsonElement]</c>, <c>[Column]</c>) win because they
/// carry a higher configuration source than this convention's.
/// </summary>
internal sealed class DocumentNamingConvention(CollectionNaming collectionNaming, ElementNaming elementNaming,
    ProviderConventionSetBuilderDependencies dependencies) : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        var dbSetNames = dependencies.SetFinder.FindSets(dependencies.ContextType).ToDictionary(s => s.Type, s => s.Name);
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes())
        {
            if (entityType.FindOwnership() is null && entityType.BaseType is null)
            {
                var name =
                    CollectionNames.ForConvention(entityType.ClrType, collectionNaming, dbSetNames.GetValueOrDefault(entityType.ClrType));
                entityType.Builder.HasAnnotation(TabernacleAnnotationNames.CollectionName, name);
            }

            if (elementNaming == ElementNaming.AsDeclared)
            {
                continue;
            }

            foreach (var property in entityType.GetDeclaredProperties())
            {
                var stored = property.GetElementName();
                if (stored.Length > 0 && stored != TabernacleModelExtensions.IdElementName
                    && property[TabernacleAnnotationNames.ElementName] is null)
                {
                    property.Builder.HasAnnotation(TabernacleAnnotationNames.ElementName, Transform(property.Name, elementNaming));
                }
            }

            foreach (var navigation in entityType.GetDeclaredNavigations().Where(n =>
                n.TargetEntityType.FindOwnership()?.PrincipalToDependent == n))
            {
                if (navigation[TabernacleAnnotationNames.ElementName] is null)
                {
                    navigation.Builder.HasAnnotation(TabernacleAnnotationNames.ElementName, Transform(navigation.Name, elementNaming));
                }
            }
        }
    }

    public static string Transform(string name, ElementNaming naming) => naming switch
    {
        ElementNaming.CamelCase => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..],
        ElementNaming.SnakeCase => SnakeCase(name),
        _ => name,
    };

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (i > 0 && (previousIsLowerOrDigit || (nextIsLower && char.IsUpper(name[i - 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
