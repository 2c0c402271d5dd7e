using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.ChangeFeeds.Internal;

/// <summary>
/// One change feed: opens a change stream on the entity's collection through the client seam, materialises each
/// event through the query's shaper, and resumes after resumable errors from the last change it returned (or the last
/// post-batch token, once a batch is fully returned), so a consumer sees every committed change exactly once, in order.
/// </summary>
internal sealed class ChangeFeed<TEntity>(IChangeFeedSource<TEntity> source, ChangeFeedOptions options)
    where TEntity : class
{
    // The events a feed reads: document changes, and invalidate (its collection dropped or renamed), which ends it.
    private static readonly string[] DocumentEvents = ["insert", "update", "replace", "delete", "invalidate"];

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<EntityChange<TEntity>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = source.BindRequest();
        if (request.Pipeline is not null || request.Sort is not null || request.Skip is not null || request.Limit is not null
            || request.Projection is not null)
        {
            throw new InvalidOperationException(
                "WatchAsync watches a DbSet filtered with Where only: ordering, paging, projections and includes have no meaning "
                + "for a change feed.");
        }

        var entityType = source.Context.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"'{typeof(TEntity).Name}' is not an entity type of {source.Context.GetType().Name}.");
        var names = new ChangedPropertyNames(entityType);
        var stages = Stages(request.Filter);
        var readPreference = options.ReadPreference ?? request.ReadPreference;
        var client = source.Client;
        var collectionName = request.CollectionName;

        BsonDocument? token = options.ResumeAfter;
        var failures = 0;
        while (true)
        {
            var cursor = await OpenAsync(client, collectionName, stages, readPreference, token, cancellationToken).ConfigureAwait(false);
            if (cursor is null)
            {
                failures = await BackOffAsync(failures, null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (cursor)
            {
                token = cursor.GetResumeToken() ?? token;
                while (true)
                {
                    var (hasBatch, error) = await NextBatchAsync(cursor, cancellationToken).ConfigureAwait(false);
                    if (error is not null)
                    {
                        failures = await BackOffAsync(failures, error, cancellationToken).ConfigureAwait(false);
                        break;
                    }

                    if (!hasBatch)
                    {
                        yield break;
                    }

                    failures = 0;
                    foreach (var change in cursor.Current)
                    {
                        if (change.GetValue("operationType", "").AsString is "invalidate")
                        {
                            yield break;
                        }

                        token = change["_id"].AsBsonDocument;
                        if (Materialise(change, entityType, names) is { } entityChange)
                        {
                            yield return entityChange;
                        }
                    }

                    // Every event of the batch was returned: its post-batch token is where a resume starts.
                    token = cursor.GetResumeToken() ?? token;
                }
            }
        }
    }

    private List<BsonDocument> Stages(BsonDocument filter)
    {
        var stages = new List<BsonDocument>
        {
            new("$match", new BsonDocument("operationType", new BsonDocument("$in", new BsonArray(DocumentEvents)))),
        };
        if (ChangeFeedFilter.Match(filter, options.PreImage != ChangeFeedPreImage.Off) is { } match)
        {
            var orInvalidate = new BsonArray { new BsonDocument("operationType", "invalidate"), match };
            stages.Add(new BsonDocument("$match", new BsonDocument("$or", orInvalidate)));
        }

        return stages;
    }

    // Returns null after a resumable failure (the caller backs off and tries again); anything else is thrown.
    private async Task<IChangeStreamCursor<BsonDocument>?> OpenAsync(
        TabernacleClientWrapper client,
        string collectionName,
        List<BsonDocument> stages,
        ReadPreference? readPreference,
        BsonDocument? token,
        CancellationToken cancellationToken)
    {
        var streamOptions = new ChangeStreamOptions
        {
            FullDocument = options.FullDocument switch
            {
                ChangeFeedFullDocument.UpdateLookup => ChangeStreamFullDocumentOption.UpdateLookup,
                ChangeFeedFullDocument.WhenAvailable => ChangeStreamFullDocumentOption.WhenAvailable,
                ChangeFeedFullDocument.Required => ChangeStreamFullDocumentOption.Required,
                _ => ChangeStreamFullDocumentOption.Default,
            },
            FullDocumentBeforeChange = options.PreImage switch
            {
                ChangeFeedPreImage.WhenAvailable => ChangeStreamFullDocumentBeforeChangeOption.WhenAvailable,
                ChangeFeedPreImage.Required => ChangeStreamFullDocumentBeforeChangeOption.Required,
                _ => ChangeStreamFullDocumentBeforeChangeOption.Off,
            },
            BatchSize = options.BatchSize,
            MaxAwaitTime = options.MaxAwaitTime,
            ResumeAfter = token,
            StartAtOperationTime = token is null ? options.StartAtOperationTime : null,
        };
        var collection = client.Collection(collectionName, readPreference);
        var pipeline = new BsonDocumentStagePipelineDefinition<ChangeStreamDocument<BsonDocument>, BsonDocument>(stages);
        try
        {
            return await client.RunChangeStreamOperationAsync(
                collectionName,
                () => Describe(collectionName, stages, token),
                readPreference,
                () => collection.WatchAsync(pipeline, streamOptions, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsResumable(exception) && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<(bool HasBatch, Exception? Error)> NextBatchAsync(
        IChangeStreamCursor<BsonDocument> cursor, CancellationToken cancellationToken)
    {
        try
        {
            return (await cursor.MoveNextAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (IsResumable(exception) && !cancellationToken.IsCancellationRequested)
        {
            return (false, exception);
        }
    }

    private async Task<int> BackOffAsync(int failures, Exception? error, CancellationToken cancellationToken)
    {
        if (failures >= options.MaxResumeAttempts)
        {
            throw new InvalidOperationException(
                $"The change feed could not resume after {failures} consecutive attempts; the last error is the inner exception.", error);
        }

        var delay = TimeSpan.FromTicks(Math.Min(LastBackoff.Ticks, FirstBackoff.Ticks << Math.Min(failures, 5)));
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        return failures + 1;
    }

    /// <summary>
    /// Errors after which the change-streams specification resumes: network errors, server-selection timeouts, a lost
    /// cursor, and server errors labelled ResumableChangeStreamError (or, unlabelled, of the retriable kinds).
    /// </summary>
    internal static bool IsResumable(Exception exception) => exception switch
    {
        MongoConnectionException or MongoCursorNotFoundException or MongoNotPrimaryException or MongoNodeIsRecoveringException => true,
        TimeoutException => true,
        MongoException mongo when mongo.HasErrorLabel("ResumableChangeStreamError") => true,
        MongoCommandException command => command.Code is 6 or 7 or 89 or 91 or 189 or 262 or 9001 or 10107 or 11600 or 11602
            or 13435 or 13436 or 63 or 150 or 13388 or 234 or 133,
        _ => false,
    };

    private EntityChange<TEntity>? Materialise(BsonDocument change, IEntityType entityType, ChangedPropertyNames names)
    {
        var operation = change["operationType"].AsString switch
        {
            "insert" => EntityChangeOperation.Insert,
            "update" => EntityChangeOperation.Update,
            "replace" => EntityChangeOperation.Replace,
            "delete" => EntityChangeOperation.Delete,
            _ => (EntityChangeOperation?)null,
        };
        if (operation is null)
        {
            return null;
        }

        var entity = change.GetValue("fullDocument", BsonNull.Value) is BsonDocument after ? source.Shape(after) : null;
        var before = change.GetValue("fullDocumentBeforeChange", BsonNull.Value) is BsonDocument prior ? source.Shape(prior) : null;
        var changed = change.GetValue("updateDescription", BsonNull.Value) is BsonDocument description ? names.Of(description) : [];
        var key = Key(entityType, change["documentKey"]["_id"]);
        DateTime? wallTime = change.GetValue("wallTime", BsonNull.Value) is BsonDateTime time ? time.ToUniversalTime() : null;
        return new EntityChange<TEntity>(
            operation.Value, key, entity, before, changed, change["_id"].AsBsonDocument, change["clusterTime"].AsBsonTimestamp, wallTime);
    }

    private static object? Key(IEntityType entityType, BsonValue id)
    {
        var key = entityType.FindPrimaryKey();
        if (key is null)
        {
            return null;
        }

        if (key.Properties.Count == 1)
        {
            return PropertyBson.FromBson(key.Properties[0], id);
        }

        return key.Properties
            .Select(p => id is BsonDocument parts ? PropertyBson.FromBson(p, parts.GetValue(p.Name, BsonNull.Value)) : null)
            .ToArray();
    }

    private string Describe(string collectionName, List<BsonDocument> stages, BsonDocument? token)
    {
        var spec = new BsonDocument("fullDocument", options.FullDocument.ToString());
        if (token is not null)
        {
            spec["resumeAfter"] = token;
        }

        return $"db.{collectionName}.watch([{string.Join(", ", stages.Select(ShellSyntax.Of))}], {ShellSyntax.Of(spec)})";
    }
}
