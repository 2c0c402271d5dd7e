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
    private long _passes;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many passes have finished (tests use it to know a pass ran at a given clock time).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, set.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (set.Primary is { } primary)
                {
                    // Counted once the pass is over, whatever its outcome: a test that saw the count move knows the pass read the clock.
                    using var counted = new PassCounter(this);
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
        var now = primary.Set.UtcNow;
        var deleted = 0;
        foreach (var collection in primary.Storage.Databases.SelectMany(d => d.Collections).ToList())
        {
            foreach (var index in collection.Indexes.Where(i =>
                i.ExpireAfterSeconds is not null && i.KeyPattern.ElementCount == 1).ToList())
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

    private readonly struct PassCounter(TtlMonitor monitor) : IDisposable
    {
        public void Dispose() => Interlocked.Increment(ref monitor._passes);
    }
}
