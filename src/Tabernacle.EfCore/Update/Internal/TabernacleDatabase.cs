using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// SaveChanges for MongoDB: one ordered bulk write per collection (so a thousand inserts take a handful of round
/// trips), inside a transaction when more than one document is written and the server supports transactions.
/// </summary>
internal sealed class TabernacleDatabase(
    DatabaseDependencies dependencies,
    TabernacleClientWrapper client,
    ICurrentDbContext currentContext,
    SaveChangesOptions saveOptions,
    IEnumerable<ISaveStage> stages) : Database(dependencies)
{
    private readonly ISaveStage[] _stages = stages.ToArray();
    private readonly ReplayCheck _replay = new(client, saveOptions);
    private readonly SaveTransactions _transactions = new(client, currentContext, saveOptions);
    private readonly WriteVerification _verification = new(client);

    public override int SaveChanges(IList<IUpdateEntry> entries)
    {
        var pending = SaveAsync(entries, async: false, CancellationToken.None);
        if (!pending.IsCompleted)
        {
            // Every step runs its synchronous form when async is false; this is a guard, not a wait.
            throw new InvalidOperationException("SaveChanges did not complete synchronously.");
        }

        return pending.GetAwaiter().GetResult();
    }

    public override Task<int> SaveChangesAsync(IList<IUpdateEntry> entries, CancellationToken cancellationToken = default) =>
        SaveAsync(entries, async: true, cancellationToken).AsTask();

    // One core for SaveChanges and SaveChangesAsync: with async false every call below is the driver's synchronous one,
    // so the returned task has completed when SaveChanges looks at it (no sync-over-async, and no second copy of the
    // save to keep in step with this one).
    private async ValueTask<int> SaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        foreach (var stage in _stages)
        {
            await Stage(stage, stage.BeforeSaveAsync(entries, async, cancellationToken), async).ConfigureAwait(false);
        }

        var saved = await SaveCoreAsync(entries, async, cancellationToken).ConfigureAwait(false);
        foreach (var stage in _stages)
        {
            await Stage(stage, stage.AfterSaveAsync(entries, async, cancellationToken), async).ConfigureAwait(false);
        }

        return saved;
    }

    // Stages are written to complete synchronously when async is false, so the sync path observes a finished task (and
    // its exception) rather than blocking on one, and names a stage that did not.
    private static ValueTask Stage(ISaveStage stage, ValueTask pending, bool async)
    {
        if (!async && !pending.IsCompleted)
        {
            throw new InvalidOperationException($"The save stage {stage.GetType().Name} did not complete synchronously in SaveChanges.");
        }

        return pending;
    }

    private async ValueTask<int> SaveCoreAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        var plan = SavePlanner.Plan(entries);
        if (plan.Count == 0)
        {
            return 0;
        }

        var writeConcern = saveOptions.Consume(plan, client.EffectiveWriteConcern(null));
        var checkReplay = _replay.ChecksReplay(writeConcern);
        if (checkReplay
            && (async ? await _replay.AlreadyAppliedAsync(plan, cancellationToken).ConfigureAwait(false) : _replay.AlreadyApplied(plan)))
        {
            SavePlanner.Complete(plan);
            return plan.Count;
        }

        try
        {
            return await WriteAsync(plan, writeConcern, async, cancellationToken).ConfigureAwait(false);
        }
        // The synchronous check runs in the filter, as it always did (a failure of the check itself leaves the original
        // error); the asynchronous one cannot, so it runs in the handler and rethrows when the save did not happen.
        catch (DbUpdateException ex) when (checkReplay && ReplayCheck.IsDuplicateId(ex) && (async || _replay.AlreadyApplied(plan)))
        {
            if (async && !await _replay.AlreadyAppliedAsync(plan, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            SavePlanner.Complete(plan);
            return plan.Count;
        }
    }

    private async ValueTask<int> WriteAsync(
        List<SaveOperation> plan, WriteConcern writeConcern, bool async, CancellationToken cancellationToken)
    {
        var session = _transactions.BeginTransactionIfNeeded(plan, writeConcern);
        try
        {
            foreach (var operations in SavePlanner.ByCollection(plan))
            {
                var collection = operations[0].CollectionName;
                var models = SavePlanner.Models(operations);
                var concern = session is null ? writeConcern : null;
                Func<string> describe = () => SavePlanner.Describe(collection, operations);
                try
                {
                    if (async)
                    {
                        var result = await client.BulkWriteAsync(collection, models, concern, describe, cancellationToken)
                            .ConfigureAwait(false);
                        await _verification.VerifyAsync(result, operations, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        _verification.Verify(client.BulkWrite(collection, models, concern, describe), operations);
                    }
                }
                catch (MongoException ex)
                {
                    throw SaveErrors.Translate(ex, operations, client.Options.ConnectionString);
                }
            }

            if (session is not null)
            {
                try
                {
                    if (async)
                    {
                        await TransactionCommit.CommitAsync(session, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        TransactionCommit.Commit(session);
                    }
                }
                catch (MongoException ex)
                {
                    throw SaveErrors.Translate(ex, plan, client.Options.ConnectionString);
                }
            }
        }
        catch
        {
            if (async)
            {
                await SaveTransactions.AbortQuietlyAsync(session).ConfigureAwait(false);
            }
            else
            {
                SaveTransactions.AbortQuietly(session);
            }

            throw;
        }

        SavePlanner.Complete(plan);
        return plan.Count;
    }
}
