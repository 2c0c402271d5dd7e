using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Checks a bulk write's counts against the plan: an update or delete that matched nothing lost a concurrency check
/// (or its document is gone), which becomes EF Core's <c>DbUpdateConcurrencyException</c> with the stored values.
/// </summary>
internal sealed class WriteVerification(TabernacleClientWrapper client)
{
    public void Verify(BulkWriteResult<SaveDocument> result, List<SaveOperation> operations)
    {
        if (!result.IsAcknowledged || Matched(result) >= Expected(operations))
        {
            return;
        }

        var stored = client.Read(new MongoReadRequest(operations[0].CollectionName) { Filter = IdsFilter(operations) }).ToList();
        throw SaveErrors.Concurrency(operations, stored);
    }

    public async Task VerifyAsync(BulkWriteResult<SaveDocument> result, List<SaveOperation> operations, CancellationToken cancellationToken)
    {
        if (!result.IsAcknowledged || Matched(result) >= Expected(operations))
        {
            return;
        }

        var cursor =
            await client.ReadAsync(new MongoReadRequest(operations[0].CollectionName) { Filter = IdsFilter(operations) },
                cancellationToken).ConfigureAwait(false);
        var stored = await cursor.ToListAsync(cancellationToken).ConfigureAwait(false);
        throw SaveErrors.Concurrency(operations, stored);
    }

    private static long Matched(BulkWriteResult<SaveDocument> result) => result.MatchedCount + result.DeletedCount;

    private static long Expected(List<SaveOperation> operations) =>
        operations.Count(o => o.State is EntityState.Modified or EntityState.Deleted);

    private static BsonDocument IdsFilter(List<SaveOperation> operations) =>
        new("_id", new BsonDocument("$in", new BsonArray(operations.Where(o => o.Filter is not null).Select(o => o.Filter!["_id"]))));
}
