using Microsoft.AspNetCore.WebUtilities;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>A session's cluster time and operation time as a compact URL-safe string (base64url of a small BSON document).</summary>
internal static class SessionTimeToken
{
    private const int MaxLength = 2048;

    public static string Encode(BsonDocument? clusterTime, BsonTimestamp operationTime)
    {
        var document = new BsonDocument { { "ot", operationTime } };
        if (clusterTime is not null)
        {
            document["ct"] = clusterTime;
        }

        return WebEncoders.Base64UrlEncode(document.ToBson());
    }

    public static bool TryDecode(string? token, out BsonDocument? clusterTime, out BsonTimestamp? operationTime)
    {
        clusterTime = null;
        operationTime = null;
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }

        try
        {
            var bytes = WebEncoders.Base64UrlDecode(token);
            var document = BsonSerializer.Deserialize<BsonDocument>(bytes);
            if (document.GetValue("ot", BsonNull.Value) is not BsonTimestamp ot)
            {
                return false;
            }

            operationTime = ot;
            clusterTime = document.GetValue("ct", BsonNull.Value) is BsonDocument ct && ct.GetValue("clusterTime", BsonNull.Value) is BsonTimestamp ? ct : null;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or BsonSerializationException or EndOfStreamException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="a"/> is later than <paramref name="b"/>.</summary>
    public static bool IsAfter(BsonTimestamp? a, BsonTimestamp? b) => a is not null && (b is null || a.CompareTo(b) > 0);
}
