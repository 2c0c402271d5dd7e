using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>The model annotations of the Tabernacle conventions (timestamps and default values).</summary>
internal static class ConventionAnnotationNames
{
    /// <summary><c>true</c> on a property set to the current time on insert (<c>[AutoNowAdd]</c>, <c>IsAutoNowAdd()</c>).</summary>
    public const string AutoNowAdd = TabernacleAnnotationNames.Prefix + "AutoNowAdd";

    /// <summary><c>true</c> on a property set to the current time on insert and on every update (<c>[AutoNow]</c>,
    /// <c>IsAutoNow()</c>).</summary>
    public const string AutoNow = TabernacleAnnotationNames.Prefix + "AutoNow";

    /// <summary>The default value of a property, already converted to its CLR type (<c>[Default]</c>, <c>HasDefault()</c>).</summary>
    public const string DefaultValue = TabernacleAnnotationNames.DefaultValue;
}
