using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

/// <summary>A result whose order is not defined (groups, unions): compared as a sorted bag.</summary>
internal sealed record Unordered(IEnumerable Items);

internal static class UnorderedExtensions
{
    public static Unordered AsBag(this IEnumerable items) => new(items);
}

/// <summary>
/// Prints a query result as text, the same way for both sides. MongoDB's deliberate numeric differences are modelled
/// here: decimals print without trailing zeros (Decimal128 arithmetic may keep a different scale than .NET's), doubles
/// to 12 significant digits (the server sums and averages in another order, so the last bits may differ).
/// Entities print as their type and key (queries project what they compare).
/// </summary>
internal static class Normalizer
{
    public static string Normalize(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        double d => d.ToString("G12", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("G6", CultureInfo.InvariantCulture),
        decimal m =>
            m.ToString("G29", CultureInfo.InvariantCulture) is var text && text.Contains('.') ? text.TrimEnd('0').TrimEnd('.')
                : m.ToString("G29", CultureInfo.InvariantCulture),
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeSpan t => t.Ticks.ToString(CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        BusinessCustomer c => "B" + c.Id.ToString(CultureInfo.InvariantCulture),
        Customer c => "C" + c.Id.ToString(CultureInfo.InvariantCulture),
        Order o => "O" + o.Id.ToString(CultureInfo.InvariantCulture),
        Unordered bag => "{" + string.Join(", ", bag.Items.Cast<object?>().Select(Normalize).Order(StringComparer.Ordinal)) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Normalize)) + "]",
        ITuple tuple => "(" + string.Join(", ", Enumerable.Range(0, tuple.Length).Select(i => Normalize(tuple[i]))) + ")",
        IFormattable f when value.GetType().IsPrimitive => f.ToString(null, CultureInfo.InvariantCulture),
        _ when value.GetType().Name.Contains("AnonymousType", StringComparison.Ordinal) =>
            "{ " + string.Join(", ", value.GetType().GetProperties().Select(p => p.Name + " = " + Normalize(p.GetValue(value)))) + " }",
        _ => throw new InvalidOperationException($"Project the result to values: {value.GetType()} has no normal form."),
    };

    /// <summary>Whether a result is an empty sequence (a case must not pass by selecting nothing on both sides).</summary>
    public static bool IsEmpty(object? value) => value switch
    {
        Unordered bag => !bag.Items.Cast<object?>().Any(),
        string => false,
        IEnumerable items => !items.Cast<object?>().Any(),
        _ => false,
    };
}
