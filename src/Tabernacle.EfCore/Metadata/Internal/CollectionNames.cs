using System.Reflection;
using Humanizer;

namespace Tabernacle.EfCore.Metadata.Internal;

/// <summary>The convention-level collection names: a nested <c>Meta</c> class's <c>Collection</c>, else the naming rule.</summary>
internal static class CollectionNames
{
    /// <summary>The name of the nested class that carries the collection name, in the TabernacleORM style.</summary>
    public const string MetaClassName = "Meta";

    /// <summary>The name of the constant (or static field or property) of the <c>Meta</c> class that names the collection.</summary>
    public const string MetaCollectionMember = "Collection";

    /// <summary>The name from the type's <c>Meta</c> class, else from the naming rule.</summary>
    public static string ForConvention(Type clrType, CollectionNaming naming, string? dbSetName) =>
        FromMeta(clrType) ?? Default(clrType, naming, dbSetName);

    public static string Default(Type clrType, CollectionNaming naming, string? dbSetName) => naming switch
    {
        CollectionNaming.DbSetName => dbSetName ?? Name(clrType),
        CollectionNaming.AsDeclared => Name(clrType),
        _ => Name(clrType).Pluralize(inputIsKnownToBeSingular: false).ToLowerInvariant(),
    };

    // A generic entity type (Identity's IdentityUserClaim<TKey>) is named without its arity suffix: "identityuserclaims",
    // not "identityuserclaim`1s".
    private static string Name(Type clrType) =>
        clrType.Name.IndexOf('`', StringComparison.Ordinal) is var tick and > 0 ? clrType.Name[..tick] : clrType.Name;

    /// <summary>
    /// <c>class Product { public static class Meta { public const string Collection = "products"; } }</c> → <c>products</c>;
    /// <c>null</c> when the type declares no such class (a base class's <c>Meta</c> is not inherited).
    /// </summary>
    public static string? FromMeta(Type clrType)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        if (clrType.GetNestedType(MetaClassName, BindingFlags.Public | BindingFlags.NonPublic) is not { } meta)
        {
            return null;
        }

        var value = meta.GetField(MetaCollectionMember, Flags) is { } field
            ? field.IsLiteral ? field.GetRawConstantValue() : field.GetValue(null)
            : meta.GetProperty(MetaCollectionMember, Flags)?.GetValue(null);
        return value switch
        {
            null => null,
            string name when !string.IsNullOrWhiteSpace(name) => name,
            _ => throw new InvalidOperationException(
                $"'{clrType.Name}.{MetaClassName}.{MetaCollectionMember}' must be a non-empty string naming the collection."),
        };
    }
}
