using MongoDB.Bson;

namespace Tabernacle.EfCore;

/// <summary>The kind of change an <see cref="EntityChange{TEntity}"/> reports.</summary>
public enum EntityChangeOperation
{
    /// <summary>A new document.</summary>
    Insert,

    /// <summary>Some fields of a document changed (<see cref="EntityChange{TEntity}.ChangedProperties"/>).</summary>
    Update,

    /// <summary>A document was replaced as a whole.</summary>
    Replace,

    /// <summary>A document was deleted.</summary>
    Delete,
}

/// <summary>One committed change of an entity, read from a change feed.</summary>
/// <typeparam name="TEntity">The entity type the feed watches.</typeparam>
public sealed class EntityChange<TEntity>
    where TEntity : class
{
    internal EntityChange(
        EntityChangeOperation operation, object? key, TEntity? entity, TEntity? entityBeforeChange, IReadOnlyList<string> changedProperties,
        BsonDocument resumeToken, BsonTimestamp clusterTime, DateTime? wallTime)
    {
        Operation = operation;
        Key = key;
        Entity = entity;
        EntityBeforeChange = entityBeforeChange;
        ChangedProperties = changedProperties;
        ResumeToken = resumeToken;
        ClusterTime = clusterTime;
        WallTime = wallTime;
    }

    /// <summary>What happened.</summary>
    public EntityChangeOperation Operation { get; }

    /// <summary>The primary key value of the changed entity (an <c>object?[]</c> of the parts for a composite key).</summary>
    public object? Key { get; }

    /// <summary>
    /// The entity after the change, materialised through the model's mapping; <c>null</c> for deletes, and for updates
    /// when the full-document mode gives none (or the document was deleted before an update lookup).
    /// </summary>
    public TEntity? Entity { get; }

    /// <summary>The entity before the change, when the feed asks for pre-images and the collection keeps them.</summary>
    public TEntity? EntityBeforeChange { get; }

    /// <summary>
    /// For updates: the properties that were set or removed, by CLR name (owned and complex ones as <c>Address.City</c>).
    /// </summary>
    public IReadOnlyList<string> ChangedProperties { get; }

    /// <summary>
    /// The token to resume the feed after this change (<see cref="ChangeFeedOptions.ResumeAfter"/>); the same on every member.
    /// </summary>
    public BsonDocument ResumeToken { get; }

    /// <summary>The cluster time of the change: changes arrive in this order.</summary>
    public BsonTimestamp ClusterTime { get; }

    /// <summary>The server's wall-clock time of the change.</summary>
    public DateTime? WallTime { get; }
}
