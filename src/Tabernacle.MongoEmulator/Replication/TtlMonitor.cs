using MongoDB.Bson;
using Microsoft.Extensions.Logging;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// MongoDB's TTL monitor: on the primary, deletes documents whose indexed date is older than the index's
/// <c>expireAfterSeconds</c>. The deletes replicate like any other. It runs every second (mongod: every 60 s).
/// </summary>
internal sealed class TtlMonitor(ReplicaSetCoordinator set, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (set.Primary is { } primary)
                {
                    try
                    {
                        Sweep(primary);
                    }
                    catch (Errors.MongoErrorException)
                    {
                        // The primary stepped down during the sweep; the next one sweeps on the new primary.
                    }
                    catch (Exception ex)
                    {
                        logger.LogError(ex, "TTL sweep failed");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Deletes every expired document on <paramref name="primary"/>.</summary>
    public static int Sweep(ReplicaMember primary) => primary.Write(unit =>
    {
        var now = DateTime.UtcNow;
        var deleted = 0;
        foreach (var collection in unit.Storage.Databases.SelectMany(d => d.Collections).ToList())
        {
            foreach (var index in collection.Indexes.Where(i => i.ExpireAfterSeconds is not null && i.KeyPattern.ElementCount == 1).ToList())
            {
                var cutoff = now.AddSeconds(-index.ExpireAfterSeconds!.Value);
                var expired = collection.Documents.Where(d => IsExpired(d, index.LeadingField, cutoff)).Select(d => d["_id"]).ToList();
                foreach (var id in expired)
                {
                    unit.Delete(collection, id);
                    deleted++;
                }
            }
        }

        return deleted;
    });

    // A document expires when the indexed field holds a date (or an array with a date) earlier than the cutoff.
    private static bool IsExpired(BsonDocument document, string field, DateTime cutoff)
    {
        var values = Storage.DocumentPath.IndexKeyValues(document, field, out var present);
        return present && values.Any(v => v.BsonType == BsonType.DateTime && v.ToUniversalTime() < cutoff);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
