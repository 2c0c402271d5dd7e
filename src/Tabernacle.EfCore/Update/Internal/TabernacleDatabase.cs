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
        foreach (var stage in _stages)
        {
            CompletedSynchronously(stage, stage.BeforeSaveAsync(entries, async: false, CancellationToken.None));
        }

        var saved = SaveCore(entries);
        foreach (var stage in _stages)
        {
            CompletedSynchronously(stage, stage.AfterSaveAsync(entries, async: false, CancellationToken.None));
        }

        return saved;
    }

    // Stages are written to complete synchronously when async is false, so this observes a finished task (and its
    // exception) rather than blocking on one: no sync-over-async.
    private static void CompletedSynchronously(object stage, ValueTask pending)
    {
        if (!pending.IsCompleted)
        {
            throw new InvalidOperationException($"The save stage {stage.GetType().Name} did not complete synchronously in SaveChanges.");
        }

        pending.GetAwaiter().GetResult();
    }

    private int SaveCore(IList<IUpdateEntry> entries)
    {
        var plan = SavePlanner.Plan(entries);
        if (plan.Count == 0)
        {
            return 0;
        }

        var writeConcern = saveOptions.Consume(plan, client.EffectiveWriteConcern(null));
        var checkReplay = _replay.ChecksReplay(writeConcern);
        if (checkReplay && _replay.AlreadyApplied(plan))
        {
            SavePlanner.Complete(plan);
            return plan.Count;
        }

        try
        {
            return Write(plan, writeConcern);
        }
        catch (DbUpdateException ex) when (checkReplay && ReplayCheck.IsDuplicateId(ex) && _replay.AlreadyApplied(plan))
        {
            SavePlanner.Complete(plan);
            return plan.Count;
        }
    }

    private int Write(List<SaveOperation> plan, WriteConcern writeConcern)
    {
        var session = _transactions.BeginTransactionIfNeeded(plan, writeConcern);
        try
        {
            foreach (var operations in SavePlanner.ByCollection(plan))
            {
                var collection = operations[0].CollectionName;
                try
                {
                    var result = client.BulkWrite(collection, SavePlanner.Models(operations), session is null ? writeConcern : null, () => SavePlanner.Describe(collection, operations));
                    _verification.Verify(result, operations);
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
                    TransactionCommit.Commit(session);
                }
                catch (MongoException ex)
                {
                    throw SaveErrors.Translate(ex, plan, client.Options.ConnectionString);
                }
            }
        }
        catch
        {
            SaveTransactions.AbortQuietly(session);
            throw;
        }

        SavePlanner.Complete(plan);
        return plan.Count;
    }

    public override async Task<int> SaveChangesAsync(IList<IUpdateEntry> entries, CancellationToken cancellationToken = default)
    {
        foreach (var stage in _stages)
        {
            await stage.BeforeSaveAsync(entries, async: true, cancellationToken).ConfigureAwait(false);
        }

        var saved = await SaveCoreAsync(entries, cancellationToken).ConfigureAwait(false);
        foreach (var stage in _stages)
        {
            await stage.AfterSaveAsync(entries, async: true, cancellationToken).ConfigureAwait(false);
        }

        return saved;
    }

    private async Task<int> SaveCoreAsync(IList<IUpdateEntry> entries, CancellationToken cancellationToken)
    {
        var plan = SavePlanner.Plan(entries);
        if (plan.Count == 0)
        {
            return 0;
        }

        var writeConcern = saveOptions.Consume(plan, client.EffectiveWriteConcern(null));
        var checkReplay = _replay.ChecksReplay(writeConcern);
        if (checkReplay && await _replay.AlreadyAppliedAsync(plan, cancellationToken).ConfigureAwait(false))
        {
            SavePlanner.Complete(plan);
            return plan.Count;
        }

        try
        {
            return await WriteAsync(plan, writeConcern, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (checkReplay && ReplayCheck.IsDuplicateId(ex))
        {
            if (!await _replay.AlreadyAppliedAsync(plan, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            SavePlanner.Complete(plan);
            return plan.Count;
        }
    }

    private async Task<int> WriteAsync(List<SaveOperation> plan, WriteConcern writeConcern, CancellationToken cancellationToken)
    {
        var session = _transactions.BeginTransactionIfNeeded(plan, writeConcern);
        try
        {
            foreach (var operations in SavePlanner.ByCollection(plan))
            {
                var collection = operations[0].CollectionName;
                try
                {
                    var result = await client.BulkWriteAsync(collection, SavePlanner.Models(operations), session is null ? writeConcern : null, () => SavePlanner.Describe(collection, operations), cancellationToken).ConfigureAwait(false);
                    await _verification.VerifyAsync(result, operations, cancellationToken).ConfigureAwait(false);
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
                    await TransactionCommit.CommitAsync(session, cancellationToken).ConfigureAwait(false);
                }
                catch (MongoException ex)
                {
                    throw SaveErrors.Translate(ex, plan, client.Options.ConnectionString);
                }
            }
        }
        catch
        {
            await SaveTransactions.AbortQuietlyAsync(session).ConfigureAwait(false);
            throw;
        }

        SavePlanner.Complete(plan);
        return plan.Count;
    }
}
