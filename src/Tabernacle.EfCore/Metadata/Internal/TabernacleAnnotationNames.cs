namespace Tabernacle.EfCore.Metadata.Internal;

/// <summary>The names of the model annotations the provider reads and writes.</summary>
internal static class TabernacleAnnotationNames
{
    public const string Prefix = "Tabernacle:";
    public const string CollectionName = Prefix + "CollectionName";
    public const string ElementName = Prefix + "ElementName";
    public const string WriteConcern = Prefix + "WriteConcern";
    public const string ViewOn = Prefix + "ViewOn";
    public const string ViewPipeline = Prefix + "ViewPipeline";

    /// <summary>The default value filled in for a missing element, already converted to the property's CLR type.</summary>
    public const string DefaultValue = Prefix + "DefaultValue";
}
