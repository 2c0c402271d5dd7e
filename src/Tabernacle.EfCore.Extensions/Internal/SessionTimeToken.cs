using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>What became of an incoming read-your-writes token.</summary>
internal enum SessionTimeTokenStatus
{
    /// <summary>No token came with the request.</summary>
    None,

    /// <summary>A token this application issued to this user, still fresh.</summary>
    Valid,

    /// <summary>Not a token this application protected (forged, tampered with, another key ring, truncated, too long).</summary>
    Invalid,

    /// <summary>Issued to another user (or to an anonymous client, and now sent by a signed-in one, or the reverse).</summary>
    OtherUser,

    /// <summary>Past its expiry.</summary>
    Expired,

    /// <summary>Its times lie further in the future than any clock skew explains.</summary>
    FutureTime,
}

/// <summary>
/// A session's cluster time and operation time, the user it was issued to and its expiry, as a string protected by ASP.NET
/// Core Data Protection (authenticated encryption under the application's key ring, with a purpose of its own): a client can
/// carry it back but can neither read, edit nor forge it, nor hand it to another user.
/// </summary>
internal static class SessionTimeToken
{
    /// <summary>The Data Protection purpose: tokens protected for any other purpose do not unprotect here.</summary>
    public const string Purpose = "Tabernacle.EfCore.Extensions.ReadYourWrites.v1";

    /// <summary>How far a token's times may lie ahead of this server's clock (clock skew between app instances and members).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(1);

    private const int MaxLength = 4096;

    public static string Encode(
        IDataProtector protector, BsonDocument? clusterTime, BsonTimestamp operationTime, string user, DateTimeOffset expires)
    {
        var document = new BsonDocument { { "ot", operationTime }, { "u", user }, { "exp", expires.ToUnixTimeSeconds() } };
        if (clusterTime is not null)
        {
            document["ct"] = clusterTime;
        }

        return WebEncoders.Base64UrlEncode(protector.Protect(document.ToBson()));
    }

    public static SessionTimeTokenStatus TryDecode(
        IDataProtector protector,
        string? token,
        string user,
        DateTimeOffset now,
        TimeSpan lifetime,
        out BsonDocument? clusterTime,
        out BsonTimestamp? operationTime)
    {
        clusterTime = null;
        operationTime = null;
        if (string.IsNullOrEmpty(token))
        {
            return SessionTimeTokenStatus.None;
        }

        BsonDocument document;
        try
        {
            if (token.Length > MaxLength)
            {
                return SessionTimeTokenStatus.Invalid;
            }

            document = BsonSerializer.Deserialize<BsonDocument>(protector.Unprotect(WebEncoders.Base64UrlDecode(token)));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or BsonSerializationException
            or EndOfStreamException or InvalidOperationException or ArgumentException)
        {
            return SessionTimeTokenStatus.Invalid;
        }

        if (document.GetValue("ot", BsonNull.Value) is not BsonTimestamp ot
            || document.GetValue("u", BsonNull.Value) is not BsonString issuedTo
            || document.GetValue("exp", BsonNull.Value) is not BsonInt64 exp)
        {
            return SessionTimeTokenStatus.Invalid;
        }

        if (!string.Equals(issuedTo.Value, user, StringComparison.Ordinal))
        {
            return SessionTimeTokenStatus.OtherUser;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp.Value, 0, 253_402_300_799));
        if (expires <= now)
        {
            return SessionTimeTokenStatus.Expired;
        }

        var ct = document.GetValue("ct", BsonNull.Value) is BsonDocument c && c.GetValue("clusterTime", BsonNull.Value) is BsonTimestamp ctt
            ? (Document: c, Time: ctt)
            : default;
        var latest = now + MaxClockSkew;
        if (expires > latest + lifetime || SecondsOf(ot) > latest || (ct.Time is not null && SecondsOf(ct.Time) > latest))
        {
            return SessionTimeTokenStatus.FutureTime;
        }

        operationTime = ot;
        clusterTime = ct.Document;
        return SessionTimeTokenStatus.Valid;
    }

    private static DateTimeOffset SecondsOf(BsonTimestamp timestamp) => DateTimeOffset.FromUnixTimeSeconds(timestamp.Timestamp);

    /// <summary>Whether <paramref name="a"/> is later than <paramref name="b"/>.</summary>
    public static bool IsAfter(BsonTimestamp? a, BsonTimestamp? b) => a is not null && (b is null || a.CompareTo(b) > 0);
}
