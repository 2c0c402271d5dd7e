using System.Globalization;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query;

/// <summary>
/// Compares BSON values in MongoDB's order: first by canonical type (MinKey &lt; null &lt; numbers &lt; string &lt;
/// object &lt; array &lt; BinData &lt; ObjectId &lt; bool &lt; date &lt; timestamp &lt; regex &lt; MaxKey), then by value.
/// Numbers of different BSON types compare by numeric value (int32 1 == int64 1 == double 1.0 == decimal 1).
/// Strings compare by code point unless a collation is given.
/// </summary>
internal sealed class BsonValueComparer : IComparer<BsonValue>, IEqualityComparer<BsonValue>
{
    private readonly Collation? _collation;
    private readonly CompareInfo _compareInfo = CultureInfo.InvariantCulture.CompareInfo;

    private BsonValueComparer(Collation? collation) => _collation = collation;

    /// <summary>The binary ("simple" collation) comparer.</summary>
    public static BsonValueComparer Default { get; } = new(null);

    /// <summary>The comparer for a command's collation (<c>null</c> means simple).</summary>
    public static BsonValueComparer For(Collation? collation) => collation is null ? Default : new BsonValueComparer(collation);

    /// <summary>The collation strings are compared with, or <c>null</c> for binary comparison.</summary>
    public Collation? Collation => _collation;

    /// <summary>
    /// MongoDB's canonical type rank, used both to order values of different types and by query operators
    /// that only compare values of the same rank ("type bracketing": <c>{a: {$gt: 5}}</c> never matches a string).
    /// </summary>
    public static int CanonicalTypeRank(BsonValue value) => value.BsonType switch
    {
        BsonType.MinKey => 1,
        BsonType.Undefined => 2,
        BsonType.Null => 5,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => 10,
        BsonType.String or BsonType.Symbol => 15,
        BsonType.Document => 20,
        BsonType.Array => 25,
        BsonType.Binary => 30,
        BsonType.ObjectId => 35,
        BsonType.Boolean => 40,
        BsonType.DateTime => 45,
        BsonType.Timestamp => 47,
        BsonType.RegularExpression => 50,
        BsonType.JavaScript => 60,
        BsonType.JavaScriptWithScope => 65,
        BsonType.MaxKey => 127,
        _ => 100,
    };

    /// <inheritdoc />
    public int Compare(BsonValue? x, BsonValue? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var rankX = CanonicalTypeRank(x);
        var rankY = CanonicalTypeRank(y);
        if (rankX != rankY)
        {
            // undefined sorts with null in MongoDB's comparisons of values.
            if ((rankX is 2 or 5) && (rankY is 2 or 5))
            {
                return 0;
            }

            return rankX.CompareTo(rankY);
        }

        return x.BsonType switch
        {
            BsonType.MinKey or BsonType.MaxKey or BsonType.Null or BsonType.Undefined => 0,
            BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => CompareNumbers(x, y),
            BsonType.String or BsonType.Symbol => CompareStrings(StringOf(x), StringOf(y)),
            BsonType.Document => CompareDocuments(x.AsBsonDocument, y.AsBsonDocument),
            BsonType.Array => CompareArrays(x.AsBsonArray, y.AsBsonArray),
            BsonType.Binary => CompareBinary(x.AsBsonBinaryData, y.AsBsonBinaryData),
            BsonType.ObjectId => x.AsObjectId.CompareTo(y.AsObjectId),
            BsonType.Boolean => x.AsBoolean.CompareTo(y.AsBoolean),
            BsonType.DateTime => ((BsonDateTime)x).MillisecondsSinceEpoch.CompareTo(((BsonDateTime)y).MillisecondsSinceEpoch),
            BsonType.Timestamp => ((ulong)((BsonTimestamp)x).Value).CompareTo((ulong)((BsonTimestamp)y).Value),
            BsonType.RegularExpression => CompareRegex(x.AsBsonRegularExpression, y.AsBsonRegularExpression),
            BsonType.JavaScript => string.CompareOrdinal(x.AsBsonJavaScript.Code, y.AsBsonJavaScript.Code),
            _ => string.CompareOrdinal(x.ToString(), y.ToString()),
        };
    }

    /// <inheritdoc />
    public bool Equals(BsonValue? x, BsonValue? y) => Compare(x, y) == 0;

    /// <inheritdoc />
    public int GetHashCode(BsonValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value.BsonType)
        {
            case BsonType.Int32:
            case BsonType.Int64:
            case BsonType.Double:
            case BsonType.Decimal128:
                var d = ToDouble(value);
                return double.IsNaN(d) ? 0x7ff8 : d.GetHashCode();
            case BsonType.String:
            case BsonType.Symbol:
                var s = StringOf(value);
                return _collation is null || _collation.CompareOptions == CompareOptions.None
                    ? s.GetHashCode(StringComparison.Ordinal)
                    : _compareInfo.GetHashCode(s, _collation.CompareOptions);
            case BsonType.Document:
                var hash = new HashCode();
                foreach (var element in value.AsBsonDocument)
                {
                    hash.Add(element.Name, StringComparer.Ordinal);
                    hash.Add(GetHashCode(element.Value));
                }

                return hash.ToHashCode();
            case BsonType.Array:
                var arrayHash = new HashCode();
                foreach (var item in value.AsBsonArray)
                {
                    arrayHash.Add(GetHashCode(item));
                }

                return arrayHash.ToHashCode();
            case BsonType.Null:
            case BsonType.Undefined:
                return 5;
            default:
                return value.GetHashCode();
        }
    }

    /// <summary>Compares two numbers of any BSON numeric type exactly; NaN is smaller than every other number and equal to
    /// itself.</summary>
    public static int CompareNumbers(BsonValue x, BsonValue y)
    {
        if (x.BsonType is BsonType.Int32 or BsonType.Int64 && y.BsonType is BsonType.Int32 or BsonType.Int64)
        {
            return x.ToInt64().CompareTo(y.ToInt64());
        }

        if (x.BsonType == BsonType.Decimal128 || y.BsonType == BsonType.Decimal128)
        {
            var dx = x.ToDecimal128();
            var dy = y.ToDecimal128();
            if (Decimal128.IsNaN(dx) || Decimal128.IsNaN(dy))
            {
                return Decimal128.IsNaN(dx) ? (Decimal128.IsNaN(dy) ? 0 : -1) : 1;
            }

            return dx.CompareTo(dy);
        }

        // One side is a double. Compare a long against a double without losing precision above 2^53.
        if (x.BsonType == BsonType.Double && y.BsonType == BsonType.Double)
        {
            return CompareDoubles(x.AsDouble, y.AsDouble);
        }

        if (x.BsonType == BsonType.Double)
        {
            return CompareDoubleToLong(x.AsDouble, y.ToInt64());
        }

        return -CompareDoubleToLong(y.AsDouble, x.ToInt64());
    }

    /// <summary>The numeric value as a double (decimal128 and int64 may round).</summary>
    public static double ToDouble(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => value.AsInt32,
        BsonType.Int64 => value.AsInt64,
        BsonType.Double => value.AsDouble,
        BsonType.Decimal128 => Decimal128.ToDouble(value.AsDecimal128),
        _ => throw new InvalidOperationException($"{value.BsonType} is not a number"),
    };

    private static int CompareDoubles(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return double.IsNaN(a) ? (double.IsNaN(b) ? 0 : -1) : 1;
        }

        return a.CompareTo(b);
    }

    private static int CompareDoubleToLong(double d, long l)
    {
        if (double.IsNaN(d))
        {
            return -1;
        }

        if (d >= 9.2233720368547758E18)
        {
            return 1;
        }

        if (d < -9.2233720368547758E18)
        {
            return -1;
        }

        var truncated = (long)Math.Truncate(d);
        var cmp = truncated.CompareTo(l);
        if (cmp != 0)
        {
            return cmp;
        }

        var fraction = d - Math.Truncate(d);
        return fraction > 0 ? 1 : fraction < 0 ? -1 : 0;
    }

    private static string StringOf(BsonValue value) => value.BsonType == BsonType.Symbol ? value.AsBsonSymbol.Name : value.AsString;

    /// <summary>Compares strings with this comparer's collation, or by Unicode code point when there is none.</summary>
    public int CompareStrings(string a, string b)
    {
        if (_collation is not null)
        {
            return Math.Sign(_compareInfo.Compare(a, b, _collation.CompareOptions));
        }

        // UTF-8 byte order equals code point order; UTF-16 ordinal order differs only for surrogates vs U+E000..U+FFFF.
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var ca = a[i];
            var cb = b[i];
            if (ca == cb)
            {
                continue;
            }

            if (char.IsSurrogate(ca) != char.IsSurrogate(cb))
            {
                return char.IsSurrogate(ca) ? 1 : -1;
            }

            return ca < cb ? -1 : 1;
        }

        return a.Length.CompareTo(b.Length);
    }

    private int CompareDocuments(BsonDocument a, BsonDocument b)
    {
        var count = Math.Min(a.ElementCount, b.ElementCount);
        for (var i = 0; i < count; i++)
        {
            var ea = a.GetElement(i);
            var eb = b.GetElement(i);
            var typeCmp = CanonicalTypeRank(ea.Value).CompareTo(CanonicalTypeRank(eb.Value));
            if (typeCmp != 0)
            {
                return typeCmp;
            }

            var nameCmp = string.CompareOrdinal(ea.Name, eb.Name);
            if (nameCmp != 0)
            {
                return Math.Sign(nameCmp);
            }

            var valueCmp = Compare(ea.Value, eb.Value);
            if (valueCmp != 0)
            {
                return valueCmp;
            }
        }

        return a.ElementCount.CompareTo(b.ElementCount);
    }

    private int CompareArrays(BsonArray a, BsonArray b)
    {
        var count = Math.Min(a.Count, b.Count);
        for (var i = 0; i < count; i++)
        {
            var cmp = Compare(a[i], b[i]);
            if (cmp != 0)
            {
                return cmp;
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    private static int CompareBinary(BsonBinaryData a, BsonBinaryData b)
    {
        var lengthCmp = a.Bytes.Length.CompareTo(b.Bytes.Length);
        if (lengthCmp != 0)
        {
            return lengthCmp;
        }

        var subTypeCmp = ((byte)a.SubType).CompareTo((byte)b.SubType);
        return subTypeCmp != 0 ? subTypeCmp : a.Bytes.AsSpan().SequenceCompareTo(b.Bytes);
    }

    private static int CompareRegex(BsonRegularExpression a, BsonRegularExpression b)
    {
        var patternCmp = string.CompareOrdinal(a.Pattern, b.Pattern);
        return patternCmp != 0 ? Math.Sign(patternCmp) : Math.Sign(string.CompareOrdinal(a.Options, b.Options));
    }
}
