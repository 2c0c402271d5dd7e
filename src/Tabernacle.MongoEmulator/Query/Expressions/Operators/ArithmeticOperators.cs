using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>
/// $add $subtract $multiply $divide $mod $abs $ceil $floor $round $trunc $sqrt $pow $exp $ln $log $log10 $rand, and
/// $function as mongod answers it without JavaScript.
/// </summary>
internal static class ArithmeticOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$add"] = Operator.Nary(0, int.MaxValue, Add);
        registry["$subtract"] = Operator.Binary(Subtract);
        registry["$multiply"] = Operator.Nary(0, int.MaxValue, Multiply);
        registry["$divide"] = Operator.Binary(Divide);
        registry["$mod"] = Operator.Binary(Mod);
        registry["$abs"] = Operator.Unary(Abs);
        registry["$ceil"] = Operator.Unary(v => Rounding("$ceil", v, Math.Ceiling, decimal.Ceiling));
        registry["$floor"] = Operator.Unary(v => Rounding("$floor", v, Math.Floor, decimal.Floor));
        registry["$round"] = Operator.Nary(1, 2, args => RoundToPlace("$round", args, MidpointRounding.ToEven));
        registry["$trunc"] = Operator.Nary(1, 2, args => RoundToPlace("$trunc", args, MidpointRounding.ToZero));
        registry["$sqrt"] = Operator.Unary(Sqrt);
        registry["$pow"] = Operator.Binary(Pow);
        registry["$exp"] = Operator.Unary(v => DoubleFunction("$exp", v, Math.Exp, 0, null));
        registry["$ln"] = Operator.Unary(v => DoubleFunction("$ln", v, Math.Log, 28766, "$ln's argument must be a positive number, but "));
        registry["$log10"] =
            Operator.Unary(v => DoubleFunction("$log10", v, Math.Log10, 28761, "$log10's argument must be a positive number, but "));
        registry["$log"] = Operator.Binary(Log);
        // $function runs JavaScript: it fails when evaluated, as mongod's does with server-side JavaScript disabled.
        registry["$function"] = (_, _, _) => new JavaScriptExpression();
        registry["$rand"] = (_, argument, _) => argument is BsonDocument { ElementCount: 0 }
            ? new RandomExpression()
            : throw new MongoErrorException(3040500, "$rand does not currently accept arguments");
    }

    private sealed class JavaScriptExpression : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) =>
            throw new MongoErrorException(31264, "Cannot run server-side javascript without the javascript engine enabled");
    }

    /// <summary><c>{$rand: {}}</c>: a new double in [0, 1) each time it is evaluated, as mongod's.</summary>
    private sealed class RandomExpression : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) => new BsonDouble(Random.Shared.NextDouble());
    }

    private static BsonValue? Add(BsonValue?[] values)
    {
        BsonValue total = new BsonInt32(0);
        BsonDateTime? date = null;
        foreach (var value in values)
        {
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value!.BsonType == BsonType.DateTime)
            {
                if (date is not null)
                {
                    throw new MongoErrorException(16612, "only one date allowed in an $add expression");
                }

                date = value.AsBsonDateTime;
                continue;
            }

            if (!Numbers.IsNumber(value))
            {
                throw new MongoErrorException(16554, $"$add only supports numeric or date types, not {TypeNames.Of(value)}");
            }

            total = Numbers.Add(total, value);
        }

        if (date is null)
        {
            return total;
        }

        return new BsonDateTime(date.MillisecondsSinceEpoch + RoundToMilliseconds(total));
    }

    private static long RoundToMilliseconds(BsonValue number) => number.BsonType switch
    {
        BsonType.Int32 or BsonType.Int64 => number.ToInt64(),
        BsonType.Double => (long)Math.Round(number.AsDouble, MidpointRounding.AwayFromZero),
        _ => (long)Math.Round(Numbers.ToDecimal(number), MidpointRounding.AwayFromZero),
    };

    private static BsonValue? Subtract(BsonValue? x, BsonValue? y)
    {
        if (Operator.IsNullish(x) || Operator.IsNullish(y))
        {
            return BsonNull.Value;
        }

        if (Numbers.IsNumber(x) && Numbers.IsNumber(y))
        {
            return Numbers.Subtract(x!, y!);
        }

        if (x!.BsonType == BsonType.DateTime)
        {
            if (y!.BsonType == BsonType.DateTime)
            {
                return new BsonInt64(x.AsBsonDateTime.MillisecondsSinceEpoch - y.AsBsonDateTime.MillisecondsSinceEpoch);
            }

            if (Numbers.IsNumber(y))
            {
                return new BsonDateTime(x.AsBsonDateTime.MillisecondsSinceEpoch - RoundToMilliseconds(y));
            }
        }

        throw new MongoErrorException(16556, $"can't $subtract {TypeNames.Of(y)} from {TypeNames.Of(x)}");
    }

    private static BsonValue? Multiply(BsonValue?[] values)
    {
        BsonValue product = new BsonInt32(1);
        foreach (var value in values)
        {
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (!Numbers.IsNumber(value))
            {
                throw new MongoErrorException(16555, $"$multiply only supports numeric types, not {TypeNames.Of(value)}");
            }

            product = Numbers.Multiply(product, value!);
        }

        return product;
    }

    private static BsonValue? Divide(BsonValue? x, BsonValue? y)
    {
        if (Operator.IsNullish(x) || Operator.IsNullish(y))
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsNumber(x) || !Numbers.IsNumber(y))
        {
            throw new MongoErrorException(16609, $"$divide only supports numeric types, not {TypeNames.Of(x)} and {TypeNames.Of(y)}");
        }

        if (Numbers.IsZero(y!))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "can't $divide by zero");
        }

        if (x!.BsonType == BsonType.Decimal128 || y!.BsonType == BsonType.Decimal128)
        {
            return Numbers.FromDecimal(Numbers.ToDecimal(x) / Numbers.ToDecimal(y!));
        }

        return new BsonDouble(BsonValueComparer.ToDouble(x) / BsonValueComparer.ToDouble(y));
    }

    private static BsonValue? Mod(BsonValue? x, BsonValue? y)
    {
        if (Operator.IsNullish(x) || Operator.IsNullish(y))
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsNumber(x) || !Numbers.IsNumber(y))
        {
            throw new MongoErrorException(16611, $"$mod only supports numeric types, not {TypeNames.Of(x)} and {TypeNames.Of(y)}");
        }

        if (Numbers.IsZero(y!))
        {
            throw new MongoErrorException(16610, "can't $mod by zero");
        }

        return Math.Max(Numbers.Rank(x!), Numbers.Rank(y!)) switch
        {
            // long.MinValue % -1 overflows in .NET; the mathematical remainder is 0.
            0 => new BsonInt32(y!.AsInt32 == -1 ? 0 : x!.AsInt32 % y.AsInt32),
            1 => new BsonInt64(y!.ToInt64() == -1 ? 0 : x!.ToInt64() % y.ToInt64()),
            2 => new BsonDouble(BsonValueComparer.ToDouble(x!) % BsonValueComparer.ToDouble(y!)),
            _ => Numbers.FromDecimal(Numbers.ToDecimal(x!) % Numbers.ToDecimal(y!)),
        };
    }

    private static BsonValue? Abs(BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        switch (value!.BsonType)
        {
            case BsonType.Int32:
                return Numbers.Integer(Math.Abs((long)value.AsInt32));
            case BsonType.Int64:
                if (value.AsInt64 == long.MinValue)
                {
                    throw new MongoErrorException(28680, "can't take $abs of long long min");
                }

                return new BsonInt64(Math.Abs(value.AsInt64));
            case BsonType.Double:
                return new BsonDouble(Math.Abs(value.AsDouble));
            case BsonType.Decimal128:
                return Numbers.FromDecimal(Math.Abs(Numbers.ToDecimal(value)));
            default:
                throw new MongoErrorException(28765, $"$abs only supports numeric types, not {TypeNames.Of(value)}");
        }
    }

    private static BsonValue? Rounding(string op, BsonValue? value, Func<double, double> onDouble, Func<decimal, decimal> onDecimal)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        return value!.BsonType switch
        {
            BsonType.Int32 or BsonType.Int64 => value,
            BsonType.Double => new BsonDouble(onDouble(value.AsDouble)),
            BsonType.Decimal128 => Numbers.FromDecimal(onDecimal(Numbers.ToDecimal(value))),
            _ => throw new MongoErrorException(28765, $"{op} only supports numeric types, not {TypeNames.Of(value)}"),
        };
    }

    private static BsonValue? RoundToPlace(string op, BsonValue?[] args, MidpointRounding mode)
    {
        var value = args[0];
        var placeValue = args.Length > 1 ? args[1] : new BsonInt32(0);
        if (Operator.IsNullish(value) || Operator.IsNullish(placeValue))
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsNumber(value))
        {
            throw new MongoErrorException(51081, $"{op} only supports numeric types, not {TypeNames.Of(value)}");
        }

        if (!Numbers.IsNumber(placeValue) || !Numbers.TryGetIntegral(placeValue!, out var place))
        {
            throw new MongoErrorException(51082, $"precision argument to  {op} must be a integral value");
        }

        if (place is < -20 or > 100)
        {
            throw new MongoErrorException(51083, $"cannot apply {op} with precision value {place} value must be in [-20, 100]");
        }

        switch (value!.BsonType)
        {
            case BsonType.Int32:
            case BsonType.Int64:
                if (place >= 0)
                {
                    return value;
                }

                var factor = (decimal)Math.Pow(10, -place);
                if (-place > 18)
                {
                    return value.BsonType == BsonType.Int32 ? new BsonInt32(0) : new BsonInt64(0);
                }

                var rounded = Math.Round(value.ToInt64() / factor, mode) * factor;
                return value.BsonType == BsonType.Int32 && rounded is >= int.MinValue and <= int.MaxValue
                    ? new BsonInt32((int)rounded)
                    : new BsonInt64((long)rounded);
            case BsonType.Double:
                var d = value.AsDouble;
                if (!double.IsFinite(d))
                {
                    return value;
                }

                // Decimal arithmetic avoids binary artefacts (1.005 * 100) for values it can represent.
                if (Math.Abs(d) < 7.9e27 && place is >= -20 and <= 28)
                {
                    var dec = (decimal)d;
                    return new BsonDouble((double)RoundDecimal(dec, (int)place, mode));
                }

                var scale = Math.Pow(10, place);
                return new BsonDouble(Math.Round(d * scale, mode) / scale);
            default:
                return Numbers.FromDecimal(RoundDecimal(Numbers.ToDecimal(value), (int)Math.Min(place, 28), mode));
        }
    }

    private static decimal RoundDecimal(decimal value, int place, MidpointRounding mode)
    {
        if (place >= 0)
        {
            return Math.Round(value, place, mode);
        }

        var factor = (decimal)Math.Pow(10, -place);
        return Math.Round(value / factor, mode) * factor;
    }

    private static BsonValue? Sqrt(BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsNumber(value))
        {
            throw new MongoErrorException(28765, $"$sqrt only supports numeric types, not {TypeNames.Of(value)}");
        }

        if (BsonValueComparer.ToDouble(value!) < 0)
        {
            throw new MongoErrorException(28714, "$sqrt's argument must be greater than or equal to 0");
        }

        return value!.BsonType == BsonType.Decimal128
            ? Numbers.FromDecimal((decimal)Math.Sqrt((double)Numbers.ToDecimal(value)))
            : new BsonDouble(Math.Sqrt(BsonValueComparer.ToDouble(value)));
    }

    private static BsonValue? DoubleFunction(string op, BsonValue? value, Func<double, double> function, int domainCode,
        string? domainMessage)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsNumber(value))
        {
            throw new MongoErrorException(28765, $"{op} only supports numeric types, not {TypeNames.Of(value)}");
        }

        var d = BsonValueComparer.ToDouble(value!);
        if (domainMessage is not null && d <= 0)
        {
            throw new MongoErrorException(domainCode, domainMessage + value!.ToString());
        }

        var result = function(d);
        return value!.BsonType == BsonType.Decimal128 ? Numbers.FromDecimal((decimal)result) : new BsonDouble(result);
    }

    private static BsonValue? Log(BsonValue? value, BsonValue? logBase)
    {
        if (Operator.IsNullish(value) || Operator.IsNullish(logBase))
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsNumber(value))
        {
            throw new MongoErrorException(28756, $"$log's argument must be numeric, not {TypeNames.Of(value)}");
        }

        if (!Numbers.IsNumber(logBase))
        {
            throw new MongoErrorException(28757, $"$log's base must be numeric, not {TypeNames.Of(logBase)}");
        }

        var x = BsonValueComparer.ToDouble(value!);
        var b = BsonValueComparer.ToDouble(logBase!);
        if (x <= 0)
        {
            throw new MongoErrorException(28758, $"$log's argument must be a positive number, but {value}");
        }

        if (b <= 0 || b == 1)
        {
            throw new MongoErrorException(28759, $"$log's base must be a positive number not equal to 1, but {logBase}");
        }

        var result = Math.Log(x) / Math.Log(b);
        return value!.BsonType == BsonType.Decimal128 || logBase!.BsonType == BsonType.Decimal128
            ? Numbers.FromDecimal((decimal)result)
            : new BsonDouble(result);
    }

    private static BsonValue? Pow(BsonValue? baseValue, BsonValue? exponent)
    {
        if (Operator.IsNullish(baseValue) || Operator.IsNullish(exponent))
        {
            return BsonNull.Value;
        }

        if (!Numbers.IsNumber(baseValue))
        {
            throw new MongoErrorException(28762, $"$pow's base must be numeric, not {TypeNames.Of(baseValue)}");
        }

        if (!Numbers.IsNumber(exponent))
        {
            throw new MongoErrorException(28763, $"$pow's exponent must be numeric, not {TypeNames.Of(exponent)}");
        }

        var b = BsonValueComparer.ToDouble(baseValue!);
        var e = BsonValueComparer.ToDouble(exponent!);
        if (b == 0 && e < 0)
        {
            throw new MongoErrorException(28764, "$pow cannot take a base of 0 and a negative exponent");
        }

        var rank = Math.Max(Numbers.Rank(baseValue!), Numbers.Rank(exponent!));
        if (rank == 3)
        {
            return Numbers.FromDecimal((decimal)Math.Pow(b, e));
        }

        if (rank == 2)
        {
            return new BsonDouble(Math.Pow(b, e));
        }

        // Integer base and exponent: exact result when it fits, widening int -> long -> double like MongoDB.
        var intBase = baseValue!.ToInt64();
        var intExponent = exponent!.ToInt64();
        if (intExponent < 0)
        {
            return intBase is 1 or -1
                ? Numbers.Integer(intBase == -1 && intExponent % 2 != 0 ? -1 : 1)
                : new BsonDouble(Math.Pow(b, e));
        }

        long result;
        if (intBase is 0 or 1 or -1)
        {
            // |base| <= 1 never overflows; avoid looping over a huge exponent.
            result = intBase == -1 ? (intExponent % 2 == 0 ? 1 : -1) : (intExponent == 0 ? 1 : intBase);
        }
        else
        {
            result = 1;
            try
            {
                // |base| >= 2 overflows within 63 multiplications, so this loop is short.
                for (long i = 0; i < intExponent; i++)
                {
                    result = checked(result * intBase);
                }
            }
            catch (OverflowException)
            {
                return new BsonDouble(Math.Pow(b, e));
            }
        }

        return rank == 0 && result is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)result) : new BsonInt64(result);
    }
}
