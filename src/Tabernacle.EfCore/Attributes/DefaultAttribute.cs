namespace Tabernacle.EfCore;

/// <summary>
/// A property's default value: written on insert when the property still holds its CLR default (<c>null</c>,
/// <c>0</c>, <c>false</c>...), and used when a stored document has no element for the property (documents written
/// before the property existed). The fluent equivalent is <c>HasDefault(...)</c>.
/// </summary>
/// <remarks>
/// The value is converted to the property's type: <c>[Default(0)]</c> suits an <c>int</c>, a <c>double</c> or a
/// <c>decimal</c>; a string is parsed for types attributes cannot hold (<c>[Default("9.99")]</c> on a <c>decimal</c>,
/// <c>[Default("2026-01-01T00:00:00Z")]</c> on a <see cref="DateTime"/>, an enum member's name).
/// </remarks>
/// <param name="value">The default value.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class DefaultAttribute(object? value) : Attribute
{
    /// <summary>The default value, as written in the attribute.</summary>
    public object? Value { get; } = value;
}
