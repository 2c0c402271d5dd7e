using System.Globalization;
using System.Text;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Paths;

/// <summary>
/// Renders values the way mongod's error messages do (<c>{_id: 1, a: "x"}</c>: unquoted keys, no spaces after braces),
/// so error texts read like the server's.
/// </summary>
internal static class ShellFormat
{
    public static string Format(BsonValue value)
    {
        var builder = new StringBuilder();
        Append(builder, value);
        return builder.ToString();
    }

    /// <summary>Formats <c>{name: value}</c> as a one-field document.</summary>
    public static string FormatField(string name, BsonValue value)
    {
        var builder = new StringBuilder("{");
        builder.Append(name).Append(": ");
        Append(builder, value);
        return builder.Append('}').ToString();
    }

    private static void Append(StringBuilder builder, BsonValue value)
    {
        switch (value.BsonType)
        {
            case BsonType.Document:
                builder.Append('{');
                var first = true;
                foreach (var element in value.AsBsonDocument)
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    builder.Append(element.Name).Append(": ");
                    Append(builder, element.Value);
                }

                builder.Append('}');
                break;
            case BsonType.Array:
                builder.Append('[');
                for (var i = 0; i < value.AsBsonArray.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    Append(builder, value.AsBsonArray[i]);
                }

                builder.Append(']');
                break;
            case BsonType.String:
                builder.Append('"').Append(value.AsString).Append('"');
                break;
            case BsonType.Int64:
                builder.Append(CultureInfo.InvariantCulture, $"{value.AsInt64}");
                break;
            case BsonType.Double:
                builder.Append(value.AsDouble.ToString("R", CultureInfo.InvariantCulture));
                break;
            case BsonType.ObjectId:
                builder.Append("ObjectId('").Append(value.AsObjectId.ToString()).Append("')");
                break;
            case BsonType.Null:
                builder.Append("null");
                break;
            case BsonType.Boolean:
                builder.Append(value.AsBoolean ? "true" : "false");
                break;
            default:
                builder.Append(value.ToString());
                break;
        }
    }
}
