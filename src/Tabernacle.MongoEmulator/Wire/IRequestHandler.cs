using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>The layer above the wire: turns one decoded request into one reply document.</summary>
internal interface IRequestHandler
{
    /// <summary>Runs <paramref name="request"/> and returns the reply; <see cref="ClientConnection.CloseRequested"/> drops the connection
    /// instead.</summary>
    Task<BsonDocument> HandleAsync(WireRequest request, ClientConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// For a request sent with <c>exhaustAllowed</c>: the request whose reply follows <paramref name="reply"/> on the same
    /// connection without the client asking again (the reply then carries <c>moreToCome</c>), or <c>null</c> to end the stream.
    /// </summary>
    WireRequest? NextStreamedRequest(WireRequest request, BsonDocument reply);

    /// <summary>A client connected (serverStatus's <c>connections</c>, and idle connections in <c>currentOp</c>).</summary>
    void ConnectionOpened(ClientConnection connection)
    {
    }

    /// <summary>A client connection closed.</summary>
    void ConnectionClosed(ClientConnection connection)
    {
    }
}
