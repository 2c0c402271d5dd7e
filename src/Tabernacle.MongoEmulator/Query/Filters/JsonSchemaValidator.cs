using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary><c>$jsonSchema</c> as a filter: documents valid against the schema match.</summary>
internal sealed class JsonSchemaNode(JsonSchemaValidator schema) : FilterNode
{
    public override bool Matches(BsonDocument document, MatchDetails? details) => schema.IsValid(document);
}

/// <summary>
/// A compiled <c>$jsonSchema</c> (MongoDB's draft-4 dialect with <c>bsonType</c>). As in JSON Schema, each keyword only
/// constrains values of the types it talks about (<c>minimum</c> ignores strings, <c>properties</c> ignores non-objects).
/// </summary>
internal sealed class JsonSchemaValidator
{
    private static readonly Dictionary<string, int[]> JsonTypes = new(StringComparer.Ordinal)
    {
        ["object"] = [3],
        ["array"] = [4],
        ["number"] = [1, 16, 18, 19],
        ["boolean"] = [8],
        ["string"] = [2],
        ["null"] = [10],
    };

    private readonly List<Func<BsonValue, bool>> _checks = [];
    private readonly BsonValueComparer _comparer;

    private JsonSchemaValidator(BsonValueComparer comparer) => _comparer = comparer;

    public static JsonSchemaValidator Compile(BsonDocument schema, BsonValueComparer comparer)
    {
        var validator = new JsonSchemaValidator(comparer);
        validator.Parse(schema);
        return validator;
    }

    public bool IsValid(BsonValue value)
    {
        foreach (var check in _checks)
        {
            if (!check(value))
            {
                return false;
            }
        }

        return true;
    }

    private void Parse(BsonDocument schema)
    {
        var exclusiveMinimum = schema.TryGetValue("exclusiveMinimum", out var exMin) && exMin.ToBoolean();
        var exclusiveMaximum = schema.TryGetValue("exclusiveMaximum", out var exMax) && exMax.ToBoolean();
        foreach (var keyword in schema)
        {
            var arg = keyword.Value;
            switch (keyword.Name)
            {
                case "bsonType":
                    AddTypeCheck(
                        ParseTypes(arg, "bsonType", alias =>
                            alias == "number" ? JsonTypes["number"] : BsonTypeNames.CodeOfAlias(alias) is { } code ? [code] : null));
                    break;
                case "type":
                    AddTypeCheck(ParseTypes(arg, "type", alias => JsonTypes.TryGetValue(alias, out var codes) ? codes : null));
                    break;
                case "required":
                    AddRequired(arg);
                    break;
                case "properties":
                    AddProperties(RequireDocument(arg, "properties"));
                    break;
                case "additionalProperties":
                    AddAdditionalProperties(schema, arg);
                    break;
                case "minimum":
                    AddNumberBound(RequireNumber(arg, "minimum"), lower: true, exclusiveMinimum);
                    break;
                case "maximum":
                    AddNumberBound(RequireNumber(arg, "maximum"), lower: false, exclusiveMaximum);
                    break;
                case "exclusiveMinimum":
                case "exclusiveMaximum":
                case "description":
                case "title":
                    break;
                case "minLength":
                    var minLength = RequireCount(arg, "minLength");
                    _checks.Add(v => v is not BsonString s || CodePoints(s.Value) >= minLength);
                    break;
                case "maxLength":
                    var maxLength = RequireCount(arg, "maxLength");
                    _checks.Add(v => v is not BsonString s || CodePoints(s.Value) <= maxLength);
                    break;
                case "pattern":
                    var regex =
                        RegexMatcher.Build(arg.IsString ? arg.AsString : throw Invalid("pattern", "must be a string"), string.Empty);
                    _checks.Add(v => v is not BsonString s || regex.IsMatch(s.Value));
                    break;
                case "enum":
                    var allowed = arg is BsonArray { Count: > 0 } values ? values : throw Invalid("enum", "must be a non-empty array");
                    _checks.Add(v => Contains(allowed, v));
                    break;
                case "minItems":
                    var minItems = RequireCount(arg, "minItems");
                    _checks.Add(v => v is not BsonArray a || a.Count >= minItems);
                    break;
                case "maxItems":
                    var maxItems = RequireCount(arg, "maxItems");
                    _checks.Add(v => v is not BsonArray a || a.Count <= maxItems);
                    break;
                case "uniqueItems":
                    if (arg.ToBoolean())
                    {
                        _checks.Add(v => v is not BsonArray a || AllDistinct(a));
                    }

                    break;
                case "items":
                    AddItems(arg);
                    break;
                case "minProperties":
                    var minProperties = RequireCount(arg, "minProperties");
                    _checks.Add(v => v is not BsonDocument d || d.ElementCount >= minProperties);
                    break;
                case "maxProperties":
                    var maxProperties = RequireCount(arg, "maxProperties");
                    _checks.Add(v => v is not BsonDocument d || d.ElementCount <= maxProperties);
                    break;
                case "allOf":
                    var all = ParseSchemaList(arg, "allOf");
                    _checks.Add(v => Array.TrueForAll(all, s => s.IsValid(v)));
                    break;
                case "anyOf":
                    var any = ParseSchemaList(arg, "anyOf");
                    _checks.Add(v => Array.Exists(any, s => s.IsValid(v)));
                    break;
                case "oneOf":
                    var one = ParseSchemaList(arg, "oneOf");
                    _checks.Add(v => Array.FindAll(one, s => s.IsValid(v)).Length == 1);
                    break;
                case "not":
                    var negated = Compile(RequireDocument(arg, "not"), _comparer);
                    _checks.Add(v => !negated.IsValid(v));
                    break;
                default:
                    throw new MongoErrorException(ErrorCodes.FailedToParse, $"Unknown $jsonSchema keyword: {keyword.Name}");
            }
        }
    }

    private void AddTypeCheck(int[] codes) => _checks.Add(v => Array.IndexOf(codes, BsonTypeNames.CodeOf(v)) >= 0);

    private static int[] ParseTypes(BsonValue arg, string keyword, Func<string, int[]?> resolve)
    {
        var names = arg switch
        {
            BsonString s => [s.Value],
            BsonArray array =>
                array.Select(item => item.IsString ? item.AsString : throw Invalid(keyword, "array elements must be strings")).ToArray(),
            _ => throw new MongoErrorException(ErrorCodes.TypeMismatch,
                $"$jsonSchema keyword '{keyword}' must be either a string or an array of strings"),
        };

        var codes = new List<int>();
        foreach (var name in names)
        {
            if (keyword == "type" && name == "integer")
            {
                throw new MongoErrorException(ErrorCodes.BadValue, "$jsonSchema type 'integer' is not currently supported.");
            }

            codes.AddRange(resolve(name) ?? throw new MongoErrorException(ErrorCodes.BadValue, $"Unknown type name alias: {name}"));
        }

        return [.. codes];
    }

    private void AddRequired(BsonValue arg)
    {
        if (arg is not BsonArray { Count: > 0 } array)
        {
            throw Invalid("required", "must be a non-empty array");
        }

        var names = array.Select(item => item.IsString ? item.AsString : throw Invalid("required", "must contain only strings")).ToArray();
        _checks.Add(v => v is not BsonDocument document || Array.TrueForAll(names, document.Contains));
    }

    private void AddProperties(BsonDocument properties)
    {
        var schemas = properties.Select(p => (p.Name, Compile(RequireDocument(p.Value, $"properties.{p.Name}"), _comparer))).ToArray();
        _checks.Add(v =>
        {
            if (v is not BsonDocument document)
            {
                return true;
            }

            foreach (var (name, schema) in schemas)
            {
                if (document.TryGetValue(name, out var property) && !schema.IsValid(property))
                {
                    return false;
                }
            }

            return true;
        });
    }

    private void AddAdditionalProperties(BsonDocument schema, BsonValue arg)
    {
        var declared = schema.TryGetValue("properties", out var properties) && properties is BsonDocument declaredDocument
            ? declaredDocument.Names.ToHashSet(StringComparer.Ordinal)
            : [];
        Func<BsonValue, bool> allowsExtra = arg switch
        {
            BsonBoolean allowed => _ => allowed.Value,
            BsonDocument extraSchema => Compile(extraSchema, _comparer).IsValid,
            _ => throw Invalid("additionalProperties", "must be either an object or a boolean"),
        };
        _checks.Add(v => v is not BsonDocument document || document.All(e => declared.Contains(e.Name) || allowsExtra(e.Value)));
    }

    private void AddNumberBound(BsonValue bound, bool lower, bool exclusive) => _checks.Add(v =>
    {
        if (!BsonTypeNames.IsNumber(v))
        {
            return true;
        }

        var cmp = BsonValueComparer.CompareNumbers(v, bound);
        return lower ? (exclusive ? cmp > 0 : cmp >= 0) : (exclusive ? cmp < 0 : cmp <= 0);
    });

    private void AddItems(BsonValue arg)
    {
        if (arg is BsonDocument itemSchema)
        {
            var schema = Compile(itemSchema, _comparer);
            _checks.Add(v => v is not BsonArray a || a.All(schema.IsValid));
            return;
        }

        var positional = ParseSchemaList(arg, "items");
        _checks.Add(v =>
        {
            if (v is not BsonArray a)
            {
                return true;
            }

            for (var i = 0; i < a.Count && i < positional.Length; i++)
            {
                if (!positional[i].IsValid(a[i]))
                {
                    return false;
                }
            }

            return true;
        });
    }

    private JsonSchemaValidator[] ParseSchemaList(BsonValue arg, string keyword) =>
        arg is BsonArray { Count: > 0 } array
            ? array.Select(item => Compile(RequireDocument(item, keyword), _comparer)).ToArray()
            : throw Invalid(keyword, "must be a non-empty array");

    private bool Contains(BsonArray allowed, BsonValue value)
    {
        foreach (var candidate in allowed)
        {
            if (ComparisonMatcher.SameTypeBracket(candidate, value) && _comparer.Compare(candidate, value) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private bool AllDistinct(BsonArray array)
    {
        var seen = new HashSet<BsonValue>(_comparer);
        return array.All(seen.Add);
    }

    private static int CodePoints(string s)
    {
        var count = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (!char.IsLowSurrogate(s[i]))
            {
                count++;
            }
        }

        return count;
    }

    private static BsonDocument RequireDocument(BsonValue arg, string keyword) =>
        arg as BsonDocument ?? throw new MongoErrorException(ErrorCodes.TypeMismatch, $"$jsonSchema keyword '{keyword}' must be an object");

    private static BsonValue RequireNumber(BsonValue arg, string keyword) =>
        BsonTypeNames.IsNumber(arg) ? arg
            : throw new MongoErrorException(ErrorCodes.TypeMismatch, $"$jsonSchema keyword '{keyword}' must be a number");

    private static long RequireCount(BsonValue arg, string keyword) =>
        arg.IsNumeric && BsonValueComparer.ToDouble(arg) >= 0
            && BsonValueComparer.ToDouble(arg) == Math.Floor(BsonValueComparer.ToDouble(arg))
            ? (long)BsonValueComparer.ToDouble(arg)
            : throw Invalid(keyword, "must be a representable as a non-negative integer");

    private static MongoErrorException Invalid(string keyword, string problem) =>
        new(ErrorCodes.FailedToParse, $"$jsonSchema keyword '{keyword}' {problem}");
}
