using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>
/// $bitAnd $bitOr $bitXor $bitNot (MongoDB 6.3+): int and long operands only; the result is an int when every operand
/// is an int, otherwise a long; a null or missing operand gives null.
/// </summary>
internal static class BitwiseOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        // The identity of each operator is what an empty operand list answers, as mongod does.
        registry["$bitAnd"] = Operator.Nary(0, int.MaxValue, args => Fold("$bitAnd", args, -1L, (a, b) => a & b));
        registry["$bitOr"] = Operator.Nary(0, int.MaxValue, args => Fold("$bitOr", args, 0L, (a, b) => a | b));
        registry["$bitXor"] = Operator.Nary(0, int.MaxValue, args => Fold("$bitXor", args, 0L, (a, b) => a ^ b));
        registry["$bitNot"] = Operator.Unary(Not);
    }

    private static BsonValue? Fold(string name, BsonValue?[] values, long identity, Func<long, long, long> combine)
    {
        var result = identity;
        var anyLong = false;
        foreach (var value in values)
        {
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            result = combine(result, Operand(name, value!, ref anyLong));
        }

        return anyLong ? new BsonInt64(result) : new BsonInt32((int)result);
    }

    private static BsonValue? Not(BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        var anyLong = false;
        var operand = Operand("$bitNot", value!, ref anyLong);
        return anyLong ? new BsonInt64(~operand) : new BsonInt32(~(int)operand);
    }

    private static long Operand(string name, BsonValue value, ref bool anyLong)
    {
        switch (value.BsonType)
        {
            case BsonType.Int32:
                return value.AsInt32;
            case BsonType.Int64:
                anyLong = true;
                return value.AsInt64;
            default:
                throw new MongoErrorException(ErrorCodes.TypeMismatch,
                    $"{name} only supports int and long operands, not {TypeNames.Of(value)}");
        }
    }
}
