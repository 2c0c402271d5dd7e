namespace Tabernacle.MongoEmulator.Errors;

/// <summary>
/// A MongoDB server error raised anywhere below the command layer. The command dispatcher turns it into
/// <c>{ ok: 0, errmsg, code, codeName, errorLabels }</c>, exactly as mongod replies.
/// </summary>
internal sealed class MongoErrorException : Exception
{
    public MongoErrorException(int code, string message, params string[] errorLabels)
        : base(message)
    {
        Code = code;
        CodeName = ErrorCodes.NameOf(code);
        ErrorLabels = errorLabels;
    }

    /// <summary>MongoDB's numeric error code, for example 11000 for a duplicate key.</summary>
    public int Code { get; }

    /// <summary>MongoDB's name for <see cref="Code"/>, for example <c>DuplicateKey</c>.</summary>
    public string CodeName { get; }

    /// <summary>Labels such as <c>TransientTransactionError</c> or <c>RetryableWriteError</c>.</summary>
    public IReadOnlyList<string> ErrorLabels { get; }

    /// <summary>Extra fields to copy into the error reply (for example <c>keyPattern</c> and <c>keyValue</c> of a duplicate key).</summary>
    public MongoDB.Bson.BsonDocument? ExtraInfo { get; init; }
}
