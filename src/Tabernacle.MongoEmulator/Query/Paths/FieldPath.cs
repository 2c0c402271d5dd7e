namespace Tabernacle.MongoEmulator.Query.Paths;

/// <summary>
/// A dotted field path split once at compile time, so matching and updating never re-split strings per document.
/// Components that are canonical non-negative integers also carry their value, because MongoDB lets them address
/// array elements (<c>a.0.b</c>).
/// </summary>
internal sealed class FieldPath
{
    private FieldPath(string dotted, string[] parts, int[] indexes)
    {
        Dotted = dotted;
        Parts = parts;
        Indexes = indexes;
    }

    /// <summary>The path as written, for error messages.</summary>
    public string Dotted { get; }

    /// <summary>The components.</summary>
    public string[] Parts { get; }

    /// <summary>Per component, its array index, or -1 when it is not a canonical non-negative integer.</summary>
    public int[] Indexes { get; }

    public int Length => Parts.Length;

    public static FieldPath Parse(string dotted)
    {
        var parts = dotted.Split('.');
        var indexes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            indexes[i] = ArrayIndexOf(parts[i]);
        }

        return new FieldPath(dotted, parts, indexes);
    }

    /// <summary>
    /// The array index a path component names, or -1. MongoDB only treats canonical numbers as positions
    /// ("0", "12"; not "01" or "+1").
    /// </summary>
    public static int ArrayIndexOf(string part)
    {
        if (part.Length == 0 || part.Length > 9 || (part.Length > 1 && part[0] == '0'))
        {
            return -1;
        }

        var value = 0;
        foreach (var c in part)
        {
            if (c is < '0' or > '9')
            {
                return -1;
            }

            value = (value * 10) + (c - '0');
        }

        return value;
    }

    public override string ToString() => Dotted;
}
