using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using Tabernacle.EfCore.Infrastructure.Internal;
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
        var plan = Plan(entries);
        if (plan.Count == 0)
        {
            return 0;
        }

        var writeConcern = saveOptions.Consume(plan, client.EffectiveWriteConcern(null));
        var checkReplay = ChecksReplay(writeConcern);
        if (checkReplay && AlreadyApplied(plan))
        {
            Complete(plan);
            return plan.Count;
        }

        try
        {
            return Write(plan, writeConcern);
        }
        catch (DbUpdateException ex) when (checkReplay && IsDuplicateId(ex) && AlreadyApplied(plan))
        {
            Complete(plan);
            return plan.Count;
        }
    }

    private int Write(List<SaveOperation> plan, WriteConcern writeConcern)
    {
        var session = BeginTransactionIfNeeded(plan, writeConcern);
        try
        {
            foreach (var operations in ByCollection(plan))
            {
                var collection = operations[0].CollectionName;
                try
                {
                    var result = client.BulkWrite(collection, Models(operations), session is null ? writeConcern : null, () => Describe(collection, operations));
                    Verify(result, operations);
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
            AbortQuietly(session);
            throw;
        }

        Complete(plan);
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
        var plan = Plan(entries);
        if (plan.Count == 0)
        {
            return 0;
        }

        var writeConcern = saveOptions.Consume(plan, client.EffectiveWriteConcern(null));
        var checkReplay = ChecksReplay(writeConcern);
        if (checkReplay && await AlreadyAppliedAsync(plan, cancellationToken).ConfigureAwait(false))
        {
            Complete(plan);
            return plan.Count;
        }

        try
        {
            return await WriteAsync(plan, writeConcern, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (checkReplay && IsDuplicateId(ex))
        {
            if (!await AlreadyAppliedAsync(plan, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            Complete(plan);
            return plan.Count;
        }
    }

    private async Task<int> WriteAsync(List<SaveOperation> plan, WriteConcern writeConcern, CancellationToken cancellationToken)
    {
        var session = BeginTransactionIfNeeded(plan, writeConcern);
        try
        {
            foreach (var operations in ByCollection(plan))
            {
                var collection = operations[0].CollectionName;
                try
                {
                    var result = await client.BulkWriteAsync(collection, Models(operations), session is null ? writeConcern : null, () => Describe(collection, operations), cancellationToken).ConfigureAwait(false);
                    await VerifyAsync(result, operations, cancellationToken).ConfigureAwait(false);
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
            await AbortQuietlyAsync(session).ConfigureAwait(false);
            throw;
        }

        Complete(plan);
        return plan.Count;
    }

    // The operations of each collection, in plan order: the plan itself when it writes one collection (the usual case).
    private static IEnumerable<List<SaveOperation>> ByCollection(List<SaveOperation> plan)
    {
        var first = plan[0].CollectionName;
        return plan.TrueForAll(o => o.CollectionName == first) ? [plan] : plan.GroupBy(o => o.CollectionName).Select(g => g.ToList());
    }

    private static WriteModel<SaveDocument>[] Models(List<SaveOperation> operations)
    {
        var models = new WriteModel<SaveDocument>[operations.Count];
        for (var i = 0; i < models.Length; i++)
        {
            models[i] = operations[i].Model;
        }

        return models;
    }

    // A replay of a save whose previous attempt failed transiently: that attempt may have landed (a step-down or a dropped
    // connection after the server applied it, and the driver's one retry failed too). Replaying it blindly fails with a
    // duplicate key on the save's own insert, or a concurrency error on its own update, for a save that did happen. Not
    // inside the application's transaction (the strategy refuses those) and not for w:0 (no answer was ever expected).
    private bool ChecksReplay(WriteConcern? writeConcern) =>
        saveOptions.Replaying && client.TransactionSession is null && client.EffectiveWriteConcern(writeConcern).IsAcknowledged;

    private static bool IsDuplicateId(DbUpdateException exception) =>
        exception.InnerException is MongoBulkWriteException bulk
        && bulk.WriteErrors.Any(e => e.Code == ServerErrorCodes.DuplicateKey && e.Message.Contains("index: _id_ ", StringComparison.Ordinal));

    /// <summary>
    /// Whether every operation of <paramref name="plan"/> is already in the database as this save would leave it (each
    /// inserted document stored exactly as written, each update's values set, each deleted document gone), read from the
    /// primary with read concern majority so that only a durable earlier attempt counts.
    /// </summary>
    private bool AlreadyApplied(List<SaveOperation> plan) =>
        plan.GroupBy(o => o.CollectionName).All(group =>
        {
            var operations = group.ToList();
            return Matches(operations, client.Read(StoredRequest(group.Key, operations)).ToList());
        });

    private async Task<bool> AlreadyAppliedAsync(List<SaveOperation> plan, CancellationToken cancellationToken)
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
                _ => current is not null && operation.Written is { } written && written.Elements.All(e => current.GetValue(e.Name, BsonNull.Value).Equals(e.Value)),
            };
        });
    }

    /// <summary>
    /// One operation per root document to write; a changed owned entity makes its root document's update, which
    /// rewrites the owned document or array it is in (and only those: unchanged owned elements are left alone).
    /// </summary>
    private static List<SaveOperation> Plan(IList<IUpdateEntry> entries)
    {
        // Most saves hold root entries only: one operation per entry, straight away. Owned entries (rare, and few) are
        // grouped under their roots first; only then is a set of changed navigations built, for the roots that have one.
        var plan = new List<SaveOperation>(entries.Count);
        Dictionary<IUpdateEntry, HashSet<INavigation>>? changedEmbeddings = null;
        List<IUpdateEntry>? roots = null;
        foreach (var entry in entries)
        {
            if (entry.EntityType.FindOwnership() is null && changedEmbeddings is null)
            {
                if (SaveOperation.Create(entry, NoEmbeddings) is { } operation)
                {
                    plan.Add(operation);
                }

                continue;
            }

            if (changedEmbeddings is null)
            {
                // From here on every entry goes through the grouping, including the roots already planned: start over.
                changedEmbeddings = [];
                roots = [];
                plan.Clear();
                foreach (var earlier in entries)
                {
                    if (ReferenceEquals(earlier, entry))
                    {
                        break;
                    }

                    Group(earlier, changedEmbeddings, roots);
                }
            }

            Group(entry, changedEmbeddings, roots!);
        }

        if (changedEmbeddings is not null)
        {
            foreach (var root in roots!)
            {
                if (SaveOperation.Create(root, changedEmbeddings.TryGetValue(root, out var navigations) ? navigations : NoEmbeddings) is { } operation)
                {
                    plan.Add(operation);
                }
            }
        }

        return plan;
    }

    private static readonly IReadOnlySet<INavigation> NoEmbeddings = new HashSet<INavigation>();

    // An unchanged root whose owned entities changed is updated (see SaveOperation) without marking its own properties
    // modified, so only the changed owned documents are written.
    private static void Group(IUpdateEntry entry, Dictionary<IUpdateEntry, HashSet<INavigation>> changedEmbeddings, List<IUpdateEntry> roots)
    {
        var (root, embedding) = RootOf(entry);
        var known = changedEmbeddings.TryGetValue(root, out var navigations);
        if (!known)
        {
            roots.Add(root);
            changedEmbeddings[root] = navigations = [];
        }

        if (embedding is not null)
        {
            navigations!.Add(embedding);
        }
    }

    // The root document's entry and the root's owned navigation that the entry is embedded under (null for the root).
    private static (IUpdateEntry Root, INavigation? Embedding) RootOf(IUpdateEntry entry)
    {
        INavigation? embedding = null;
        var current = (InternalEntityEntry)entry;
        while (current.EntityType.FindOwnership() is { } ownership)
        {
            embedding = ownership.PrincipalToDependent;
            current = current.StateManager.FindPrincipal(current, ownership)
                ?? throw new InvalidOperationException($"The owned '{current.EntityType.DisplayName()}' is not attached to an owner '{ownership.PrincipalEntityType.DisplayName()}'; add it to its owner's navigation before saving.");
        }

        return (current, embedding);
    }

    private IClientSessionHandle? BeginTransactionIfNeeded(List<SaveOperation> plan, WriteConcern writeConcern)
    {
        var context = currentContext.Context;
        if (client.TransactionSession is not null)
        {
            // The transaction's own write concern applies at commit; only a w:0 that the save or an entity type asks for
            // explicitly is a contradiction (a context default of w:0 is simply not used inside the transaction).
            if (!writeConcern.IsAcknowledged && saveOptions.ExplicitlyUnacknowledged(plan))
            {
                throw new InvalidOperationException("An unacknowledged write concern (w:0) cannot be used inside a transaction: a transaction's writes are acknowledged when it commits. Remove the w:0 write concern or the transaction.");
            }

            return null;
        }

        var wanted = context.Database.AutoTransactionBehavior switch
        {
            AutoTransactionBehavior.Always => true,
            AutoTransactionBehavior.Never => false,
            _ => plan.Count > 1,
        };
        if (!wanted || !writeConcern.IsAcknowledged || !SupportsTransactions())
        {
            return null;
        }

        var session = client.SessionForTransaction();
        session.StartTransaction(new TransactionOptions(writeConcern: writeConcern));
        return session;
    }

    private bool SupportsTransactions()
    {
        var type = client.Client.Cluster.Description.Type;
        return type is ClusterType.ReplicaSet or ClusterType.Sharded or ClusterType.LoadBalanced;
    }

    private static void AbortQuietly(IClientSessionHandle? session)
    {
        if (session is { IsInTransaction: true })
        {
            try
            {
                session.AbortTransaction();
            }
            catch (MongoException)
            {
                // The transaction is gone already (step-down, expiry); nothing was committed.
            }
        }
    }

    private static async Task AbortQuietlyAsync(IClientSessionHandle? session)
    {
        if (session is { IsInTransaction: true })
        {
            try
            {
                await session.AbortTransactionAsync().ConfigureAwait(false);
            }
            catch (MongoException)
            {
                // The transaction is gone already; nothing was committed.
            }
        }
    }

    private void Verify(BulkWriteResult<SaveDocument> result, List<SaveOperation> operations)
    {
        if (!result.IsAcknowledged || Matched(result) >= Expected(operations))
        {
            return;
        }

        var stored = client.Read(new MongoReadRequest(operations[0].CollectionName) { Filter = IdsFilter(operations) }).ToList();
        throw SaveErrors.Concurrency(operations, stored);
    }

    private async Task VerifyAsync(BulkWriteResult<SaveDocument> result, List<SaveOperation> operations, CancellationToken cancellationToken)
    {
        if (!result.IsAcknowledged || Matched(result) >= Expected(operations))
        {
            return;
        }

        var cursor = await client.ReadAsync(new MongoReadRequest(operations[0].CollectionName) { Filter = IdsFilter(operations) }, cancellationToken).ConfigureAwait(false);
        var stored = await cursor.ToListAsync(cancellationToken).ConfigureAwait(false);
        throw SaveErrors.Concurrency(operations, stored);
    }

    private static long Matched(BulkWriteResult<SaveDocument> result) => result.MatchedCount + result.DeletedCount;

    private static long Expected(List<SaveOperation> operations) => operations.Count(o => o.State is EntityState.Modified or EntityState.Deleted);

    private static BsonDocument IdsFilter(List<SaveOperation> operations) =>
        new("_id", new BsonDocument("$in", new BsonArray(operations.Where(o => o.Filter is not null).Select(o => o.Filter!["_id"]))));

    private static void Complete(List<SaveOperation> plan)
    {
        foreach (var operation in plan)
        {
            foreach (var (property, value) in operation.NewTokenValues)
            {
                operation.Entry.SetStoreGeneratedValue(property, value);
            }
        }
    }

    // The bulk write as shell syntax, for the command log (values are hidden there unless sensitive data logging is on).
    // A large batch shows its first operations and how many more there are.
    private const int DescribedOperations = 20;

    private static string Describe(string collection, List<SaveOperation> operations)
    {
        var shown = operations.Take(DescribedOperations).Select(Describe);
        var more = operations.Count > DescribedOperations ? $", /* and {operations.Count - DescribedOperations} more */" : "";
        return $"db.{collection}.bulkWrite([{string.Join(", ", shown)}{more}])";
    }

    private static string Describe(SaveOperation operation) => operation.Model switch
    {
        InsertOneModel<SaveDocument> insert => ShellSyntax.Of(new BsonDocument("insertOne", new BsonDocument("document", insert.Document.ToBsonDocument()))),
        UpdateOneModel<SaveDocument> => ShellSyntax.Of(new BsonDocument("updateOne", new BsonDocument
        {
            { "filter", operation.Filter },
            { "update", operation.Update },
        })),
        DeleteOneModel<SaveDocument> => ShellSyntax.Of(new BsonDocument("deleteOne", new BsonDocument("filter", operation.Filter))),
        _ => operation.Model.ModelType.ToString(),
    };
}
