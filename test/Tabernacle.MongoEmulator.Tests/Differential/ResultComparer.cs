using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Tabernacle.MongoEmulator.Tests.Differential;

/// <summary>
/// Deep structural comparison of query results (POCOs, anonymous types, lists, scalars) and a readable rendering of
/// them for failure messages. Deliberate tolerances, each a difference between MongoDB and .NET rather than an
/// emulator defect:
/// <list type="bullet">
/// <item>double: MongoDB's $sum/$avg add doubles with a double-double (Kahan-like) summation, LINQ to Objects adds
/// naively, so sums and averages may differ in the last bits: relative tolerance 1e-9.</item>
/// <item>decimal: Decimal128 keeps 34 significant digits, System.Decimal 28-29, so a quotient ($avg) may be rounded
/// differently in its last digits: relative tolerance 1e-20. Sums of our two-decimal amounts stay exact.</item>
/// <item>DateTime: compared as UTC instants (the driver returns Kind=Utc; the generator makes UTC, ms precision).</item>
/// </list>
/// </summary>
public static class ResultComparer
{
    public static bool AreEqual(object? expected, object? actual, out string difference) =>
        Compare(expected, actual, "result", out difference);

    /// <summary>Sorts a result list by its rendering so that two multisets can be compared element by element.</summary>
    public static List<object?> Canonicalize(IEnumerable<object?> items) =>
        items.OrderBy(i => Render(i, sortKey: true), StringComparer.Ordinal).ToList();

    public static string Render(object? value) => Render(value, sortKey: false);

    private static bool Compare(object? expected, object? actual, string path, out string difference)
    {
        difference = "";
        if (expected is null || actual is null)
        {
            if (expected is null && actual is null)
            {
                return true;
            }

            difference = $"{path}: expected {Render(expected)} but got {Render(actual)}";
            return false;
        }

        if (expected.GetType() != actual.GetType() && !(IsSequence(expected) && IsSequence(actual)))
        {
            difference =
                $"{path}: expected a {expected.GetType().Name} ({Render(expected)}) but got a {actual.GetType().Name} ({Render(actual)})";
            return false;
        }

        switch (expected)
        {
            case double d:
                return Check(NearlyEqual(d, (double)actual), expected, actual, path, out difference);
            case float f:
                return Check(NearlyEqual(f, (float)actual), expected, actual, path, out difference);
            case decimal m:
                return Check(NearlyEqual(m, (decimal)actual), expected, actual, path, out difference);
            case DateTime t:
                return Check(t.ToUniversalTime() == ((DateTime)actual).ToUniversalTime(), expected, actual, path, out difference);
            case string or bool or Enum or char or int or long or short or byte or uint or ulong or ushort or sbyte:
                return Check(expected.Equals(actual), expected, actual, path, out difference);
        }

        if (IsSequence(expected))
        {
            var left = ((IEnumerable)expected).Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            if (left.Count != right.Count)
            {
                difference = $"{path}: expected {left.Count} elements but got {right.Count}\n{MultisetDifference(left, right)}";
                return false;
            }

            for (var i = 0; i < left.Count; i++)
            {
                if (!Compare(left[i], right[i], $"{path}[{i}]", out difference))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var property in Properties(expected.GetType()))
        {
            if (!Compare(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}", out difference))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The elements only one side has (by rendering), the quickest way to read a wrong filter.</summary>
    private static string MultisetDifference(List<object?> expected, List<object?> actual)
    {
        var remaining =
            actual.Select(Render).GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var rendered in expected.Select(Render))
        {
            if (remaining.TryGetValue(rendered, out var count) && count > 0)
            {
                remaining[rendered] = count - 1;
            }
            else
            {
                missing.Add(rendered);
            }
        }

        var extra = remaining.Where(p => p.Value > 0).SelectMany(p => Enumerable.Repeat(p.Key, p.Value)).ToList();
        return $"  only in LINQ to Objects ({missing.Count}): {string.Join("\n    ", missing.Take(20))}\n  only in the emulator ({extra.Count}): {string.Join("\n    ", extra.Take(20))}";
    }

    private static bool Check(bool equal, object expected, object actual, string path, out string difference)
    {
        difference = equal ? "" : $"{path}: expected {Render(expected)} but got {Render(actual)}";
        return equal;
    }

    private static bool NearlyEqual(double a, double b) =>
        a.Equals(b) || Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static bool NearlyEqual(decimal a, decimal b) =>
        a == b || Math.Abs(a - b) <= 1e-20m * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static bool IsSequence(object value) => value is IEnumerable && value is not string;

    private static PropertyInfo[] Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();

    private static string Render(object? value, bool sortKey)
    {
        var builder = new StringBuilder();
        Append(builder, value, sortKey);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, object? value, bool sortKey)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                return;
            case string s:
                builder.Append('"').Append(s).Append('"');
                return;
            // Sort keys round floating values so that two results within tolerance sort alike.
            // -0.0 and 0.0 are equal values; the sort key must not split them (see the skipped negative-zero test).
            case double d:
                builder.Append((sortKey && d == 0 ? 0.0 : d).ToString(sortKey ? "G8" : "R", CultureInfo.InvariantCulture));
                return;
            case float f:
                builder.Append(f.ToString(sortKey ? "G6" : "R", CultureInfo.InvariantCulture));
                return;
            case decimal m:
                // Sort keys drop trailing zeros: 1.5 and 1.50 are equal in MongoDB and .NET alike, whichever scale a group keeps.
                builder.Append(
                    (sortKey ? decimal.Round(m, 10) / 1.000000000000000000000000000000000m
                        : m).ToString(CultureInfo.InvariantCulture)).Append('m');
                return;
            case DateTime t:
                builder.Append(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                return;
            case bool b:
                builder.Append(b ? "true" : "false");
                return;
            case Enum e:
                builder.Append(e.GetType().Name).Append('.').Append(e);
                return;
            case IFormattable formattable when value.GetType().IsPrimitive:
                builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                return;
            case IEnumerable sequence:
                builder.Append('[');
                var first = true;
                foreach (var item in sequence)
                {
                    builder.Append(first ? "" : ", ");
                    first = false;
                    Append(builder, item, sortKey);
                }

                builder.Append(']');
                return;
        }

        builder.Append('{');
        var separator = "";
        foreach (var property in Properties(value.GetType()))
        {
            builder.Append(separator).Append(property.Name).Append(": ");
            Append(builder, property.GetValue(value), sortKey);
            separator = ", ";
        }

        builder.Append('}');
    }
}
