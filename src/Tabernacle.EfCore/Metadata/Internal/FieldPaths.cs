using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Tabernacle.EfCore.Update.Internal;

namespace Tabernacle.EfCore.Metadata.Internal;

/// <summary>The dotted path of a property from its document's root: through owned navigations, and into <c>_id</c> for composite keys.</summary>
internal static class FieldPaths
{
    public static string Of(IReadOnlyProperty property)
    {
        var element = DocumentWriter.IsCompositeKeyPart(property) ? $"_id.{property.Name}" : property.GetElementName();
        return property.DeclaringType is IReadOnlyEntityType entityType ? Prefix(entityType) + element : element;
    }

    /// <summary>The path of an owned entity type's document ("" for a root).</summary>
    public static string Prefix(IReadOnlyEntityType entityType)
    {
        var parts = new List<string>();
        for (var type = entityType; type.FindOwnership() is { } ownership; type = ownership.PrincipalEntityType)
        {
            parts.Add(ownership.PrincipalToDependent!.GetElementName());
        }

        parts.Reverse();
        return parts.Count == 0 ? "" : string.Join('.', parts) + ".";
    }
}
