using Humanizer;

namespace Tabernacle.EfCore.Metadata.Internal;

/// <summary>The default collection-naming rules.</summary>
internal static class CollectionNames
{
    public static string Default(Type clrType, CollectionNaming naming, string? dbSetName) => naming switch
    {
        CollectionNaming.DbSetName => dbSetName ?? clrType.Name,
        CollectionNaming.AsDeclared => clrType.Name,
        _ => clrType.Name.Pluralize(inputIsKnownToBeSingular: false).ToLowerInvariant(),
    };
}
