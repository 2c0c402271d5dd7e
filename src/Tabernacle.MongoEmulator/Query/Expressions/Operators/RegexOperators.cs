using System.Text.RegularExpressions;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>$regexMatch $regexFind $regexFindAll: PCRE patterns run on .NET's engine, indexes reported in code points.</summary>
internal static class RegexOperators
{
    private enum Mode
    {
        Match,
        Find,
        FindAll,
    }

    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$regexMatch"] = (name, argument, context) => Compile(name, argument, context, Mode.Match);
        registry["$regexFind"] = (name, argument, context) => Compile(name, argument, context, Mode.Find);
        registry["$regexFindAll"] = (name, argument, context) => Compile(name, argument, context, Mode.FindAll);
    }

    private static AggregationExpression Compile(string name, BsonValue argument, ExpressionCompileContext context, Mode mode)
    {
        var args = NamedArguments.Parse(name, argument, context, ["input", "regex", "options"], ["input", "regex"], 51103, 31024, 31022);
        return new RegexExpression(name, mode, args.Required("input"), args.Required("regex"), args.Expression("options"));
    }

    private sealed class RegexExpression(string op, Mode mode, AggregationExpression input, AggregationExpression regex,
        AggregationExpression? options) : AggregationExpression
    {
        // Constant patterns (the usual case) are translated once and reused for every document.
        // One reference holds key and regex together, so concurrent evaluations never see a torn pair.
        private CachedRegex? _cached;

        public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
        {
            var inputValue = input.Evaluate(root, scope);
            var regexValue = regex.Evaluate(root, scope);
            var optionsValue = options?.Evaluate(root, scope);
            if (!Operator.IsNullish(inputValue) && inputValue!.BsonType != BsonType.String)
            {
                throw new MongoErrorException(51104, $"{op} needs 'input' to be of type string");
            }

            string pattern;
            var flags = string.Empty;
            switch (regexValue)
            {
                case null or { BsonType: BsonType.Null or BsonType.Undefined }:
                    return NoMatch();
                case { BsonType: BsonType.String }:
                    pattern = regexValue.AsString;
                    break;
                case { BsonType: BsonType.RegularExpression }:
                    pattern = regexValue.AsBsonRegularExpression.Pattern;
                    flags = regexValue.AsBsonRegularExpression.Options;
                    break;
                default:
                    throw new MongoErrorException(51105, $"{op} needs 'regex' to be of type string or regex");
            }

            if (!Operator.IsNullish(optionsValue))
            {
                if (optionsValue!.BsonType != BsonType.String)
                {
                    throw new MongoErrorException(51106, $"{op} needs 'options' to be of type string");
                }

                if (flags.Length > 0)
                {
                    throw new MongoErrorException(51107, $"{op} found regex option(s) specified in both 'regex' and 'option' fields");
                }

                flags = optionsValue.AsString;
            }

            if (pattern.Contains('\0', StringComparison.Ordinal))
            {
                throw new MongoErrorException(51109, $"{op}: regular expression cannot contain an embedded null byte");
            }

            if (Operator.IsNullish(inputValue))
            {
                return NoMatch();
            }

            var compiled = GetRegex(pattern, flags);
            var text = inputValue!.AsString;
            switch (mode)
            {
                case Mode.Match:
                    return Operator.Bool(compiled.IsMatch(text));
                case Mode.Find:
                    var match = compiled.Match(text);
                    return match.Success ? Describe(match, text) : BsonNull.Value;
                default:
                    var all = new BsonArray();
                    for (var m = compiled.Match(text); m.Success; m = m.NextMatch())
                    {
                        all.Add(Describe(m, text));
                    }

                    return all;
            }
        }

        private BsonValue NoMatch() => mode switch
        {
            Mode.Match => BsonBoolean.False,
            Mode.Find => BsonNull.Value,
            _ => new BsonArray(),
        };

        private Regex GetRegex(string pattern, string flags)
        {
            var key = flags + "/" + pattern;
            var cached = _cached;
            if (cached is not null && cached.Key == key)
            {
                return cached.Regex;
            }

            var regexOptions = RegexFlags.Parse(flags, op);

            try
            {
                var compiled = new Regex(pattern, regexOptions);
                _cached = new CachedRegex(key, compiled);
                return compiled;
            }
            catch (ArgumentException e)
            {
                throw new MongoErrorException(51111, $"Invalid Regex in {op}: {e.Message}");
            }
        }

        private static BsonDocument Describe(Match match, string text)
        {
            var captures = new BsonArray();
            for (var i = 1; i < match.Groups.Count; i++)
            {
                captures.Add(match.Groups[i].Success ? new BsonString(match.Groups[i].Value) : BsonNull.Value);
            }

            return new BsonDocument
            {
                { "match", match.Value },
                { "idx", CodePointIndex(text, match.Index) },
                { "captures", captures },
            };
        }

        private static int CodePointIndex(string text, int utf16Index)
        {
            var count = 0;
            for (var i = 0; i < utf16Index; i++)
            {
                if (!char.IsLowSurrogate(text[i]))
                {
                    count++;
                }
            }

            return count;
        }
    }

    private sealed record CachedRegex(string Key, Regex Regex);
}
