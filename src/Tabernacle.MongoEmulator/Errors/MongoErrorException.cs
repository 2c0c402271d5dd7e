namespace Tabernacle.MongoEmulator.Errors;

/// <summary>
/// A MongoDB server error raised anywhere below the command layer. The command dispatcher turns it into
/// <c>{ ok: 0, errmsg, code, codeName }</c>, exactly as mongod replies; the dispatcher adds the error labels, which
/// depend on the command and its session, never on where the error was raised.
/// </summary>
internal sealed class MongoErrorException : Exception
{
    public MongoErrorException(int code, string message)
        : base(message)
    {
        Code = code;
        CodeName = ErrorCodes.NameOf(code);
    }

    /// <summary>MongoDB's numeric error code, for example 11000 for a duplicate key.</summary>
    public int Code { get; }

    /// <summary>MongoDB's name for <see cref="Code"/>, for example <c>DuplicateKey</c>.</summary>
    public string CodeName { get; }

    /// <summary>Extra fields to copy into the error reply (for example <c>keyPattern</c> and <c>keyValue</c> of a duplicate key).</summary>
    public MongoDB.Bson.BsonDocument? ExtraInfo { get; init; }
}
