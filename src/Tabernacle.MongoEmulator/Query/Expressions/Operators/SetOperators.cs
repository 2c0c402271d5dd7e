using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$setUnion $setIntersection $setDifference $setEquals $setIsSubset: arrays as sets, duplicates removed, equality by the
/// collation.</summary>
internal static class SetOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$setUnion"] = WithComparer(0, int.MaxValue, Union);
        registry["$setIntersection"] = WithComparer(0, int.MaxValue, Intersection);
        registry["$setDifference"] = WithComparer(2, 2, Difference);
        registry["$setEquals"] = WithComparer(2, int.MaxValue, SetEquals);
        registry["$setIsSubset"] = WithComparer(2, 2, IsSubset);
    }

    private static OperatorCompiler WithComparer(int min, int max, Func<BsonValue?[], BsonValueComparer, BsonValue?> apply) =>
        (name, argument, context) =>
        {
            var comparer = context.Comparer;
            return new NaryOperatorExpression(Operator.Arguments(name, argument, context, min, max), args => apply(args, comparer));
        };

    private static BsonValue? Union(BsonValue?[] args, BsonValueComparer comparer)
    {
        var seen = new HashSet<BsonValue>(comparer);
        var result = new BsonArray();
        foreach (var arg in args)
        {
            if (Operator.IsNullish(arg))
            {
                return BsonNull.Value;
            }

            foreach (var item in RequireArray(arg, 17043, "All operands of $setUnion must be arrays. One argument is of type: "))
            {
                if (seen.Add(item))
                {
                    result.Add(item);
                }
            }
        }

        return result;
    }

    private static BsonValue? Intersection(BsonValue?[] args, BsonValueComparer comparer)
    {
        HashSet<BsonValue>? current = null;
        BsonArray? order = null;
        foreach (var arg in args)
        {
            if (Operator.IsNullish(arg))
            {
                return BsonNull.Value;
            }

            var array = RequireArray(arg, 17047, "All operands of $setIntersection must be arrays. One argument is of type: ");
            var set = new HashSet<BsonValue>(array, comparer);
            if (current is null)
            {
                current = set;
                order = array;
            }
            else
            {
                current.IntersectWith(set);
            }
        }

        var result = new BsonArray();
        if (current is null)
        {
            return result;
        }

        var emitted = new HashSet<BsonValue>(comparer);
        foreach (var item in order!)
        {
            if (current.Contains(item) && emitted.Add(item))
            {
                result.Add(item);
            }
        }

        return result;
    }

    private static BsonValue? Difference(BsonValue?[] args, BsonValueComparer comparer)
    {
        if (Operator.IsNullish(args[0]) || Operator.IsNullish(args[1]))
        {
            return BsonNull.Value;
        }

        var first = RequireArray(args[0], 17048, "both operands of $setDifference must be arrays. First argument is of type: ");
        var second = RequireArray(args[1], 17049, "both operands of $setDifference must be arrays. Second argument is of type: ");
        var excluded = new HashSet<BsonValue>(second, comparer);
        var result = new BsonArray();
        foreach (var item in first)
        {
            if (excluded.Add(item))
            {
                result.Add(item);
            }
        }

        return result;
    }

    private static BsonValue? SetEquals(BsonValue?[] args, BsonValueComparer comparer)
    {
        HashSet<BsonValue>? first = null;
        foreach (var arg in args)
        {
            var set =
                new HashSet<BsonValue>(RequireArray(arg, 17044, "All operands of $setEquals must be arrays. One argument is of type: "),
                    comparer);
            if (first is null)
            {
                first = set;
            }
            else if (!first.SetEquals(set))
            {
                return BsonBoolean.False;
            }
        }

        return BsonBoolean.True;
    }

    private static BsonValue? IsSubset(BsonValue?[] args, BsonValueComparer comparer)
    {
        var first = RequireArray(args[0], 17310, "both operands of $setIsSubset must be arrays. First argument is of type: ");
        var second = RequireArray(args[1], 17046, "both operands of $setIsSubset must be arrays. Second argument is of type: ");
        return Operator.Bool(new HashSet<BsonValue>(first, comparer).IsSubsetOf(new HashSet<BsonValue>(second, comparer)));
    }

    private static BsonArray RequireArray(BsonValue? value, int code, string message) =>
        value as BsonArray ?? throw new MongoErrorException(code, message + TypeNames.Of(value));
}
