using MongoDB.Bson;
using Tabernacle.MongoEmulator.Security;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>What the command layer knows about the client connection a request came on.</summary>
internal sealed class ClientConnection(long id, string remoteEndPoint)
{
    /// <summary>The server-assigned connection id reported by <c>hello</c> as <c>connectionId</c>.</summary>
    public long Id { get; } = id;

    public string RemoteEndPoint { get; } = remoteEndPoint;

    /// <summary>The application name from the handshake's <c>client.application.name</c>, used by <c>failCommand</c>'s
    /// <c>appName</c>.</summary>
    public string? AppName { get; set; }

    /// <summary>The handshake's <c>client</c> document (driver, os, application), reported by <c>currentOp</c> as
    /// <c>clientMetadata</c>.</summary>
    public BsonDocument? ClientMetadata { get; set; }

    /// <summary>Set by the command layer to make the connection close after the current request, without a reply.</summary>
    public bool CloseRequested { get; set; }

    /// <summary>Who the connection authenticated as, and its SASL conversation under way (used when authentication is on).</summary>
    public ConnectionAuthentication Authentication { get; } = new();

    /// <summary>
    /// The time of the last write this client made or waited for (mongod's per-client lastOp); a command that fails
    /// without moving it performed no writes. <c>null</c> until the client's first write.
    /// </summary>
    public (BsonTimestamp Timestamp, long Term)? LastOpTime { get; set; }
}
