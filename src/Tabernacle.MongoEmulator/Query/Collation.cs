using System.Globalization;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query;

/// <summary>
/// A command's collation. The emulator honours <c>locale</c> "simple" (binary comparison) and, for any other
/// locale, strengths 1 and 2 (case-insensitive, and at strength 1 also diacritic-insensitive) through the
/// invariant culture; strength 3 and above compare case-sensitively with the culture's ordering.
/// </summary>
internal sealed record Collation(string Locale, int Strength)
{
    /// <summary>Parses a <c>collation</c> command argument; <c>null</c> or <c>{locale:"simple"}</c> gives <c>null</c> (binary).</summary>
    public static Collation? Parse(BsonValue? value)
    {
        if (value is null || value.IsBsonNull)
        {
            return null;
        }

        if (value is not BsonDocument document)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch, "collation must be an object");
        }

        if (!document.TryGetValue("locale", out var locale) || !locale.IsString)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "Missing required field locale");
        }

        if (locale.AsString == "simple")
        {
            return null;
        }

        var strength = document.TryGetValue("strength", out var s) && s.IsNumeric ? s.ToInt32() : 3;
        if (strength is < 1 or > 5)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, $"unsupported collation strength: {strength}");
        }

        return new Collation(locale.AsString, strength);
    }

    /// <summary>The comparison options that implement this collation's strength.</summary>
    public CompareOptions CompareOptions => Strength switch
    {
        1 => CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace | CompareOptions.IgnoreKanaType | CompareOptions.IgnoreWidth,
        2 => CompareOptions.IgnoreCase,
        _ => CompareOptions.None,
    };
}
