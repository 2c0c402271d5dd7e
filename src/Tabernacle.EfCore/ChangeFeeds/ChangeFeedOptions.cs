using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.EfCore;

/// <summary>Which full document an update event of a change feed carries.</summary>
public enum ChangeFeedFullDocument
{
    /// <summary>None for updates (inserts and replacements still carry theirs); a filtered feed then sees no updates.</summary>
    Default,

    /// <summary>The document as the majority-committed data has it when the event is read (the default of a change feed).</summary>
    UpdateLookup,

    /// <summary>The post-image when the collection keeps pre- and post-images (<c>changeStreamPreAndPostImages</c>), else none.</summary>
    WhenAvailable,

    /// <summary>The post-image, and an error when the collection does not keep it.</summary>
    Required,
}

/// <summary>Whether the events of a change feed carry the document as it was before an update, replacement or delete.</summary>
public enum ChangeFeedPreImage
{
    /// <summary>No pre-image.</summary>
    Off,

    /// <summary>The pre-image when the collection keeps pre- and post-images, else none.</summary>
    WhenAvailable,

    /// <summary>The pre-image, and an error when the collection does not keep it.</summary>
    Required,
}

/// <summary>Options of a change feed opened with <see cref="TabernacleChangeFeedExtensions.WatchAsync{TEntity}"/>.</summary>
public sealed class ChangeFeedOptions
{
    /// <summary>The full document of update events; <see cref="ChangeFeedFullDocument.UpdateLookup"/> unless set.</summary>
    public ChangeFeedFullDocument FullDocument { get; set; } = ChangeFeedFullDocument.UpdateLookup;

    /// <summary>
    /// Whether events carry the entity as it was before the change (<see cref="EntityChange{TEntity}.EntityBeforeChange"/>).
    /// </summary>
    public ChangeFeedPreImage PreImage { get; set; } = ChangeFeedPreImage.Off;

    /// <summary>
    /// Start after the change with this resume token (<see cref="EntityChange{TEntity}.ResumeToken"/>), for example one stored at
    /// shutdown.
    /// </summary>
    public BsonDocument? ResumeAfter { get; set; }

    /// <summary>Start at this cluster time (inclusive). Ignored when <see cref="ResumeAfter"/> is set.</summary>
    public BsonTimestamp? StartAtOperationTime { get; set; }

    /// <summary>The most events per batch the server returns; the server's default unless set.</summary>
    public int? BatchSize { get; set; }

    /// <summary>How long the server waits for new events before answering an empty batch; the driver's default unless set.</summary>
    public TimeSpan? MaxAwaitTime { get; set; }

    /// <summary>
    /// Where the feed reads (a feed may run on a secondary). Unless set: the query's <c>WithReadPreference</c>, else the
    /// context's default, else the connection string's, as for queries.
    /// </summary>
    public ReadPreference? ReadPreference { get; set; }

    /// <summary>
    /// How many consecutive failed attempts to resume after a resumable error are made before the feed fails (default 30).
    /// </summary>
    public int MaxResumeAttempts { get; set; } = 30;
}
