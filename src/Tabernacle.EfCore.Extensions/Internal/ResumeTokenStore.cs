using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>
/// Stores change-feed resume tokens in the context's database (collection <c>__tabernacle_change_feeds</c>, one
/// document per feed) through the provider's client seam, so the writes are logged and traced like the provider's own,
/// and acknowledged by a majority (a token must not roll back behind the changes it says were handled).
/// </summary>
internal sealed class ResumeTokenStore(DbContext context)
{
    public const string CollectionName = "__tabernacle_change_feeds";

    private readonly TabernacleClientWrapper _client = context.GetService<TabernacleClientWrapper>();

    public Task<BsonDocument?> LoadAsync(string feed, CancellationToken cancellationToken) =>
        _client.RunDatabaseOperationAsync("find", CollectionName, $"db.{CollectionName}.findOne({{ _id: \"{feed}\" }})", async database =>
        {
            // From the primary with majority read concern: a lagging secondary could hand back an older token, and the
            // feed would then handle changes a second time.
            var stored = await Collection(database).WithReadPreference(ReadPreference.Primary).WithReadConcern(ReadConcern.Majority)
                .Find(new BsonDocument("_id", feed)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return stored?.GetValue("token", BsonNull.Value) as BsonDocument;
        });

    public Task SaveAsync(string feed, BsonDocument token, CancellationToken cancellationToken) =>
        _client.RunDatabaseOperationAsync("update", CollectionName, $"db.{CollectionName}.replaceOne({{ _id: \"{feed}\" }}, ...)",
            database =>
            Collection(database).ReplaceOneAsync(
                new BsonDocument("_id", feed),
                new BsonDocument { { "_id", feed }, { "token", token }, { "savedAt", DateTime.UtcNow } },
                new ReplaceOptions { IsUpsert = true },
                cancellationToken));

    public Task ForgetAsync(string feed, CancellationToken cancellationToken) =>
        _client.RunDatabaseOperationAsync("delete", CollectionName, $"db.{CollectionName}.deleteOne({{ _id: \"{feed}\" }})", database =>
            Collection(database).DeleteOneAsync(new BsonDocument("_id", feed), cancellationToken));

    private static IMongoCollection<BsonDocument> Collection(IMongoDatabase database) =>
        database.GetCollection<BsonDocument>(CollectionName).WithWriteConcern(WriteConcern.WMajority);
}
