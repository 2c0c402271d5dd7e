using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Paths;

/// <summary>MongoDB's names for BSON types, as <c>$type</c> aliases and error messages spell them.</summary>
internal static class BsonTypeNames
{
    private static readonly Dictionary<string, int> CodesByAlias = new(StringComparer.Ordinal)
    {
        ["double"] = 1,
        ["string"] = 2,
        ["object"] = 3,
        ["array"] = 4,
        ["binData"] = 5,
        ["undefined"] = 6,
        ["objectId"] = 7,
        ["bool"] = 8,
        ["date"] = 9,
        ["null"] = 10,
        ["regex"] = 11,
        ["dbPointer"] = 12,
        ["javascript"] = 13,
        ["symbol"] = 14,
        ["javascriptWithScope"] = 15,
        ["int"] = 16,
        ["timestamp"] = 17,
        ["long"] = 18,
        ["decimal"] = 19,
        ["minKey"] = -1,
        ["maxKey"] = 127,
    };

    /// <summary>The BSON type code of an alias ("int" is 16), or <c>null</c> when the alias is unknown.</summary>
    public static int? CodeOfAlias(string alias) => CodesByAlias.TryGetValue(alias, out var code) ? code : null;

    /// <summary>Whether <paramref name="code"/> is a BSON type code MongoDB accepts in <c>$type</c>.</summary>
    public static bool IsValidCode(int code) => code is (>= 1 and <= 19) or (-1) or 127;

    /// <summary>The BSON type code of a value (the byte the type has on the wire).</summary>
    public static int CodeOf(BsonValue value) => value.BsonType switch
    {
        BsonType.MinKey => -1,
        BsonType.MaxKey => 127,
        _ => (int)value.BsonType,
    };

    /// <summary>MongoDB's type name of a value ("int", "string", "array", ...).</summary>
    public static string NameOf(BsonValue value) => NameOf(value.BsonType);

    /// <summary>MongoDB's name of a BSON type ("int", "string", "array", ...).</summary>
    public static string NameOf(BsonType type) => type switch
    {
        BsonType.Double => "double",
        BsonType.String => "string",
        BsonType.Document => "object",
        BsonType.Array => "array",
        BsonType.Binary => "binData",
        BsonType.Undefined => "undefined",
        BsonType.ObjectId => "objectId",
        BsonType.Boolean => "bool",
        BsonType.DateTime => "date",
        BsonType.Null => "null",
        BsonType.RegularExpression => "regex",
        BsonType.JavaScript => "javascript",
        BsonType.Symbol => "symbol",
        BsonType.JavaScriptWithScope => "javascriptWithScope",
        BsonType.Int32 => "int",
        BsonType.Timestamp => "timestamp",
        BsonType.Int64 => "long",
        BsonType.Decimal128 => "decimal",
        BsonType.MinKey => "minKey",
        BsonType.MaxKey => "maxKey",
        _ => type.ToString(),
    };

    /// <summary>Whether the value is one of the four numeric BSON types.</summary>
    public static bool IsNumber(BsonValue value) =>
        value.BsonType is BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128;
}
