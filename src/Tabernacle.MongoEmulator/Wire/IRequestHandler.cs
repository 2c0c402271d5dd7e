using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>The layer above the wire: turns one decoded request into one reply document.</summary>
internal interface IRequestHandler
{
    /// <summary>Runs <paramref name="request"/> and returns the reply; <see cref="ClientConnection.CloseRequested"/> drops the connection instead.</summary>
    Task<BsonDocument> HandleAsync(WireRequest request, ClientConnection connection, CancellationToken cancellationToken);
}
