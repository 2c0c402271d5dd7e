using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>
/// <c>$inc</c>/<c>$mul</c> arithmetic with MongoDB's type rules: decimal wins, then double; int32 results that overflow
/// become int64; an int64 overflow has no valid result (<c>null</c>).
/// </summary>
internal static class NumericArithmetic
{
    public static BsonValue? Add(BsonValue a, BsonValue b) => Combine(a, b, add: true);

    public static BsonValue? Multiply(BsonValue a, BsonValue b) => Combine(a, b, add: false);

    private static BsonValue? Combine(BsonValue a, BsonValue b, bool add)
    {
        if (a.BsonType == BsonType.Decimal128 || b.BsonType == BsonType.Decimal128)
        {
            var x = a.ToDecimal128();
            var y = b.ToDecimal128();
            return new BsonDecimal128(add ? Decimal128Add(x, y) : Decimal128Multiply(x, y));
        }

        if (a.BsonType == BsonType.Double || b.BsonType == BsonType.Double)
        {
            var x = BsonValueComparer.ToDouble(a);
            var y = BsonValueComparer.ToDouble(b);
            return new BsonDouble(add ? x + y : x * y);
        }

        var l = a.ToInt64();
        var r = b.ToInt64();
        long result;
        try
        {
            result = add ? checked(l + r) : checked(l * r);
        }
        catch (OverflowException)
        {
            return null;
        }

        if (a.BsonType == BsonType.Int32 && b.BsonType == BsonType.Int32 && result is >= int.MinValue and <= int.MaxValue)
        {
            return new BsonInt32((int)result);
        }

        return new BsonInt64(result);
    }

    private static Decimal128 Decimal128Add(Decimal128 x, Decimal128 y) =>
        TryDecimal(x, y, out var dx, out var dy) ? new Decimal128(dx + dy)
            : new Decimal128(Decimal128.ToDouble(x) + Decimal128.ToDouble(y));

    private static Decimal128 Decimal128Multiply(Decimal128 x, Decimal128 y) =>
        TryDecimal(x, y, out var dx, out var dy) ? new Decimal128(dx * dy)
            : new Decimal128(Decimal128.ToDouble(x) * Decimal128.ToDouble(y));

    /// <summary>System.Decimal covers the common range exactly; outside it we fall back to double precision.</summary>
    private static bool TryDecimal(Decimal128 x, Decimal128 y, out decimal dx, out decimal dy)
    {
        dx = 0;
        dy = 0;
        try
        {
            dx = Decimal128.ToDecimal(x);
            dy = Decimal128.ToDecimal(y);
            _ = dx * dy;
            _ = dx + dy;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
