using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Recognises a replayed save that already happened: when <c>EnableRetryOnFailure</c> replays a unit whose previous
/// attempt failed transiently, that attempt may have landed, and the replay must not fail on its own earlier writes.
/// </summary>
internal sealed class ReplayCheck(TabernacleClientWrapper client, SaveChangesOptions saveOptions)
{
    // A replay of a save whose previous attempt failed transiently: that attempt may have landed (a step-down or a dropped
    // connection after the server applied it, and the driver's one retry failed too). Replaying it blindly fails with a
    // duplicate key on the save's own insert, or a concurrency error on its own update, for a save that did happen. Not
    // inside the application's transaction (the strategy refuses those) and not for w:0 (no answer was ever expected).
    public bool ChecksReplay(WriteConcern? writeConcern) =>
        saveOptions.Replaying && client.TransactionSession is null && client.EffectiveWriteConcern(writeConcern).IsAcknowledged;

    public static bool IsDuplicateId(DbUpdateException exception) =>
        exception.InnerException is MongoBulkWriteException bulk
        && bulk.WriteErrors.Any(e =>
            e.Code == ServerErrorCodes.DuplicateKey && e.Message.Contains("index: _id_ ", StringComparison.Ordinal));

    /// <summary>
    /// Whether every operation of <paramref name="plan"/> is already in the database as this save would leave it (each
    /// inserted document stored exactly as written, each update's values set, each deleted document gone), read from the
    /// primary with read concern majority so that only a durable earlier attempt counts.
    /// </summary>
    public bool AlreadyApplied(List<SaveOperation> plan) =>
        plan.GroupBy(o => o.CollectionName).All(group =>
        {
            var operations = group.ToList();
            return Matches(operations, client.Read(StoredRequest(group.Key, operations)).ToList());
        });

    public async Task<bool> AlreadyAppliedAsync(List<SaveOperation> plan, CancellationToken cancellationToken)
    {
        foreach (var group in plan.GroupBy(o => o.CollectionName))
        {
            var operations = group.ToList();
            var cursor = await client.ReadAsync(StoredRequest(group.Key, operations), cancellationToken).ConfigureAwait(false);
            if (!Matches(operations, await cursor.ToListAsync(cancellationToken).ConfigureAwait(false)))
            {
                return false;
            }
        }

        return true;
    }

    private static MongoReadRequest StoredRequest(string collection, List<SaveOperation> operations) => new(collection)
    {
        Filter = new BsonDocument("_id", new BsonDocument("$in", new BsonArray(operations.Select(IdOf)))),
        ReadPreference = ReadPreference.Primary,
        ReadConcern = ReadConcern.Majority,
    };

    private static BsonValue IdOf(SaveOperation operation) =>
        operation.Inserted is { } inserted ? inserted.Id : operation.Filter!["_id"];

    private static bool Matches(List<SaveOperation> operations, List<BsonDocument> stored)
    {
        var byId = stored.ToDictionary(d => d["_id"], d => d);
        return operations.All(operation =>
        {
            byId.TryGetValue(IdOf(operation), out var current);
            return operation.Model switch
            {
                InsertOneModel<SaveDocument> insert => current is not null && current.Equals(insert.Document.ToBsonDocument()),
                DeleteOneModel<SaveDocument> => current is null,
                _ => current is not null && operation.Written is { } written
                    && written.Elements.All(e => current.GetValue(e.Name, BsonNull.Value).Equals(e.Value)),
            };
        });
    }
}
