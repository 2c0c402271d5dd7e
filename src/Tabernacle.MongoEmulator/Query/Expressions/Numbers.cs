using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Expressions;

/// <summary>
/// MongoDB's numeric arithmetic: the result takes the widest operand type (int &lt; long &lt; double &lt; decimal),
/// and int/long results that overflow widen to long, then double, instead of wrapping.
/// </summary>
internal static class Numbers
{
    public static bool IsNumber(BsonValue? value) =>
        value is not null && value.BsonType is BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128;

    public static bool IsNumberValue(BsonValue value) => IsNumber(value);

    /// <summary>The rank of the widest of two numeric types: 0 int, 1 long, 2 double, 3 decimal.</summary>
    public static int Rank(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => 0,
        BsonType.Int64 => 1,
        BsonType.Double => 2,
        _ => 3,
    };

    public static decimal ToDecimal(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => value.AsInt32,
        BsonType.Int64 => value.AsInt64,
        BsonType.Double => (decimal)value.AsDouble,
        _ => Decimal128.ToDecimal(value.AsDecimal128),
    };

    public static BsonValue FromDecimal(decimal value) => new BsonDecimal128(new Decimal128(value));

    /// <summary>An integer result as int when it fits, else long.</summary>
    public static BsonValue Integer(long value) =>
        value is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)value) : new BsonInt64(value);

    public static BsonValue Add(BsonValue x, BsonValue y)
    {
        var rank = Math.Max(Rank(x), Rank(y));
        switch (rank)
        {
            case 0:
                return Integer((long)x.AsInt32 + y.AsInt32);
            case 1:
                var a = x.ToInt64();
                var b = y.ToInt64();
                var sum = a + b;
                // Overflow when both operands have the same sign and the sum's sign differs.
                return ((a ^ sum) & (b ^ sum)) < 0 ? new BsonDouble((double)a + b) : new BsonInt64(sum);
            case 2:
                return new BsonDouble(BsonValueComparer.ToDouble(x) + BsonValueComparer.ToDouble(y));
            default:
                return FromDecimal(ToDecimal(x) + ToDecimal(y));
        }
    }

    public static BsonValue Subtract(BsonValue x, BsonValue y)
    {
        var rank = Math.Max(Rank(x), Rank(y));
        switch (rank)
        {
            case 0:
                return Integer((long)x.AsInt32 - y.AsInt32);
            case 1:
                var a = x.ToInt64();
                var b = y.ToInt64();
                var difference = a - b;
                return ((a ^ b) & (a ^ difference)) < 0 ? new BsonDouble((double)a - b) : new BsonInt64(difference);
            case 2:
                return new BsonDouble(BsonValueComparer.ToDouble(x) - BsonValueComparer.ToDouble(y));
            default:
                return FromDecimal(ToDecimal(x) - ToDecimal(y));
        }
    }

    public static BsonValue Multiply(BsonValue x, BsonValue y)
    {
        var rank = Math.Max(Rank(x), Rank(y));
        switch (rank)
        {
            case 0:
                return Integer((long)x.AsInt32 * y.AsInt32);
            case 1:
                var a = x.ToInt64();
                var b = y.ToInt64();
                try
                {
                    return new BsonInt64(checked(a * b));
                }
                catch (OverflowException)
                {
                    return new BsonDouble((double)a * b);
                }

            case 2:
                return new BsonDouble(BsonValueComparer.ToDouble(x) * BsonValueComparer.ToDouble(y));
            default:
                return FromDecimal(ToDecimal(x) * ToDecimal(y));
        }
    }

    /// <summary>Whether a number is zero, for division checks.</summary>
    public static bool IsZero(BsonValue value) => value.BsonType switch
    {
        BsonType.Int32 => value.AsInt32 == 0,
        BsonType.Int64 => value.AsInt64 == 0,
        BsonType.Double => value.AsDouble == 0,
        _ => Decimal128.IsZero(value.AsDecimal128),
    };

    /// <summary>Whether a number has no fractional part (and fits a long), as integral arguments require.</summary>
    public static bool TryGetIntegral(BsonValue value, out long result)
    {
        switch (value.BsonType)
        {
            case BsonType.Int32:
                result = value.AsInt32;
                return true;
            case BsonType.Int64:
                result = value.AsInt64;
                return true;
            case BsonType.Double:
                var d = value.AsDouble;
                if (double.IsFinite(d) && Math.Floor(d) == d && d >= long.MinValue && d < 9.2233720368547758E18)
                {
                    result = (long)d;
                    return true;
                }

                break;
            case BsonType.Decimal128:
                var m = value.AsDecimal128;
                if (!Decimal128.IsNaN(m) && !Decimal128.IsInfinity(m))
                {
                    try
                    {
                        var dec = Decimal128.ToDecimal(m);
                        if (decimal.Truncate(dec) == dec && dec >= long.MinValue && dec <= long.MaxValue)
                        {
                            result = (long)dec;
                            return true;
                        }
                    }
                    catch (OverflowException)
                    {
                        // Too large for System.Decimal: not a representable integral argument.
                    }
                }

                break;
        }

        result = 0;
        return false;
    }
}
