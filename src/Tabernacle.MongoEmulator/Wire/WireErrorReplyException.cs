using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>
/// A message that was read whole but cannot be run, which mongod answers with an error instead of closing the
/// connection (BSON nested deeper than its limit, for example).
/// </summary>
internal sealed class WireErrorReplyException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;

    public BsonDocument ToReply() =>
        new() { { "ok", 0.0 }, { "errmsg", Message }, { "code", Code }, { "codeName", ErrorCodes.NameOf(Code) } };
}
