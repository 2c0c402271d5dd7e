using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>The kind of change an oplog entry carries.</summary>
internal enum OplogOperation
{
    /// <summary>Insert of <see cref="OplogEntry.Document"/>.</summary>
    Insert,

    /// <summary>Replacement of the document with <see cref="OplogEntry.DocumentId"/> by its post-image <see
    /// cref="OplogEntry.Document"/>.</summary>
    Update,

    /// <summary>Delete of the document with <see cref="OplogEntry.DocumentId"/>.</summary>
    Delete,

    /// <summary>A catalog command (create, drop, dropDatabase, createIndexes, dropIndexes) in <see cref="OplogEntry.Document"/>.</summary>
    Command,

    /// <summary>A committed transaction: every change in <see cref="OplogEntry.Document"/>'s <c>applyOps</c>, applied atomically.</summary>
    ApplyOps,

    /// <summary>A no-op, such as the entry a new primary writes when it takes office.</summary>
    Noop,
}

/// <summary>
/// One replicated change. Updates are logged as full post-images, which makes applying idempotent: a secondary
/// that applies an entry twice (after a restart) ends up in the same state.
/// </summary>
internal sealed record OplogEntry(
    OpTime OpTime,
    DateTime WallTime,
    OplogOperation Operation,
    string Database,
    string? Collection,
    BsonDocument? Document,
    BsonValue? DocumentId)
{
    /// <summary>The retryable-write statement this entry executed, so every member can answer a retry of it.</summary>
    public RetryableStatement? Statement { get; init; }

    /// <summary>
    /// The documents as they were before this entry (one per change; <c>null</c> for a document that did not exist),
    /// kept for change streams' pre-images and update descriptions, as mongod keeps config.system.preimages.
    /// </summary>
    public IReadOnlyList<BsonDocument?>? PreImages { get; init; }

    /// <summary>Whether an <see cref="OplogOperation.Update"/> replaced the whole document (a change stream's <c>replace</c>).</summary>
    public bool IsReplacement { get; init; }

    /// <summary>
    /// The writes of a committed transaction (an <see cref="OplogOperation.ApplyOps"/> entry) in the order they were made.
    /// </summary>
    public IReadOnlyList<TransactionOperation>? TransactionOperations { get; init; }
}

/// <summary>A statement of a retryable write: its session, transaction number, statement id and result.</summary>
internal sealed record RetryableStatement(string SessionId, long TxnNumber, int StatementId, BsonDocument Result);
