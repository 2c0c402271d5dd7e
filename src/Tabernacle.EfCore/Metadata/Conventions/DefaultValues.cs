using System.ComponentModel;
using System.Globalization;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>Converts a configured default value to the property's CLR type, and tells a CLR default apart.</summary>
internal static class DefaultValues
{
    public static object? Convert(object? value, Type clrType, string propertyDisplayName)
    {
        var type = Nullable.GetUnderlyingType(clrType) ?? clrType;
        if (value is null)
        {
            return null;
        }

        if (type.IsInstanceOfType(value))
        {
            return value;
        }

        try
        {
            if (type.IsEnum)
            {
                return value is string name ? Enum.Parse(type, name, ignoreCase: false) : Enum.ToObject(type, value);
            }

            if (type == typeof(DateTime) && value is string dateTime)
            {
                return DateTime.Parse(dateTime, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            }

            if (type == typeof(DateTimeOffset) && value is string dateTimeOffset)
            {
                return DateTimeOffset.Parse(dateTimeOffset, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            }

            if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(type) && type != typeof(string))
            {
                return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
            }

            var converter = TypeDescriptor.GetConverter(type);
            if (value is string text && converter.CanConvertFrom(typeof(string)))
            {
                return converter.ConvertFromInvariantString(text);
            }

            if (converter.CanConvertFrom(value.GetType()))
            {
                return converter.ConvertFrom(null, CultureInfo.InvariantCulture, value);
            }
        }
        catch (Exception ex)
            when (ex is FormatException or InvalidCastException or OverflowException or ArgumentException or NotSupportedException)
        {
            throw Incompatible(value, clrType, propertyDisplayName, ex);
        }

        throw Incompatible(value, clrType, propertyDisplayName, null);
    }

    /// <summary>Whether <paramref name="value"/> is what the CLR puts in a property of <paramref name="clrType"/> that was never
    /// assigned.</summary>
    public static bool IsClrDefault(object? value, Type clrType) =>
        value is null
            || (clrType.IsValueType && Nullable.GetUnderlyingType(clrType) is null && value.Equals(Activator.CreateInstance(clrType)));

    private static InvalidOperationException Incompatible(object value, Type clrType, string propertyDisplayName, Exception? inner) =>
        new($"The default value {value} ({value.GetType().Name}) of '{propertyDisplayName}' cannot be converted to its type " +
            $"{clrType.Name}. Give a value of that type, or a string it can be parsed from.", inner);
}
