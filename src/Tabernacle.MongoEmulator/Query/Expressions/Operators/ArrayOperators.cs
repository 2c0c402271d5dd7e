using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Sorting;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>
/// $size $arrayElemAt $first $last $concatArrays $slice $isArray $range $reverseArray $indexOfArray $in $zip
/// $allElementsTrue $anyElementTrue, and the variable-binding $filter $map $reduce, plus $sortArray.
/// </summary>
internal static class ArrayOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$size"] = Operator.Unary(Size);
        registry["$arrayElemAt"] = Operator.Binary(ArrayElemAt);
        registry["$first"] = Operator.Unary(v => FirstOrLast("$first", v, first: true));
        registry["$last"] = Operator.Unary(v => FirstOrLast("$last", v, first: false));
        registry["$concatArrays"] = Operator.Nary(0, int.MaxValue, ConcatArrays);
        registry["$slice"] = Operator.Nary(2, 3, Slice);
        registry["$isArray"] = Operator.Unary(v => Operator.Bool(v is BsonArray));
        registry["$range"] = Operator.Nary(2, 3, Range);
        registry["$reverseArray"] = Operator.Unary(ReverseArray);
        registry["$indexOfArray"] = (name, argument, context) =>
        {
            var comparer = context.Comparer;
            return new NaryOperatorExpression(Operator.Arguments(name, argument, context, 2, 4), args => IndexOfArray(args, comparer));
        };
        registry["$in"] = (name, argument, context) =>
        {
            var comparer = context.Comparer;
            var args = Operator.Arguments(name, argument, context, 2, 2);
            return new BinaryOperatorExpression(args[0], args[1], (value, array) => In(value, array, comparer));
        };
        registry["$allElementsTrue"] = Operator.Unary(v => AllOrAny("$allElementsTrue", v, all: true));
        registry["$anyElementTrue"] = Operator.Unary(v => AllOrAny("$anyElementTrue", v, all: false));
        registry["$filter"] = CompileFilter;
        registry["$map"] = CompileMap;
        registry["$reduce"] = CompileReduce;
        registry["$zip"] = CompileZip;
        registry["$sortArray"] = CompileSortArray;
    }

    private static BsonValue? Size(BsonValue? value) => value is BsonArray array
        ? new BsonInt32(array.Count)
        : throw new MongoErrorException(17124, $"The argument to $size must be an array. Type of argument is {TypeNames.Of(value)}");

    private static BsonValue? ArrayElemAt(BsonValue? array, BsonValue? index)
    {
        if (Operator.IsNullish(array) || Operator.IsNullish(index))
        {
            return BsonNull.Value;
        }

        if (array is not BsonArray items)
        {
            throw new MongoErrorException(28689, $"$arrayElemAt's first argument must be an array, but is {TypeNames.Of(array)}");
        }

        if (!Numbers.IsNumber(index))
        {
            throw new MongoErrorException(28690, $"$arrayElemAt's second argument must be a numeric value, but is {TypeNames.Of(index)}");
        }

        if (!Numbers.TryGetIntegral(index!, out var i) || i is < int.MinValue or > int.MaxValue)
        {
            throw new MongoErrorException(28691, $"$arrayElemAt's second argument must be representable as a 32-bit integer: {index}");
        }

        var position = i < 0 ? items.Count + i : i;
        return position >= 0 && position < items.Count ? items[(int)position] : null;
    }

    private static BsonValue? FirstOrLast(string op, BsonValue? value, bool first)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        if (value is not BsonArray array)
        {
            throw new MongoErrorException(28689, $"{op}'s argument must be an array, but is {TypeNames.Of(value)}");
        }

        // An empty array has no first element: the result is missing.
        return array.Count == 0 ? null : first ? array[0] : array[^1];
    }

    private static BsonValue? ConcatArrays(BsonValue?[] values)
    {
        var result = new BsonArray();
        foreach (var value in values)
        {
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonArray array)
            {
                throw new MongoErrorException(28664, $"$concatArrays only supports arrays, not {TypeNames.Of(value)}");
            }

            result.AddRange(array);
        }

        return result;
    }

    private static BsonValue? Slice(BsonValue?[] args)
    {
        foreach (var arg in args)
        {
            if (Operator.IsNullish(arg))
            {
                return BsonNull.Value;
            }
        }

        if (args[0] is not BsonArray array)
        {
            throw new MongoErrorException(28724, $"First argument to $slice must be an array, but is of type: {TypeNames.Of(args[0])}");
        }

        var first = SliceInt(args[1], 28725, 28726, args.Length == 2 ? "Second" : "Second");
        int start;
        int count;
        if (args.Length == 2)
        {
            if (first >= 0)
            {
                start = 0;
                count = first;
            }
            else
            {
                start = Math.Max(0, array.Count + first);
                count = array.Count - start;
            }
        }
        else
        {
            var n = SliceInt(args[2], 28727, 28728, "Third");
            if (n <= 0)
            {
                throw new MongoErrorException(28729, $"Third argument to $slice must be positive: {args[2]}");
            }

            start = first >= 0 ? Math.Min(first, array.Count) : Math.Max(0, array.Count + first);
            count = n;
        }

        var result = new BsonArray();
        for (var i = start; i < array.Count && i - start < count; i++)
        {
            result.Add(array[i]);
        }

        return result;
    }

    private static int SliceInt(BsonValue? value, int typeCode, int integralCode, string which)
    {
        if (!Numbers.IsNumber(value))
        {
            throw new MongoErrorException(typeCode, $"{which} argument to $slice must be numeric, but is of type: {TypeNames.Of(value)}");
        }

        if (!Numbers.TryGetIntegral(value!, out var result) || result is < int.MinValue or > int.MaxValue)
        {
            throw new MongoErrorException(integralCode, $"{which} argument to $slice can't be represented as a 32-bit integer: {value}");
        }

        return (int)result;
    }

    private static BsonValue? Range(BsonValue?[] args)
    {
        var start = RangeInt(args[0], "starting value", 34443, 34444);
        var end = RangeInt(args[1], "ending value", 34445, 34446);
        var step = args.Length > 2 ? RangeInt(args[2], "step value", 34447, 34448) : 1;
        if (step == 0)
        {
            throw new MongoErrorException(34449, "$range requires a non-zero step value");
        }

        var result = new BsonArray();
        for (long i = start; step > 0 ? i < end : i > end; i += step)
        {
            result.Add(new BsonInt32((int)i));
        }

        return result;
    }

    private static int RangeInt(BsonValue? value, string what, int typeCode, int integralCode)
    {
        if (!Numbers.IsNumber(value))
        {
            throw new MongoErrorException(typeCode, $"$range requires a numeric {what}, found value of type: {TypeNames.Of(value)}");
        }

        if (!Numbers.TryGetIntegral(value!, out var result) || result is < int.MinValue or > int.MaxValue)
        {
            throw new MongoErrorException(integralCode,
                $"$range requires a {what} that can be represented as a 32-bit integer, found value: {value}");
        }

        return (int)result;
    }

    private static BsonValue? ReverseArray(BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return BsonNull.Value;
        }

        if (value is not BsonArray array)
        {
            throw new MongoErrorException(34435, $"The argument to $reverseArray must be an array, but was of type: {TypeNames.Of(value)}");
        }

        var result = new BsonArray(array.Count);
        for (var i = array.Count - 1; i >= 0; i--)
        {
            result.Add(array[i]);
        }

        return result;
    }

    private static BsonValue? IndexOfArray(BsonValue?[] args, BsonValueComparer comparer)
    {
        if (Operator.IsNullish(args[0]))
        {
            return BsonNull.Value;
        }

        if (args[0] is not BsonArray array)
        {
            throw new MongoErrorException(40090, $"$indexOfArray requires an array as a first argument, found: {TypeNames.Of(args[0])}");
        }

        var start = args.Length > 2 ? ArrayIndexBound(args[2]) : 0;
        var end = args.Length > 3 ? Math.Min(ArrayIndexBound(args[3]), array.Count) : array.Count;
        var search = args[1] ?? BsonNull.Value;
        for (var i = start; i < end; i++)
        {
            if (comparer.Compare(array[i], search) == 0)
            {
                return new BsonInt32(i);
            }
        }

        return new BsonInt32(-1);
    }

    private static int ArrayIndexBound(BsonValue? value)
    {
        if (!Numbers.IsNumber(value) || !Numbers.TryGetIntegral(value!, out var result))
        {
            throw new MongoErrorException(40096,
                $"$indexOfArray requires an integral starting index, found a value of type: {TypeNames.Of(value)}, with value: {value}");
        }

        if (result < 0)
        {
            throw new MongoErrorException(40097, $"$indexOfArray requires a nonnegative starting index, found: {result}");
        }

        return (int)Math.Min(result, int.MaxValue);
    }

    private static BsonValue? In(BsonValue? value, BsonValue? array, BsonValueComparer comparer)
    {
        if (array is not BsonArray items)
        {
            throw new MongoErrorException(40081, $"$in requires an array as a second argument, found: {TypeNames.Of(array)}");
        }

        // A missing value is never in the array (not even an array holding null).
        if (value is null)
        {
            return BsonBoolean.False;
        }

        foreach (var item in items)
        {
            if (comparer.Compare(item, value) == 0)
            {
                return BsonBoolean.True;
            }
        }

        return BsonBoolean.False;
    }

    private static BsonValue? AllOrAny(string op, BsonValue? value, bool all)
    {
        if (value is not BsonArray array)
        {
            throw new MongoErrorException(all ? 17040 : 17041, $"{op}'s argument must be an array, but is {TypeNames.Of(value)}");
        }

        foreach (var item in array)
        {
            if (AggregationExpression.IsTruthy(item) != all)
            {
                return Operator.Bool(!all);
            }
        }

        return Operator.Bool(all);
    }

    private static AggregationExpression CompileFilter(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args = NamedArguments.Parse(name, argument, context, ["input", "as", "cond", "limit"], ["input", "cond"], 28646, 28647, 28648);
        var variable = VariableName(args, "this", 28649);
        return new FilterExpression(args.Required("input"), variable, args.Required("cond"), args.Expression("limit"));
    }

    private static string VariableName(NamedArguments args, string defaultName, int typeCode)
    {
        var raw = args.Raw("as");
        if (raw is null)
        {
            return defaultName;
        }

        if (raw.BsonType != BsonType.String)
        {
            throw new MongoErrorException(typeCode, "'as' must be a string");
        }

        return VariableNames.Validate(raw.AsString);
    }

    private sealed class FilterExpression(AggregationExpression input, string variable, AggregationExpression condition,
        AggregationExpression? limit) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inputValue = input.Evaluate(root, scope);
            if (Operator.IsNullish(inputValue))
            {
                return BsonNull.Value;
            }

            if (inputValue is not BsonArray array)
            {
                throw new MongoErrorException(28651, $"input to $filter must be an array not {TypeNames.Of(inputValue)}");
            }

            var max = int.MaxValue;
            if (limit is not null)
            {
                var limitValue = limit.Evaluate(root, scope);
                if (!Operator.IsNullish(limitValue))
                {
                    if (!Numbers.IsNumber(limitValue) || !Numbers.TryGetIntegral(limitValue!, out var n) || n > int.MaxValue)
                    {
                        throw new MongoErrorException(327391,
                            $"$filter: limit must be represented as a 32-bit integral value: {limitValue}");
                    }

                    if (n < 1)
                    {
                        throw new MongoErrorException(327392, $"$filter: limit must be greater than 0: {n}");
                    }

                    max = (int)n;
                }
            }

            var inner = ExpressionScope.ChildOf(scope);
            var result = new BsonArray();
            foreach (var item in array)
            {
                if (result.Count >= max)
                {
                    break;
                }

                inner.Set(variable, item);
                if (IsTruthy(condition.Evaluate(root, inner)))
                {
                    result.Add(item);
                }
            }

            return result;
        }
    }

    private static AggregationExpression CompileMap(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args = NamedArguments.Parse(name, argument, context, ["input", "as", "in"], ["input", "in"], 16878, 16879, 16880);
        var variable = VariableName(args, "this", 16881);
        return new MapExpression(args.Required("input"), variable, args.Required("in"));
    }

    private sealed class MapExpression(AggregationExpression input, string variable, AggregationExpression body) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inputValue = input.Evaluate(root, scope);
            if (Operator.IsNullish(inputValue))
            {
                return BsonNull.Value;
            }

            if (inputValue is not BsonArray array)
            {
                throw new MongoErrorException(16883, $"input to $map must be an array not {TypeNames.Of(inputValue)}");
            }

            var inner = ExpressionScope.ChildOf(scope);
            var result = new BsonArray(array.Count);
            foreach (var item in array)
            {
                inner.Set(variable, item);
                result.Add(body.Evaluate(root, inner) ?? BsonNull.Value);
            }

            return result;
        }
    }

    private static AggregationExpression CompileReduce(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["input", "initialValue", "in"], ["input", "initialValue", "in"], 40075, 40076,
                40077);
        return new ReduceExpression(args.Required("input"), args.Required("initialValue"), args.Required("in"));
    }

    private sealed class ReduceExpression(AggregationExpression input, AggregationExpression initialValue, AggregationExpression body)
        : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inputValue = input.Evaluate(root, scope);
            if (Operator.IsNullish(inputValue))
            {
                return BsonNull.Value;
            }

            if (inputValue is not BsonArray array)
            {
                throw new MongoErrorException(40080, $"$reduce requires that 'input' be an array, found: {inputValue}");
            }

            var accumulated = initialValue.Evaluate(root, scope);
            var inner = ExpressionScope.ChildOf(scope);
            foreach (var item in array)
            {
                inner.Set("value", accumulated);
                inner.Set("this", item);
                accumulated = body.Evaluate(root, inner);
            }

            return accumulated;
        }
    }

    private static AggregationExpression CompileZip(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["inputs", "useLongestLength", "defaults"], ["inputs"], 34460, 34464, 34465);
        var useLongest = args.Raw("useLongestLength");
        if (useLongest is not null && useLongest.BsonType != BsonType.Boolean)
        {
            throw new MongoErrorException(34463, $"useLongestLength must be a bool, found {TypeNames.Of(useLongest)}");
        }

        var longest = useLongest?.AsBoolean ?? false;
        if (args.Has("defaults") && !longest)
        {
            throw new MongoErrorException(34466, "cannot specify defaults unless useLongestLength is true");
        }

        return new ZipExpression(args.Required("inputs"), longest, args.Expression("defaults"));
    }

    private sealed class ZipExpression(AggregationExpression inputs, bool useLongestLength, AggregationExpression? defaults)
        : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inputsValue = inputs.Evaluate(root, scope);
            if (inputsValue is not BsonArray inputArrays)
            {
                throw new MongoErrorException(34461, $"inputs must be an array of expressions, found {TypeNames.Of(inputsValue)}");
            }

            var arrays = new List<BsonArray>(inputArrays.Count);
            foreach (var item in inputArrays)
            {
                if (Operator.IsNullish(item))
                {
                    return BsonNull.Value;
                }

                if (item is not BsonArray array)
                {
                    throw new MongoErrorException(34468, $"$zip found a non-array expression in input: {item}");
                }

                arrays.Add(array);
            }

            BsonArray? defaultValues = null;
            if (defaults is not null)
            {
                defaultValues = defaults.Evaluate(root, scope) as BsonArray
                    ?? throw new MongoErrorException(34462, "defaults must be an array of expressions");
                if (defaultValues.Count != arrays.Count)
                {
                    throw new MongoErrorException(34467, "$zip requires that 'defaults' be the same length as 'inputs'");
                }
            }

            var length = arrays.Count == 0 ? 0 : useLongestLength ? arrays.Max(a => a.Count) : arrays.Min(a => a.Count);
            var result = new BsonArray(length);
            for (var i = 0; i < length; i++)
            {
                var tuple = new BsonArray(arrays.Count);
                for (var j = 0; j < arrays.Count; j++)
                {
                    tuple.Add(i < arrays[j].Count ? arrays[j][i] : defaultValues?[j] ?? BsonNull.Value);
                }

                result.Add(tuple);
            }

            return result;
        }
    }

    private static AggregationExpression CompileSortArray(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var args = NamedArguments.Parse(name, argument, context, ["input", "sortBy"], ["input", "sortBy"], 2942500, 2942501, 2942502);
        var sortBy = args.Raw("sortBy")!;
        IComparer<BsonValue> comparer;
        if (sortBy is BsonDocument spec)
        {
            comparer = new SortArrayByFieldsComparer(DocumentSortComparer.Compile(spec, context.Collation), context.Comparer);
        }
        else if (Numbers.IsNumber(sortBy) && (sortBy.ToDouble() is 1 or -1))
        {
            var direction = (int)sortBy.ToDouble();
            var valueComparer = context.Comparer;
            comparer = Comparer<BsonValue>.Create((x, y) => direction * valueComparer.Compare(x, y));
        }
        else
        {
            throw new MongoErrorException(2942503, "$sortArray requires sortBy to be either 1, -1 or an object");
        }

        return new SortArrayExpression(args.Required("input"), comparer);
    }

    /// <summary>Documents sort by the fields; other values sort before documents in BSON order, as $sortArray does.</summary>
    private sealed class SortArrayByFieldsComparer(DocumentSortComparer documents, BsonValueComparer values) : IComparer<BsonValue>
    {
        public int Compare(BsonValue? x, BsonValue? y)
        {
            if (x is BsonDocument a && y is BsonDocument b)
            {
                return documents.Compare(a, b);
            }

            return values.Compare(x, y);
        }
    }

    private sealed class SortArrayExpression(AggregationExpression input, IComparer<BsonValue> comparer) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var value = input.Evaluate(root, scope);
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value is not BsonArray array)
            {
                throw new MongoErrorException(ErrorCodes.BadValue,
                    $"The input argument to $sortArray must be an array, but was of type: {TypeNames.Of(value)}");
            }

            // Stable, like MongoDB's sort of equal keys.
            var sorted = array.OrderBy(item => item, comparer).ToList();
            return new BsonArray(sorted);
        }
    }
}
