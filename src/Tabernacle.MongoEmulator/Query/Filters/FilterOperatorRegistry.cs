using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>Parses the argument of a field-level query operator into a value matcher.</summary>
internal delegate ValueMatcher FieldOperatorParser(BsonValue argument, FilterCompiler compiler);

/// <summary>Parses the argument of a top-level query operator (<c>$and</c>, <c>$expr</c>, ...) into a filter node.</summary>
internal delegate FilterNode TopLevelOperatorParser(BsonValue argument, FilterCompiler compiler, FilterConditionsCollector? conditions);

/// <summary>
/// The query operators by name, one registry for field-level operators and one for top-level ones, the way mingo's
/// <c>operators/query</c> is organised. <c>$regex</c>/<c>$options</c> are parsed together by the compiler.
/// </summary>
internal static class FilterOperatorRegistry
{
    public static IReadOnlyDictionary<string, FieldOperatorParser> FieldOperators { get; } =
        new Dictionary<string, FieldOperatorParser>(StringComparer.Ordinal)
    {
        ["$eq"] = (arg, c) => new EqualityMatcher(arg, c.Comparer),
        ["$ne"] = ParseNotEqual,
        ["$gt"] = (arg, c) => new ComparisonMatcher("$gt", arg, c.Comparer),
        ["$gte"] = (arg, c) => new ComparisonMatcher("$gte", arg, c.Comparer),
        ["$lt"] = (arg, c) => new ComparisonMatcher("$lt", arg, c.Comparer),
        ["$lte"] = (arg, c) => new ComparisonMatcher("$lte", arg, c.Comparer),
        ["$in"] = (arg, c) => ParseIn("$in", arg, c),
        ["$nin"] = (arg, c) => new NotMatcher(ParseIn("$nin", arg, c)),
        ["$exists"] = (arg, _) => AggregationTruthy(arg) ? ExistsMatcher.Instance : new NotMatcher(ExistsMatcher.Instance),
        ["$type"] = ParseType,
        ["$mod"] = ParseMod,
        ["$size"] = ParseSize,
        ["$all"] = ParseAll,
        ["$elemMatch"] = ParseElemMatch,
        ["$not"] = ParseNot,
    };

    public static IReadOnlyDictionary<string, TopLevelOperatorParser> TopLevelOperators { get; } =
        new Dictionary<string, TopLevelOperatorParser>(StringComparer.Ordinal)
    {
        ["$and"] = (arg, c, conditions) => new AndNode(ParseClauses("$and", arg, c, conditions)),
        ["$or"] = (arg, c, _) => ParseOr(arg, c),
        ["$nor"] = (arg, c, _) => new NorNode(ParseClauses("$nor", arg, c, null)),
        ["$expr"] = (arg, c, _) => new ExprNode(arg, c),
        ["$comment"] = (_, _, _) => ConstantNode.True,
        ["$jsonSchema"] = (arg, c, _) => arg is BsonDocument schema
            ? new JsonSchemaNode(JsonSchemaValidator.Compile(schema, c.Comparer))
            : throw new MongoErrorException(ErrorCodes.TypeMismatch, "$jsonSchema must be an object"),
        // mongod with server-side JavaScript disabled, as the emulator is (it has no JavaScript engine).
        ["$where"] = (_, _, _) => throw new MongoErrorException(ErrorCodes.BadValue, "no globalScriptEngine in $where parsing"),
        ["$text"] = (_, _, _) => throw NotSupported("$text"),
        ["$alwaysTrue"] = (_, _, _) => ConstantNode.True,
        ["$alwaysFalse"] = (_, _, _) => ConstantNode.False,
    };

    private static MongoErrorException NotSupported(string op) =>
        new(ErrorCodes.NotSupportedInEmulator, $"{op} is not supported by the emulator");

    private static bool AggregationTruthy(BsonValue arg) => arg.BsonType switch
    {
        BsonType.Boolean => arg.AsBoolean,
        BsonType.Null or BsonType.Undefined => false,
        BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 => BsonValueComparer.ToDouble(arg) != 0,
        _ => true,
    };

    private static ValueMatcher ParseNotEqual(BsonValue arg, FilterCompiler compiler)
    {
        if (arg.BsonType == BsonType.RegularExpression)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "Can't have regex as arg to $ne.");
        }

        return new NotMatcher(new EqualityMatcher(arg, compiler.Comparer));
    }

    private static InMatcher ParseIn(string op, BsonValue arg, FilterCompiler compiler)
    {
        if (arg is not BsonArray array)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, $"{op} needs an array");
        }

        var values = new List<BsonValue>(array.Count);
        var regexes = new List<RegexMatcher>();
        foreach (var item in array)
        {
            if (item is BsonRegularExpression regex)
            {
                regexes.Add(RegexMatcher.From(regex));
            }
            else if (item is BsonDocument document && document.ElementCount > 0 && document.GetElement(0).Name.StartsWith('$'))
            {
                throw new MongoErrorException(ErrorCodes.BadValue, $"cannot nest $ under {op}");
            }
            else
            {
                values.Add(item);
            }
        }

        return new InMatcher(values, regexes, compiler.Comparer);
    }

    private static TypeMatcher ParseType(BsonValue arg, FilterCompiler compiler)
    {
        var codes = new List<int>();
        var anyNumber = false;
        if (arg is BsonArray array)
        {
            foreach (var item in array)
            {
                anyNumber |= AddTypeCode(item, codes);
            }
        }
        else
        {
            anyNumber = AddTypeCode(arg, codes);
        }

        return new TypeMatcher([.. codes], anyNumber);
    }

    /// <summary>Adds one <c>$type</c> argument; returns whether it is the alias "number".</summary>
    private static bool AddTypeCode(BsonValue item, List<int> codes)
    {
        if (item.IsString)
        {
            if (item.AsString == "number")
            {
                return true;
            }

            var code = BsonTypeNames.CodeOfAlias(item.AsString)
                ?? throw new MongoErrorException(ErrorCodes.BadValue, $"Unknown type name alias: {item.AsString}");
            codes.Add(code);
            return false;
        }

        if (item.IsNumeric)
        {
            var d = BsonValueComparer.ToDouble(item);
            var code = (int)d;
            if (code != d || !BsonTypeNames.IsValidCode(code))
            {
                throw new MongoErrorException(ErrorCodes.BadValue, $"Invalid numerical type code: {item}");
            }

            codes.Add(code);
            return false;
        }

        throw new MongoErrorException(ErrorCodes.TypeMismatch, "type must be represented as a number or a string");
    }

    private static ModMatcher ParseMod(BsonValue arg, FilterCompiler compiler)
    {
        if (arg is not BsonArray array)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "malformed mod, needs to be an array");
        }

        if (array.Count < 2)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "malformed mod, not enough elements");
        }

        if (array.Count > 2)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "malformed mod, too many elements");
        }

        if (!array[0].IsNumeric)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "malformed mod, divisor not a number");
        }

        if (!array[1].IsNumeric)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "malformed mod, remainder not a number");
        }

        var divisor = TruncateToLong(array[0], "divisor");
        var remainder = TruncateToLong(array[1], "remainder");
        if (divisor == 0)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "divisor cannot be 0");
        }

        return new ModMatcher(divisor, remainder);
    }

    private static long TruncateToLong(BsonValue value, string what)
    {
        if (value.BsonType is BsonType.Int32 or BsonType.Int64)
        {
            return value.ToInt64();
        }

        var d = BsonValueComparer.ToDouble(value);
        if (double.IsNaN(d) || double.IsInfinity(d) || d >= 9.2233720368547758E18 || d < -9.2233720368547758E18)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                $"malformed mod, {what} value is invalid :: caused by :: Out of bounds coercing to integral value");
        }

        return (long)Math.Truncate(d);
    }

    private static SizeMatcher ParseSize(BsonValue arg, FilterCompiler compiler)
    {
        if (!arg.IsNumeric)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$size needs a number");
        }

        var d = BsonValueComparer.ToDouble(arg);
        if (d < 0)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$size may not be negative");
        }

        if (d != Math.Floor(d) || d > int.MaxValue)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$size must be a whole number");
        }

        return new SizeMatcher((int)d);
    }

    private static ValueMatcher ParseAll(BsonValue arg, FilterCompiler compiler)
    {
        if (arg is not BsonArray array)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$all needs an array");
        }

        if (array.Count == 0)
        {
            return new ConstantMatcher(false);
        }

        var conditions = new ValueMatcher[array.Count];
        var elemMatches = 0;
        for (var i = 0; i < array.Count; i++)
        {
            var item = array[i];
            if (item is BsonDocument document && document.ElementCount > 0 && document.GetElement(0).Name == "$elemMatch")
            {
                elemMatches++;
                conditions[i] = ParseElemMatch(document[0], compiler);
            }
            else if (item is BsonDocument operators && operators.ElementCount > 0 && operators.GetElement(0).Name.StartsWith('$'))
            {
                throw new MongoErrorException(ErrorCodes.BadValue, "no $ expressions in $all");
            }
            else
            {
                conditions[i] = item is BsonRegularExpression regex ? RegexMatcher.From(regex)
                    : new EqualityMatcher(item, compiler.Comparer);
            }
        }

        if (elemMatches != 0 && elemMatches != array.Count)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$all/$elemMatch has to be consistent");
        }

        return new AllOfMatcher(conditions, isArrayContainment: true);
    }

    private static ValueMatcher ParseElemMatch(BsonValue arg, FilterCompiler compiler)
    {
        if (arg is not BsonDocument query)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$elemMatch needs an Object");
        }

        if (IsOperatorDocument(query))
        {
            return new ElemMatchValueMatcher([compiler.ParseOperatorDocument(query)]);
        }

        return new ElemMatchObjectMatcher(compiler.ParseFilter(query, null));
    }

    /// <summary>
    /// Whether a document is a list of field operators (<c>{$gt: 1}</c>) rather than a query on fields; logical
    /// operators such as <c>$and</c> start a query.
    /// </summary>
    public static bool IsOperatorDocument(BsonDocument document)
    {
        if (document.ElementCount == 0)
        {
            return false;
        }

        var first = document.GetElement(0).Name;
        return first.StartsWith('$') && !TopLevelOperators.ContainsKey(first);
    }

    private static NotMatcher ParseNot(BsonValue arg, FilterCompiler compiler)
    {
        switch (arg)
        {
            case BsonRegularExpression regex:
                return new NotMatcher(RegexMatcher.From(regex));
            case BsonDocument { ElementCount: 0 }:
                throw new MongoErrorException(ErrorCodes.BadValue, "$not cannot be empty");
            case BsonDocument operators:
                return new NotMatcher(compiler.ParseOperatorDocument(operators));
            default:
                throw new MongoErrorException(ErrorCodes.BadValue, "$not needs a regex or a document");
        }
    }

    private static FilterNode[] ParseClauses(string op, BsonValue arg, FilterCompiler compiler, FilterConditionsCollector? conditions)
    {
        if (arg is not BsonArray array || array.Count == 0)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, $"{op} argument must be a non-empty array");
        }

        var clauses = new FilterNode[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not BsonDocument clause)
            {
                throw new MongoErrorException(ErrorCodes.BadValue, $"{op} argument's entries must be objects");
            }

            clauses[i] = compiler.ParseFilter(clause, conditions);
        }

        return clauses;
    }

    private static FilterNode ParseOr(BsonValue arg, FilterCompiler compiler)
    {
        var clauses = ParseClauses("$or", arg, compiler, null);
        return clauses.Length == 1 ? clauses[0] : new OrNode(clauses);
    }
}
