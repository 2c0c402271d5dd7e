using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore;

/// <summary>
/// Maps entity types, usually keyless ones (<c>HasNoKey()</c> or <c>[Keyless]</c>), to MongoDB read-only views.
/// </summary>
public static class TabernacleViewExtensions
{
    /// <summary>
    /// Reads the entity type from the existing view <paramref name="viewName"/> (or any collection of that name).
    /// EnsureCreated leaves it alone: the view is the application's to create.
    /// </summary>
    public static EntityTypeBuilder ToView(this EntityTypeBuilder entityTypeBuilder, string viewName)
    {
        ArgumentNullException.ThrowIfNull(entityTypeBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(viewName);
        entityTypeBuilder.ToCollection(viewName);
        entityTypeBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ViewOn, "");
        return entityTypeBuilder;
    }

    /// <inheritdoc cref="ToView(EntityTypeBuilder, string)"/>
    public static EntityTypeBuilder<TEntity> ToView<TEntity>(this EntityTypeBuilder<TEntity> entityTypeBuilder, string viewName)
        where TEntity : class
        => (EntityTypeBuilder<TEntity>)ToView((EntityTypeBuilder)entityTypeBuilder, viewName);

    /// <summary>
    /// Reads the entity type from the view <paramref name="viewName"/>, which EnsureCreated creates as MongoDB's
    /// <c>create</c> command does: the aggregation <paramref name="pipeline"/> over the collection (or view)
    /// <paramref name="viewOn"/>. Views are read-only: an entity type mapped to one should be keyless.
    /// </summary>
    public static EntityTypeBuilder ToView(
        this EntityTypeBuilder entityTypeBuilder, string viewName, string viewOn, IEnumerable<BsonDocument> pipeline)
    {
        ArgumentNullException.ThrowIfNull(entityTypeBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(viewName);
        ArgumentException.ThrowIfNullOrWhiteSpace(viewOn);
        ArgumentNullException.ThrowIfNull(pipeline);
        entityTypeBuilder.ToCollection(viewName);
        entityTypeBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ViewOn, viewOn);

        // Kept as relaxed extended JSON, a string, so that the model (and a compiled model) holds no mutable BSON.
        var json = new BsonArray(pipeline).ToJson(new JsonWriterSettings { OutputMode = JsonOutputMode.RelaxedExtendedJson });
        entityTypeBuilder.Metadata.SetAnnotation(TabernacleAnnotationNames.ViewPipeline, json);
        return entityTypeBuilder;
    }

    /// <inheritdoc cref="ToView(EntityTypeBuilder, string, string, IEnumerable{BsonDocument})"/>
    public static EntityTypeBuilder<TEntity> ToView<TEntity>(
        this EntityTypeBuilder<TEntity> entityTypeBuilder, string viewName, string viewOn, IEnumerable<BsonDocument> pipeline)
        where TEntity : class
        => (EntityTypeBuilder<TEntity>)ToView((EntityTypeBuilder)entityTypeBuilder, viewName, viewOn, pipeline);

    /// <summary>Whether the entity type is read from a view (<c>ToView</c>) rather than a collection.</summary>
    public static bool IsView(this IReadOnlyEntityType entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        return entityType.GetRootType()[TabernacleAnnotationNames.ViewOn] is string;
    }

    /// <summary>The collection the view stands on and its pipeline, when EnsureCreated should create the view.</summary>
    public static (string ViewOn, IReadOnlyList<BsonDocument> Pipeline)? GetViewDefinition(this IReadOnlyEntityType entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        var root = entityType.GetRootType();
        return root[TabernacleAnnotationNames.ViewOn] is string { Length: > 0 } viewOn
            && root[TabernacleAnnotationNames.ViewPipeline] is string json
            ? (viewOn, MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonArray>(json).Select(s => s.AsBsonDocument).ToList())
            : null;
    }
}
