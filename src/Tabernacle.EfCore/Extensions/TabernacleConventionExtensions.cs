using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tabernacle.EfCore.Metadata.Conventions;

namespace Tabernacle.EfCore;

/// <summary>
/// Fluent configuration of the Tabernacle conventions on properties: timestamps set on insert and update, and default
/// values. The fluent calls win over the attributes (<c>[AutoNowAdd]</c>, <c>[AutoNow]</c>, <c>[Default]</c>).
/// </summary>
public static class TabernaclePropertyBuilderExtensions
{
    /// <summary>
    /// Sets the <see cref="DateTime"/> or <see cref="DateTimeOffset"/> property to the current UTC time (truncated to
    /// milliseconds) when the entity is inserted, unless the application assigned a value; the equivalent of <c>[AutoNowAdd]</c>.
    /// </summary>
    /// <param name="propertyBuilder">The property's builder.</param>
    /// <param name="autoNowAdd"><c>false</c> turns off an <c>[AutoNowAdd]</c> attribute.</param>
    public static PropertyBuilder IsAutoNowAdd(this PropertyBuilder propertyBuilder, bool autoNowAdd = true)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        propertyBuilder.Metadata.SetAnnotation(ConventionAnnotationNames.AutoNowAdd, autoNowAdd);
        return propertyBuilder;
    }

    /// <inheritdoc cref="IsAutoNowAdd(PropertyBuilder, bool)"/>
    public static PropertyBuilder<TProperty> IsAutoNowAdd<TProperty>(this PropertyBuilder<TProperty> propertyBuilder,
        bool autoNowAdd = true)
        => (PropertyBuilder<TProperty>)IsAutoNowAdd((PropertyBuilder)propertyBuilder, autoNowAdd);

    /// <summary>
    /// Sets the <see cref="DateTime"/> or <see cref="DateTimeOffset"/> property to the current UTC time (truncated to
    /// milliseconds) on every insert and every update, <c>ExecuteUpdate</c> included; the equivalent of <c>[AutoNow]</c>.
    /// </summary>
    /// <param name="propertyBuilder">The property's builder.</param>
    /// <param name="autoNow"><c>false</c> turns off an <c>[AutoNow]</c> attribute.</param>
    public static PropertyBuilder IsAutoNow(this PropertyBuilder propertyBuilder, bool autoNow = true)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        propertyBuilder.Metadata.SetAnnotation(ConventionAnnotationNames.AutoNow, autoNow);
        return propertyBuilder;
    }

    /// <inheritdoc cref="IsAutoNow(PropertyBuilder, bool)"/>
    public static PropertyBuilder<TProperty> IsAutoNow<TProperty>(this PropertyBuilder<TProperty> propertyBuilder, bool autoNow = true)
        => (PropertyBuilder<TProperty>)IsAutoNow((PropertyBuilder)propertyBuilder, autoNow);

    /// <summary>
    /// The property's default value: written on insert when the property holds its CLR default, and used when a stored
    /// document has no element for it; the equivalent of <c>[Default(value)]</c>. <c>null</c> removes a default.
    /// </summary>
    /// <param name="propertyBuilder">The property's builder.</param>
    /// <param name="value">The default, of the property's type or convertible to it (a string is parsed).</param>
    public static PropertyBuilder HasDefault(this PropertyBuilder propertyBuilder, object? value)
    {
        ArgumentNullException.ThrowIfNull(propertyBuilder);
        var property = propertyBuilder.Metadata;
        property.SetAnnotation(ConventionAnnotationNames.DefaultValue,
            DefaultValues.Convert(value, property.ClrType, $"{property.DeclaringType.DisplayName()}.{property.Name}"));
        return propertyBuilder;
    }

    /// <inheritdoc cref="HasDefault(PropertyBuilder, object)"/>
    public static PropertyBuilder<TProperty> HasDefault<TProperty>(this PropertyBuilder<TProperty> propertyBuilder, TProperty value)
        => (PropertyBuilder<TProperty>)HasDefault((PropertyBuilder)propertyBuilder, (object?)value);
}

/// <summary>Reads the Tabernacle conventions of a property from the model.</summary>
public static class TabernaclePropertyExtensions
{
    /// <summary>Whether the property is set to the current time when its entity is inserted.</summary>
    public static bool IsAutoNowAdd(this IReadOnlyProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property[ConventionAnnotationNames.AutoNowAdd] is true;
    }

    /// <summary>Whether the property is set to the current time on every insert and update.</summary>
    public static bool IsAutoNow(this IReadOnlyProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property[ConventionAnnotationNames.AutoNow] is true;
    }

    /// <summary>The property's configured default value, or <c>null</c> when it has none.</summary>
    public static object? GetDefault(this IReadOnlyProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property[ConventionAnnotationNames.DefaultValue];
    }
}
