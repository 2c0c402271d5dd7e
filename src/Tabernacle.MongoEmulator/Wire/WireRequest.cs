using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>
/// A decoded request: the command document (OP_MSG kind-0 body with kind-1 sequences merged in as arrays, or the
/// OP_QUERY query), and how the client wants the reply.
/// </summary>
internal sealed record WireRequest(
    int RequestId,
    OpCode OpCode,
    BsonDocument Command,
    string? LegacyDatabase,
    bool MoreToCome,
    bool ExhaustAllowed,
    bool LegacySecondaryOk);
