using MongoDB.Bson;
using Tabernacle.MongoEmulator.Storage;

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
    // The document as given, or the stored BSON bytes of a written document (shared with the collection that holds
    // them, so the oplog's last entries cost no copy of the documents they carry); decoded on each read.
    private readonly object? _document = Document;

    // The pre-images as given, or as the stored BSON bytes of the replaced or deleted versions.
    private readonly object? _preImages;

    /// <summary>The entry's document (see <see cref="OplogOperation"/>); a fresh tree on each read when held as bytes.</summary>
    public BsonDocument? Document
    {
        get => _document is byte[] bytes ? StoredBson.Decode(bytes) : (BsonDocument?)_document;
        init => _document = value;
    }

    /// <summary>The document as the stored BSON bytes of a written document (what the collection holds); setting
    /// <c>null</c> leaves <see cref="Document"/> as it is.</summary>
    public byte[]? StoredDocument
    {
        get => _document as byte[];
        init => _document = value ?? _document;
    }

    /// <summary>The retryable-write statement this entry executed, so every member can answer a retry of it.</summary>
    public RetryableStatement? Statement { get; init; }

    /// <summary>
    /// The documents as they were before this entry (one per change; <c>null</c> for a document that did not exist),
    /// kept for change streams' pre-images and update descriptions, as mongod keeps config.system.preimages.
    /// </summary>
    public IReadOnlyList<BsonDocument?>? PreImages
    {
        get => _preImages is byte[]?[] stored
            ? Array.ConvertAll(stored, static b => b is null ? null : StoredBson.Decode(b))
            : (IReadOnlyList<BsonDocument?>?)_preImages;
        init => _preImages = value;
    }

    /// <summary>The pre-images as the stored BSON bytes of the versions this entry replaced or deleted; setting
    /// <c>null</c> leaves <see cref="PreImages"/> as they are.</summary>
    public IReadOnlyList<byte[]?>? StoredPreImages
    {
        init => _preImages = value?.ToArray() ?? _preImages;
    }

    /// <summary>Whether an <see cref="OplogOperation.Update"/> replaced the whole document (a change stream's <c>replace</c>).</summary>
    public bool IsReplacement { get; init; }

    /// <summary>
    /// The writes of a committed transaction (an <see cref="OplogOperation.ApplyOps"/> entry) in the order they were made.
    /// </summary>
    public IReadOnlyList<TransactionOperation>? TransactionOperations { get; init; }
}

/// <summary>A statement of a retryable write: its session, transaction number, statement id and result.</summary>
internal sealed record RetryableStatement(string SessionId, long TxnNumber, int StatementId, BsonDocument Result);
