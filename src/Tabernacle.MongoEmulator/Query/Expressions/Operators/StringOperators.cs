using System.Globalization;
using System.Text;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$concat $toLower $toUpper $substr* $strLen* $indexOfCP $split $trim $ltrim $rtrim $replaceOne $replaceAll
/// $strcasecmp.</summary>
internal static class StringOperators
{
    // The characters $trim removes by default: null and the Unicode whitespace MongoDB lists.
    private static readonly Rune[] DefaultTrimCharacters =
    [
        .. "\0 \t\n\v\f\r\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000".EnumerateRunes(),
    ];

    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$concat"] = Operator.Nary(0, int.MaxValue, Concat);
        registry["$toLower"] = Operator.Unary(v => new BsonString(AsciiCase(CoerceToString("$toLower", v), lower: true)));
        registry["$toUpper"] = Operator.Unary(v => new BsonString(AsciiCase(CoerceToString("$toUpper", v), lower: false)));
        registry["$substrCP"] = Operator.Nary(3, 3, SubstrCodePoints);
        registry["$substrBytes"] = Operator.Nary(3, 3, args => SubstrBytes("$substrBytes", args));
        registry["$substr"] = Operator.Nary(3, 3, args => SubstrBytes("$substr", args));
        registry["$strLenCP"] = Operator.Unary(StrLenCodePoints);
        registry["$strLenBytes"] = Operator.Unary(StrLenBytes);
        registry["$indexOfCP"] = Operator.Nary(2, 4, IndexOfCodePoints);
        registry["$indexOfBytes"] = Operator.Nary(2, 4, IndexOfBytes);
        registry["$split"] = Operator.Binary(Split);
        registry["$strcasecmp"] = Operator.Binary(StrCaseCmp);
        registry["$trim"] = (name, argument, context) => CompileTrim(name, argument, context, start: true, end: true);
        registry["$ltrim"] = (name, argument, context) => CompileTrim(name, argument, context, start: true, end: false);
        registry["$rtrim"] = (name, argument, context) => CompileTrim(name, argument, context, start: false, end: true);
        registry["$replaceOne"] = (name, argument, context) => CompileReplace(name, argument, context, all: false);
        registry["$replaceAll"] = (name, argument, context) => CompileReplace(name, argument, context, all: true);
    }

    /// <summary>MongoDB's string coercion for $toLower, $substr and friends: null and missing become "".</summary>
    public static string CoerceToString(string op, BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return string.Empty;
        }

        return value!.BsonType switch
        {
            BsonType.String => value.AsString,
            BsonType.Symbol => value.AsBsonSymbol.Name,
            BsonType.Int32 => value.AsInt32.ToString(CultureInfo.InvariantCulture),
            BsonType.Int64 => value.AsInt64.ToString(CultureInfo.InvariantCulture),
            BsonType.Double => TypeConversion.FormatDouble(value.AsDouble),
            BsonType.Decimal128 => value.AsDecimal128.ToString(),
            BsonType.DateTime => TypeConversion.FormatDate(value.AsBsonDateTime),
            BsonType.Timestamp => value.AsBsonTimestamp.ToString(),
            _ => throw new MongoErrorException(16007, $"can't convert from BSON type {TypeNames.Of(value)} to String"),
        };
    }

    private static BsonValue? Concat(BsonValue?[] values)
    {
        var builder = new StringBuilder();
        foreach (var value in values)
        {
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value!.BsonType != BsonType.String)
            {
                throw new MongoErrorException(16702, $"$concat only supports strings, not {TypeNames.Of(value)}");
            }

            builder.Append(value.AsString);
        }

        return new BsonString(builder.ToString());
    }

    /// <summary>MongoDB changes the case of ASCII letters only.</summary>
    private static string AsciiCase(string text, bool lower)
    {
        return string.Create(text.Length, (text, lower), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = state.text[i];
                span[i] = state.lower
                    ? (c is >= 'A' and <= 'Z' ? (char)(c + 32) : c)
                    : (c is >= 'a' and <= 'z' ? (char)(c - 32) : c);
            }
        });
    }

    private static int ToNonNegativeInt(string op, BsonValue? value, string what, int typeCode, int integralCode, int negativeCode)
    {
        if (!Numbers.IsNumber(value))
        {
            throw new MongoErrorException(typeCode, $"{op}: {what} must be a numeric type (is BSON type {TypeNames.Of(value)})");
        }

        if (!Numbers.TryGetIntegral(value!, out var result))
        {
            throw new MongoErrorException(integralCode, $"{op}: {what} cannot be represented as a 32-bit integral value");
        }

        if (result < 0)
        {
            throw new MongoErrorException(negativeCode, $"{op}: {what} must be a nonnegative integer.");
        }

        return (int)Math.Min(result, int.MaxValue);
    }

    private static BsonValue? SubstrCodePoints(BsonValue?[] args)
    {
        var text = CoerceToString("$substrCP", args[0]);
        var start = ToNonNegativeInt("$substrCP", args[1], "starting index", 34450, 34452, 34455);
        var count = ToNonNegativeInt("$substrCP", args[2], "length", 34451, 34453, 34454);
        var builder = new StringBuilder();
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (index >= start + (long)count)
            {
                break;
            }

            if (index >= start)
            {
                builder.Append(rune.ToString());
            }

            index++;
        }

        return new BsonString(builder.ToString());
    }

    private static BsonValue? SubstrBytes(string op, BsonValue?[] args)
    {
        var bytes = Encoding.UTF8.GetBytes(CoerceToString(op, args[0]));
        if (!Numbers.IsNumber(args[1]) || !Numbers.IsNumber(args[2]))
        {
            throw new MongoErrorException(16034, $"{op}: starting index and length must be numeric types");
        }

        var startValue = args[1]!.ToDouble();
        var lengthValue = args[2]!.ToDouble();
        if (startValue < 0)
        {
            throw new MongoErrorException(50752, $"{op}: starting index must be non-negative (got: {(long)startValue})");
        }

        var start = (int)Math.Min(startValue, bytes.Length);
        // A negative length means "to the end of the string".
        var length = lengthValue < 0 ? bytes.Length - start : (int)Math.Min(lengthValue, bytes.Length - start);
        if (start < bytes.Length && IsContinuationByte(bytes[start]))
        {
            throw new MongoErrorException(28656, $"{op}:  Invalid range, starting index is a UTF-8 continuation byte.");
        }

        if (start + length < bytes.Length && IsContinuationByte(bytes[start + length]))
        {
            throw new MongoErrorException(28657, $"{op}:  Invalid range, ending index is in the middle of a UTF-8 character.");
        }

        return new BsonString(Encoding.UTF8.GetString(bytes, start, length));
    }

    private static bool IsContinuationByte(byte b) => (b & 0xC0) == 0x80;

    private static BsonValue? StrLenCodePoints(BsonValue? value)
    {
        if (value is not { BsonType: BsonType.String })
        {
            throw new MongoErrorException(34471, $"$strLenCP requires a string argument, found: {TypeNames.Of(value)}");
        }

        var count = 0;
        foreach (var unused in value.AsString.EnumerateRunes())
        {
            count++;
        }

        return new BsonInt32(count);
    }

    private static BsonValue? StrLenBytes(BsonValue? value)
    {
        if (value is not { BsonType: BsonType.String })
        {
            throw new MongoErrorException(34473, $"$strLenBytes requires a string argument, found: {TypeNames.Of(value)}");
        }

        return new BsonInt32(Encoding.UTF8.GetByteCount(value.AsString));
    }

    private static BsonValue? IndexOfCodePoints(BsonValue?[] args) => IndexOf("$indexOfCP", args, codePoints: true);

    private static BsonValue? IndexOfBytes(BsonValue?[] args) => IndexOf("$indexOfBytes", args, codePoints: false);

    private static BsonValue? IndexOf(string op, BsonValue?[] args, bool codePoints)
    {
        if (Operator.IsNullish(args[0]))
        {
            return BsonNull.Value;
        }

        if (args[0]!.BsonType != BsonType.String)
        {
            throw new MongoErrorException(40091, $"{op} requires a string as the first argument, found: {TypeNames.Of(args[0])}");
        }

        if (args[1] is not { BsonType: BsonType.String })
        {
            throw new MongoErrorException(40092, $"{op} requires a string as the second argument, found: {TypeNames.Of(args[1])}");
        }

        // Work on arrays of units (code points or bytes) so indexes are in MongoDB's units.
        var text = codePoints ? ToCodePoints(args[0]!.AsString) : Encoding.UTF8.GetBytes(args[0]!.AsString).Select(b => (int)b).ToArray();
        var search = codePoints ? ToCodePoints(args[1]!.AsString) : Encoding.UTF8.GetBytes(args[1]!.AsString).Select(b => (int)b).ToArray();
        var start = args.Length > 2 ? IndexBound(op, args[2], 40096, 40097) : 0;
        var end = args.Length > 3 ? IndexBound(op, args[3], 40096, 40097) : text.Length;
        end = Math.Min(end, text.Length);
        if (start > end)
        {
            return new BsonInt32(-1);
        }

        for (var i = start; i + search.Length <= end; i++)
        {
            if (text.AsSpan(i, search.Length).SequenceEqual(search))
            {
                return new BsonInt32(i);
            }
        }

        return new BsonInt32(-1);
    }

    public static int[] ToCodePoints(string text)
    {
        var result = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            result.Add(rune.Value);
        }

        return [.. result];
    }

    private static int IndexBound(string op, BsonValue? value, int integralCode, int negativeCode)
    {
        if (!Numbers.IsNumber(value) || !Numbers.TryGetIntegral(value!, out var result))
        {
            throw new MongoErrorException(integralCode,
                $"{op} requires an integral starting index, found a value of type: {TypeNames.Of(value)}, with value: {value}");
        }

        if (result < 0)
        {
            throw new MongoErrorException(negativeCode, $"{op} requires a nonnegative start index, found: {result}");
        }

        return (int)Math.Min(result, int.MaxValue);
    }

    private static BsonValue? Split(BsonValue? text, BsonValue? delimiter)
    {
        if (Operator.IsNullish(text) || Operator.IsNullish(delimiter))
        {
            return BsonNull.Value;
        }

        if (text!.BsonType != BsonType.String)
        {
            throw new MongoErrorException(40085,
                $"$split requires an expression that evaluates to a string as a first argument, found: {TypeNames.Of(text)}");
        }

        if (delimiter!.BsonType != BsonType.String)
        {
            throw new MongoErrorException(40086,
                $"$split requires an expression that evaluates to a string as a second argument, found: {TypeNames.Of(delimiter)}");
        }

        if (delimiter.AsString.Length == 0)
        {
            throw new MongoErrorException(40087, "$split requires a non-empty separator");
        }

        var result = new BsonArray();
        foreach (var part in text.AsString.Split(delimiter.AsString))
        {
            result.Add(new BsonString(part));
        }

        return result;
    }

    private static BsonValue? StrCaseCmp(BsonValue? x, BsonValue? y)
    {
        var a = AsciiCase(CoerceToString("$strcasecmp", x), lower: false);
        var b = AsciiCase(CoerceToString("$strcasecmp", y), lower: false);
        return new BsonInt32(Math.Sign(BsonValueComparer.Default.CompareStrings(a, b)));
    }

    private static AggregationExpression CompileTrim(string name, BsonValue argument, ExpressionCompileContext context, bool start,
        bool end)
    {
        var args = NamedArguments.Parse(name, argument, context, ["input", "chars"], ["input"], 50696, 50694, 50695);
        return new TrimExpression(name, args.Required("input"), args.Expression("chars"), start, end);
    }

    private sealed class TrimExpression(string op, AggregationExpression input, AggregationExpression? chars, bool start, bool end)
        : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var value = input.Evaluate(root, scope);
            if (Operator.IsNullish(value))
            {
                return BsonNull.Value;
            }

            if (value!.BsonType != BsonType.String)
            {
                throw new MongoErrorException(50699,
                    $"{op} requires its input to be a string, got {value} (of type {TypeNames.Of(value)}) instead.");
            }

            var trimSet = DefaultTrimCharacters;
            if (chars is not null)
            {
                var charsValue = chars.Evaluate(root, scope);
                if (Operator.IsNullish(charsValue))
                {
                    return BsonNull.Value;
                }

                if (charsValue!.BsonType != BsonType.String)
                {
                    throw new MongoErrorException(50700,
                        $"{op} requires 'chars' to be a string, got {charsValue} (of type {TypeNames.Of(charsValue)}) instead.");
                }

                trimSet = [.. charsValue.AsString.EnumerateRunes()];
            }

            var runes = value.AsString.EnumerateRunes().ToArray();
            var first = 0;
            var last = runes.Length;
            while (start && first < last && Array.IndexOf(trimSet, runes[first]) >= 0)
            {
                first++;
            }

            while (end && last > first && Array.IndexOf(trimSet, runes[last - 1]) >= 0)
            {
                last--;
            }

            var builder = new StringBuilder();
            for (var i = first; i < last; i++)
            {
                builder.Append(runes[i].ToString());
            }

            return new BsonString(builder.ToString());
        }
    }

    private static AggregationExpression CompileReplace(string name, BsonValue argument, ExpressionCompileContext context, bool all)
    {
        var args =
            NamedArguments.Parse(name, argument, context, ["input", "find", "replacement"], ["input", "find", "replacement"], 51751, 51750,
                51749);
        return new ReplaceExpression(name, args.Required("input"), args.Required("find"), args.Required("replacement"), all);
    }

    private sealed class ReplaceExpression(string op, AggregationExpression input, AggregationExpression find,
        AggregationExpression replacement, bool all) : AggregationExpression
    {
        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inputValue = input.Evaluate(root, scope);
            var findValue = find.Evaluate(root, scope);
            var replacementValue = replacement.Evaluate(root, scope);
            Check(inputValue, "input", 51746);
            Check(findValue, "find", 51745);
            Check(replacementValue, "replacement", 51744);
            if (Operator.IsNullish(inputValue) || Operator.IsNullish(findValue) || Operator.IsNullish(replacementValue))
            {
                return BsonNull.Value;
            }

            var text = inputValue!.AsString;
            var search = findValue!.AsString;
            var with = replacementValue!.AsString;
            if (all)
            {
                // An empty 'find' matches between every character, and at both ends.
                return new BsonString(search.Length == 0 ? InsertEverywhere(text, with)
                    : text.Replace(search, with, StringComparison.Ordinal));
            }

            var index = text.IndexOf(search, StringComparison.Ordinal);
            return index < 0 ? inputValue : new BsonString(string.Concat(text.AsSpan(0, index), with, text.AsSpan(index + search.Length)));
        }

        private void Check(BsonValue? value, string what, int code)
        {
            if (!Operator.IsNullish(value) && value!.BsonType != BsonType.String)
            {
                throw new MongoErrorException(code, $"{op} requires that '{what}' be a string, found: {value}");
            }
        }

        private static string InsertEverywhere(string text, string with)
        {
            var builder = new StringBuilder(with);
            foreach (var rune in text.EnumerateRunes())
            {
                builder.Append(rune.ToString()).Append(with);
            }

            return builder.ToString();
        }
    }
}
