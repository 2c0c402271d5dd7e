using System.Text.RegularExpressions;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>
/// <c>$regex</c> (and a regex literal as a filter value): strings and symbols that match, and stored regex values that
/// are the same regex. The .NET regex is built once at compile time.
/// </summary>
internal sealed class RegexMatcher : ValueMatcher
{
    private readonly Regex _regex;

    public RegexMatcher(string pattern, string options)
    {
        Pattern = pattern;
        Options = options;
        _regex = Build(pattern, options);
    }

    public string Pattern { get; }

    public string Options { get; }

    public static RegexMatcher From(BsonRegularExpression regex) => new(regex.Pattern, regex.Options);

    public override bool Matches(BsonValue? value) => value switch
    {
        BsonString s => _regex.IsMatch(s.Value),
        BsonSymbol symbol => _regex.IsMatch(symbol.Name),
        BsonRegularExpression r => r.Pattern == Pattern && r.Options == Options,
        _ => false,
    };

    /// <summary>Translates PCRE flags (imsx, u ignored since .NET strings are Unicode already) into a .NET regex.</summary>
    public static Regex Build(string pattern, string options)
    {
        var regexOptions = RegexFlags.Parse(options);

        try
        {
            return new Regex(pattern, regexOptions);
        }
        catch (ArgumentException ex)
        {
            throw new MongoErrorException(51091, $"Regular expression is invalid: {ex.Message}");
        }
    }
}
