using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;
using Tabernacle.EfCore.Diagnostics;
using Tabernacle.EfCore.Diagnostics.Internal;
using Tabernacle.EfCore.Infrastructure.Internal;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// The one seam through which every MongoDB operation of a context goes. It owns the context's view of the shared
/// client (database, causally consistent session, transaction), applies the effective read preference and read/write
/// concern (operation &gt; entity &gt; context &gt; connection string), and logs and traces each command.
/// </summary>
internal sealed class TabernacleClientWrapper : IDisposable, IResettableService
{
    private readonly TabernacleOptionsExtension _options;
    private readonly IDiagnosticsLogger<DbLoggerCategory.Database.Command> _logger;
    private readonly Lazy<IMongoClient> _client;
    private IMongoDatabase? _database;
    private IClientSessionHandle? _session;

    // The collection objects this context has used, by name and options: the driver's GetCollection builds new settings
    // and renders them to a string (ToString of each concern) on every call, about 1 KB per operation.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<CollectionKey, object> _collections = new();
    private const int MaxCachedCollections = 256;

    private readonly record struct CollectionKey(
        Type Document, string Name, bool Plain, ReadPreference? ReadPreference, ReadConcern? ReadConcern, WriteConcern? WriteConcern);

    public TabernacleClientWrapper(IDbContextOptions options, IDiagnosticsLogger<DbLoggerCategory.Database.Command> logger)
    {
        _options = options.FindExtension<TabernacleOptionsExtension>()
            ?? throw new InvalidOperationException("Tabernacle is not configured: call UseTabernacle(...) on the DbContextOptionsBuilder.");
        // EF Core validates options only when it builds a service provider, which a cached one skips: check here too.
        _options.Validate(options);
        _logger = logger;
        _client = new Lazy<IMongoClient>(CreateClient);
    }

    public IMongoClient Client => _client.Value;

    public string DatabaseName => _options.DatabaseName ?? throw new InvalidOperationException("No database name is configured.");

    public IMongoDatabase Database => _database ??= Client.GetDatabase(DatabaseName);

    public TabernacleOptionsExtension Options => _options;

    /// <summary>
    /// A read preference that replaces the context's configured default for this context instance only (the ASP.NET
    /// Core extensions set it per request). Queries that choose their own still win; cleared when a pooled context is reset.
    /// </summary>
    public ReadPreference? DefaultReadPreferenceOverride { get; set; }

    private ReadPreference? ContextReadPreference => DefaultReadPreferenceOverride ?? _options.DefaultReadPreference;

    /// <summary>The session of the explicit transaction in progress, if any.</summary>
    public IClientSessionHandle? TransactionSession => _session is { IsInTransaction: true } ? _session : null;

    /// <summary>
    /// The context's session: one causally consistent session per context, so reads after writes see them even on
    /// secondaries. <c>null</c> when causal consistency is off (the driver then uses implicit sessions).
    /// </summary>
    public IClientSessionHandle? Session
    {
        get
        {
            if (_session is null && _options.CausalConsistency)
            {
                _session = Client.StartSession(CausalSession);
            }

            return _session;
        }
    }

    /// <summary>A session that can run a transaction (started even when causal consistency is off).</summary>
    public IClientSessionHandle SessionForTransaction() =>
        _session ??= Client.StartSession(_options.CausalConsistency ? CausalSession : PlainSession);

    // The driver only reads session options: one instance of each serves every context (a pooled context starts a session
    // per use).
    private static readonly ClientSessionOptions CausalSession = new() { CausalConsistency = true };
    private static readonly ClientSessionOptions PlainSession = new() { CausalConsistency = false };

    private IMongoClient CreateClient()
    {
        if (_options.MongoClient is { } provided)
        {
            return provided;
        }

        var connectionString = _options.ConnectionString!;
        var settings = MongoClientSettings.FromUrl(ConnectionStrings.Parse(connectionString));
        foreach (var configure in _options.ClientSettingsConfigurators)
        {
            configure(settings);
        }

        settings.ClusterConfigurator = ServerTracker.Wrap(settings.ClusterConfigurator);
        return MongoClientCache.Get(settings);
    }

    /// <summary>The collection with the effective options applied: null arguments leave the context's or the client's defaults.</summary>
    public IMongoCollection<BsonDocument> Collection(string name, ReadPreference? readPreference = null, ReadConcern? readConcern = null,
        WriteConcern? writeConcern = null) =>
        Collection<BsonDocument>(name, readPreference, readConcern, writeConcern);

    /// <summary>The collection, with documents of <typeparamref name="TDocument"/> (written by its own serializer), and the effective
    /// options.</summary>
    public IMongoCollection<TDocument> Collection<TDocument>(string name, ReadPreference? readPreference = null,
        ReadConcern? readConcern = null, WriteConcern? writeConcern = null)
    {
        var key = new CollectionKey(
            typeof(TDocument), name, false, readPreference ?? ContextReadPreference, readConcern ?? _options.DefaultReadConcern,
            writeConcern ?? _options.DefaultWriteConcern);
        if (_collections.TryGetValue(key, out var cached))
        {
            return (IMongoCollection<TDocument>)cached;
        }

        var collection = Database.GetCollection<TDocument>(name);
        if (key.ReadPreference is { } rp)
        {
            collection = collection.WithReadPreference(rp);
        }

        if (key.ReadConcern is { } rc)
        {
            collection = collection.WithReadConcern(rc);
        }

        if (key.WriteConcern is { } wc)
        {
            collection = collection.WithWriteConcern(wc);
        }

        return Remember(key, collection);
    }

    /// <summary>The collection with the client's settings only (inside a transaction, whose own options apply).</summary>
    private IMongoCollection<TDocument> PlainCollection<TDocument>(string name)
    {
        var key = new CollectionKey(typeof(TDocument), name, true, null, null, null);
        return _collections.TryGetValue(key, out var cached)
            ? (IMongoCollection<TDocument>)cached
            : Remember(key, Database.GetCollection<TDocument>(name));
    }

    private IMongoCollection<TDocument> Remember<TDocument>(CollectionKey key, IMongoCollection<TDocument> collection)
    {
        // Names and options come from the model and the application, so the set is small; the bound only keeps an
        // application that makes up collection names at run time from growing it without end.
        if (_collections.Count >= MaxCachedCollections)
        {
            _collections.Clear();
        }

        _collections[key] = collection;
        return collection;
    }

    /// <summary>The read preference a read will use: the operation's, else the context's, else the client's (connection string).</summary>
    public ReadPreference EffectiveReadPreference(ReadPreference? requested) =>
        requested ?? ContextReadPreference ?? Database.Settings.ReadPreference;

    public WriteConcern EffectiveWriteConcern(WriteConcern? requested) =>
        requested ?? _options.DefaultWriteConcern ?? Database.Settings.WriteConcern;

    /// <summary>
    /// Replaces the context's <c>CausalReadTimeout</c> for this context instance only (the ASP.NET Core extensions set it
    /// per request); cleared when a pooled context is reset.
    /// </summary>
    public TimeSpan? CausalReadTimeoutOverride { get; set; }

    /// <summary>Reads of this context instance that ran out of their causal wait on a secondary (went to the primary or failed).</summary>
    public int CausalReadFallbacks { get; private set; }

    public IAsyncCursor<BsonDocument> Read(MongoReadRequest request) => Read(request, BsonDocumentSerializer.Instance);

    public Task<IAsyncCursor<BsonDocument>> ReadAsync(MongoReadRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, BsonDocumentSerializer.Instance, cancellationToken);

    /// <summary>A read whose results <paramref name="serializer"/> decodes from the reply (a query shape's own rows).</summary>
    public IAsyncCursor<TRow> Read<TRow>(MongoReadRequest request, IBsonSerializer<TRow> serializer)
    {
        var bound = CausalBound(request);
        try
        {
            return ReadOnce(request, bound, serializer);
        }
        catch (MongoException ex) when (bound is not null && IsMaxTimeExpired(ex))
        {
            return ReadOnce(FallBack(request, bound.Value), null, serializer);
        }
    }

    public async Task<IAsyncCursor<TRow>> ReadAsync<TRow>(MongoReadRequest request, IBsonSerializer<TRow> serializer,
        CancellationToken cancellationToken)
    {
        var bound = CausalBound(request);
        try
        {
            return await ReadOnceAsync(request, bound, serializer, cancellationToken).ConfigureAwait(false);
        }
        catch (MongoException ex) when (bound is not null && IsMaxTimeExpired(ex))
        {
            return await ReadOnceAsync(FallBack(request, bound.Value), null, serializer, cancellationToken).ConfigureAwait(false);
        }
    }

    private IAsyncCursor<TRow> ReadOnce<TRow>(MongoReadRequest request, TimeSpan? maxTime, IBsonSerializer<TRow> serializer) =>
        Run(request.OperationName, request.CollectionName, request.ToMql, Carried.Read(request.ReadPreference, request.ReadConcern), () =>
        {
            var (collection, session) = PrepareRead(request);
            return request.Pipeline is { } pipeline
                ? (session is null
                    ? collection.Aggregate(Pipeline(pipeline, serializer), AggregateOptions(maxTime))
                    : collection.Aggregate(session, Pipeline(pipeline, serializer), AggregateOptions(maxTime)))
                : (session is null
                    ? collection.FindSync(request.Filter, FindOptions(request, maxTime, serializer))
                    : collection.FindSync(session, request.Filter, FindOptions(request, maxTime, serializer)));
        });

    private Task<IAsyncCursor<TRow>> ReadOnceAsync<TRow>(
        MongoReadRequest request, TimeSpan? maxTime, IBsonSerializer<TRow> serializer, CancellationToken cancellationToken) =>
        RunAsync(request.OperationName, request.CollectionName, request.ToMql, Carried.Read(request.ReadPreference, request.ReadConcern),
            () =>
        {
            var (collection, session) = PrepareRead(request);
            return request.Pipeline is { } pipeline
                ? (session is null
                    ? collection.AggregateAsync(Pipeline(pipeline, serializer), AggregateOptions(maxTime), cancellationToken)
                    : collection.AggregateAsync(session, Pipeline(pipeline, serializer), AggregateOptions(maxTime), cancellationToken))
                : (session is null
                    ? collection.FindAsync(request.Filter, FindOptions(request, maxTime, serializer), cancellationToken)
                    : collection.FindAsync(session, request.Filter, FindOptions(request, maxTime, serializer), cancellationToken));
        });

    // A read that carries the session's cluster time (afterClusterTime) to a member other than the primary may wait for
    // that member to catch up: bounded, so that a lagging or paused secondary cannot hold a request indefinitely.
    private TimeSpan? CausalBound(MongoReadRequest request)
    {
        if (_session is not { IsInTransaction: false, OperationTime: not null })
        {
            return null;
        }

        return EffectiveReadPreference(request.ReadPreference).ReadPreferenceMode == ReadPreferenceMode.Primary
            ? null
            : CausalReadTimeoutOverride ?? _options.CausalReadTimeout;
    }

    private MongoReadRequest FallBack(MongoReadRequest request, TimeSpan bound)
    {
        CausalReadFallbacks++;
        var mode = EffectiveReadPreference(request.ReadPreference).ReadPreferenceMode;
        var forbidden = mode == ReadPreferenceMode.Secondary;
        TabernacleDiagnostics.CausalReadFallbacks.Add(
            1,
            new KeyValuePair<string, object?>(TabernacleDiagnostics.ReadPreferenceTag, mode.ToString()),
            new KeyValuePair<string, object?>(TabernacleDiagnostics.OutcomeTag, forbidden ? "failed" : "primary"));
        if (forbidden)
        {
            throw new TimeoutException(
                $"No secondary reached this session's cluster time within {bound.TotalMilliseconds} ms (CausalReadTimeout), and the "
                + $"read preference '{mode}' of this read on '{request.CollectionName}' forbids the primary. Use SecondaryPreferred to "
                + "let such reads go to the primary, or raise CausalReadTimeout.");
        }

        _logger.Logger.Log(
            LogLevel.Information,
            TabernacleEventId.CommandExecuted,
            "A {ReadPreference} read on {Collection} waited {Bound} ms for a member to reach the session's cluster time; "
            + "it goes to the primary",
            mode,
            request.CollectionName,
            bound.TotalMilliseconds);
        return request with { ReadPreference = ReadPreference.Primary };
    }

    // The driver answers MaxTimeMSExpired (50) with MongoExecutionTimeoutException, or a command exception with the code.
    private static bool IsMaxTimeExpired(MongoException exception) =>
        exception is MongoExecutionTimeoutException
        || exception is MongoCommandException { Code: TransientErrors.MaxTimeMSExpired };

    private static AggregateOptions AggregateOptions(TimeSpan? maxTime) => new() { MaxTime = maxTime };

    private (IMongoCollection<BsonDocument> Collection, IClientSessionHandle? Session) PrepareRead(MongoReadRequest request)
    {
        var session = Session;
        if (session is { IsInTransaction: true })
        {
            if (request.ReadPreference is { ReadPreferenceMode: not ReadPreferenceMode.Primary } rp)
            {
                throw new InvalidOperationException(
                    $"A query inside a transaction must read from the primary, but it asks for '{rp.ReadPreferenceMode}'. MongoDB runs " +
                        $"every operation of a transaction on the primary; remove WithReadPreference or run the query outside the " +
                            $"transaction.");
            }

            // Inside a transaction the transaction's own read preference and concern apply.
            return (PlainCollection<BsonDocument>(request.CollectionName), session);
        }

        return (Collection(request.CollectionName, request.ReadPreference, request.ReadConcern), session);
    }

    private static PipelineDefinition<BsonDocument, TRow> Pipeline<TRow>(IReadOnlyList<BsonDocument> stages,
        IBsonSerializer<TRow> serializer) =>
        PipelineDefinition<BsonDocument, TRow>.Create(stages, serializer);

    private static FindOptions<BsonDocument, TRow> FindOptions<TRow>(MongoReadRequest request, TimeSpan? maxTime,
        IBsonSerializer<TRow> serializer) => new()
    {
        MaxTime = maxTime,
        Sort = request.Sort,
        Skip = request.Skip,
        Limit = request.Limit,
        Projection = new RowProjection<TRow>(request.Projection, serializer),
    };

    public BulkWriteResult<TDocument> BulkWrite<TDocument>(string collectionName, IReadOnlyList<WriteModel<TDocument>> models,
        WriteConcern? writeConcern, Func<string> description) =>
        Run("bulkWrite", collectionName, description, Carried.Write(writeConcern), () =>
        {
            var (collection, session) = PrepareWrite<TDocument>(collectionName, writeConcern);
            var options = new BulkWriteOptions { IsOrdered = true };
            return session is null ? collection.BulkWrite(models, options) : collection.BulkWrite(session, models, options);
        });

    public Task<BulkWriteResult<TDocument>> BulkWriteAsync<TDocument>(string collectionName, IReadOnlyList<WriteModel<TDocument>> models,
        WriteConcern? writeConcern, Func<string> description, CancellationToken cancellationToken) =>
        RunAsync("bulkWrite", collectionName, description, Carried.Write(writeConcern), () =>
        {
            var (collection, session) = PrepareWrite<TDocument>(collectionName, writeConcern);
            var options = new BulkWriteOptions { IsOrdered = true };
            return session is null
                ? collection.BulkWriteAsync(models, options, cancellationToken)
                : collection.BulkWriteAsync(session, models, options, cancellationToken);
        });

    private (IMongoCollection<TDocument> Collection, IClientSessionHandle? Session) PrepareWrite<TDocument>(string collectionName,
        WriteConcern? writeConcern)
    {
        var session = Session;
        if (session is { IsInTransaction: true })
        {
            // Operations inside a transaction may not carry their own write concern; the commit applies the transaction's.
            return (PlainCollection<TDocument>(collectionName), session);
        }

        // The driver refuses explicit sessions for unacknowledged writes: a w:0 write goes without the session.
        return (Collection<TDocument>(collectionName, writeConcern: writeConcern),
            EffectiveWriteConcern(writeConcern).IsAcknowledged ? session : null);
    }

    public Task<long> UpdateManyAsync(string collectionName, BsonDocument filter, BsonValue update, WriteConcern? writeConcern,
        CancellationToken cancellationToken) =>
        RunAsync("update", collectionName, () =>
            $"db.{collectionName}.updateMany({ShellSyntax.Of(filter)}, {ShellSyntax.Of(update)})", Carried.Write(writeConcern), async () =>
        {
            var (collection, session) = PrepareWrite<BsonDocument>(collectionName, writeConcern);
            var definition = UpdateDefinition(update);
            var result = session is null
                ? await collection.UpdateManyAsync(filter, definition, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await collection.UpdateManyAsync(session, filter, definition, cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.IsAcknowledged ? result.MatchedCount : -1;
        });

    public long UpdateMany(string collectionName, BsonDocument filter, BsonValue update, WriteConcern? writeConcern) =>
        Run("update", collectionName, () =>
            $"db.{collectionName}.updateMany({ShellSyntax.Of(filter)}, {ShellSyntax.Of(update)})", Carried.Write(writeConcern), () =>
        {
            var (collection, session) = PrepareWrite<BsonDocument>(collectionName, writeConcern);
            var definition = UpdateDefinition(update);
            var result = session is null ? collection.UpdateMany(filter, definition) : collection.UpdateMany(session, filter, definition);
            return result.IsAcknowledged ? result.MatchedCount : -1;
        });

    public long DeleteMany(string collectionName, BsonDocument filter, WriteConcern? writeConcern) =>
        Run("delete", collectionName, () => $"db.{collectionName}.deleteMany({ShellSyntax.Of(filter)})", Carried.Write(writeConcern), () =>
        {
            var (collection, session) = PrepareWrite<BsonDocument>(collectionName, writeConcern);
            var result = session is null ? collection.DeleteMany(filter) : collection.DeleteMany(session, filter);
            return result.IsAcknowledged ? result.DeletedCount : -1;
        });

    /// <summary>The collection of the key counters (one document per collection whose integer keys the provider generates).</summary>
    public const string CountersCollection = "__tabernacle_counters";

    /// <summary>
    /// Reserves <paramref name="count"/> consecutive values of the counter <paramref name="counter"/> with one atomic
    /// findAndModify, and returns the last of them: concurrent saves, from any number of processes, never get the same
    /// value. Written with w:majority (a counter rolled back by a failover would hand its values out again) and outside
    /// any transaction (a counter in a transaction would be a write conflict between every two concurrent saves).
    /// </summary>
    public long ReserveKeys(string counter, long count) =>
        Run("findAndModify", CountersCollection, () => DescribeReserve(counter, count), Carried.Write(WriteConcern.WMajority), () =>
        {
            var (collection, filter, update, options, session) = PrepareReserve(counter, count);
            try
            {
                return Reserved(session is null
                    ? collection.FindOneAndUpdate(filter, update, options)
                    : collection.FindOneAndUpdate(session, filter, update, options));
            }
            catch (MongoCommandException ex) when (ex.Code == ServerErrorCodes.DuplicateKey)
            {
                // Two first upserts of the same counter raced; the document exists now, so the retry increments it.
                return Reserved(session is null
                    ? collection.FindOneAndUpdate(filter, update, options)
                    : collection.FindOneAndUpdate(session, filter, update, options));
            }
        });

    /// <inheritdoc cref="ReserveKeys(string, long)"/>
    public Task<long> ReserveKeysAsync(string counter, long count, CancellationToken cancellationToken) =>
        RunAsync("findAndModify", CountersCollection, () =>
            DescribeReserve(counter, count), Carried.Write(WriteConcern.WMajority), async () =>
        {
            var (collection, filter, update, options, session) = PrepareReserve(counter, count);
            try
            {
                return Reserved(session is null
                    ? await collection.FindOneAndUpdateAsync(filter, update, options, cancellationToken).ConfigureAwait(false)
                    : await collection.FindOneAndUpdateAsync(session, filter, update, options, cancellationToken).ConfigureAwait(false));
            }
            catch (MongoCommandException ex) when (ex.Code == ServerErrorCodes.DuplicateKey)
            {
                return Reserved(session is null
                    ? await collection.FindOneAndUpdateAsync(filter, update, options, cancellationToken).ConfigureAwait(false)
                    : await collection.FindOneAndUpdateAsync(session, filter, update, options, cancellationToken).ConfigureAwait(false));
            }
        });

    private static string DescribeReserve(string counter, long count) =>
        $"db.{CountersCollection}.findAndModify({{ query: {{ _id: \"{counter}\" }}, "
        + $"update: {{ $inc: {{ next: {count} }} }}, upsert: true, new: true }})";

    private (
        IMongoCollection<BsonDocument> Collection,
        BsonDocument Filter,
        UpdateDefinition<BsonDocument> Update,
        FindOneAndUpdateOptions<BsonDocument> Options,
        IClientSessionHandle? Session) PrepareReserve(string counter, long count)
    {
        var collection = Database.GetCollection<BsonDocument>(CountersCollection).WithWriteConcern(WriteConcern.WMajority);
        var increment = new BsonDocument("$inc", new BsonDocument("next", new BsonInt64(count)));
        var update = new BsonDocumentUpdateDefinition<BsonDocument>(increment);
        var options = new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After };
        var session = Session is { IsInTransaction: false } outside ? outside : null;
        return (collection, new BsonDocument("_id", counter), update, options, session);
    }

    private static long Reserved(BsonDocument? counter) =>
        counter?["next"].ToInt64() ?? throw new InvalidOperationException("The key counter was not returned by findAndModify.");

    // An update document, or an update pipeline (an array of stages) for values computed from the document.
    private static UpdateDefinition<BsonDocument> UpdateDefinition(BsonValue update) => update is BsonArray stages
        ? new PipelineUpdateDefinition<BsonDocument>(
            PipelineDefinition<BsonDocument, BsonDocument>.Create(stages.Select(s => s.AsBsonDocument)))
        : new BsonDocumentUpdateDefinition<BsonDocument>(update.AsBsonDocument);

    public Task<long> DeleteManyAsync(string collectionName, BsonDocument filter, WriteConcern? writeConcern,
        CancellationToken cancellationToken) =>
        RunAsync("delete", collectionName, () =>
            $"db.{collectionName}.deleteMany({ShellSyntax.Of(filter)})", Carried.Write(writeConcern), async () =>
        {
            var (collection, session) = PrepareWrite<BsonDocument>(collectionName, writeConcern);
            var result = session is null
                ? await collection.DeleteManyAsync(filter, cancellationToken).ConfigureAwait(false)
                : await collection.DeleteManyAsync(session, filter, cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.IsAcknowledged ? result.DeletedCount : -1;
        });

    /// <summary>Opens (or resumes) a change stream through the seam: logged and traced as a read with its read preference.</summary>
    public Task<T> RunChangeStreamOperationAsync<T>(
        string collection, Func<string> mql, ReadPreference? readPreference, Func<Task<T>> action) =>
        RunAsync("watch", collection, mql, Carried.Read(readPreference, null), action);

    /// <summary>Runs a database-level command (catalog operations of the database creator).</summary>
    public Task<T> RunDatabaseOperationAsync<T>(string operation, string? collection, string description,
        Func<IMongoDatabase, Task<T>> action) =>
        RunAsync(operation, collection ?? "", () => description, Carried.Write(null), () => action(Database));

    public T RunDatabaseOperation<T>(string operation, string? collection, string description, Func<IMongoDatabase, T> action) =>
        Run(operation, collection ?? "", () => description, Carried.Write(null), () => action(Database));

    private T Run<T>(string operation, string collection, Func<string> mql, Carried carried, Func<T> action)
    {
        using var activity = StartActivity(operation, collection, carried);
        var trace = Observed(activity) ? ServerTracker.Begin() : null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = action();
            Executed(operation, collection, mql, carried, trace, started, activity);
            return result;
        }
        catch (TimeoutException ex) when (ServerSelectionDiagnosis.IsServerSelectionTimeout(ex))
        {
            var readPreference = carried.IsRead ? EffectiveReadPreference(carried.ReadPreference) : null;
            var explained = ServerSelectionDiagnosis.Explain(Client, readPreference, ex);
            Failed(operation, collection, mql, trace, started, activity, explained);
            throw explained;
        }
        catch (Exception ex)
        {
            Failed(operation, collection, mql, trace, started, activity, ex);
            throw;
        }
        finally
        {
            if (trace is not null)
            {
                ServerTracker.End();
            }
        }
    }

    private async Task<T> RunAsync<T>(string operation, string collection, Func<string> mql, Carried carried, Func<Task<T>> action)
    {
        using var activity = StartActivity(operation, collection, carried);
        var trace = Observed(activity) ? ServerTracker.Begin() : null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await action().ConfigureAwait(false);
            Executed(operation, collection, mql, carried, trace, started, activity);
            return result;
        }
        catch (TimeoutException ex) when (ServerSelectionDiagnosis.IsServerSelectionTimeout(ex))
        {
            var readPreference = carried.IsRead ? EffectiveReadPreference(carried.ReadPreference) : null;
            var explained = await ServerSelectionDiagnosis.ExplainAsync(Client, readPreference, ex).ConfigureAwait(false);
            Failed(operation, collection, mql, trace, started, activity, explained);
            throw explained;
        }
        catch (Exception ex)
        {
            Failed(operation, collection, mql, trace, started, activity, ex);
            throw;
        }
        finally
        {
            if (trace is not null)
            {
                ServerTracker.End();
            }
        }
    }

    // Which server answered is only wanted by a trace, the reads counter or a log line: when none of them listens, the
    // operation skips the async-local slot the driver's command event fills (two execution-context copies per operation).
    private bool Observed(Activity? activity) =>
        activity is not null
        || TabernacleDiagnostics.Reads.Enabled
        || _logger.Logger.IsEnabled(LogLevel.Information)
        || _logger.Logger.IsEnabled(LogLevel.Warning)
        || _logger.Logger.IsEnabled(LogLevel.Error)
        || _logger.DbContextLogger.ShouldLog(TabernacleEventId.CommandExecuted, LogLevel.Information)
        || _logger.DbContextLogger.ShouldLog(TabernacleEventId.CommandFailed, LogLevel.Information)
        || _logger.DbContextLogger.ShouldLog(TabernacleEventId.CommandFailed, LogLevel.Warning)
        || _logger.DbContextLogger.ShouldLog(TabernacleEventId.CommandFailed, LogLevel.Error);

    private static long ElapsedMilliseconds(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>What a command carried: a read's preference and concern, or a write's concern (null: the defaults).</summary>
    private readonly record struct Carried(
        bool IsRead, ReadPreference? ReadPreference, ReadConcern? ReadConcern, WriteConcern? WriteConcern)
    {
        public static Carried Read(ReadPreference? readPreference, ReadConcern? readConcern) =>
            new(true, readPreference, readConcern, null);

        public static Carried Write(WriteConcern? writeConcern) => new(false, null, null, writeConcern);
    }

    // The options the command really went out with: inside a transaction its reads go to the primary under the
    // transaction's read concern, and its writes carry no write concern of their own (the commit carries it).
    private string ReadConcernText(Carried carried) => TransactionSession is not null
        ? "transaction"
        : (carried.ReadConcern ?? _options.DefaultReadConcern ?? Database.Settings.ReadConcern).Level?.ToString().ToLowerInvariant()
            ?? "default";

    private string WriteConcernText(Carried carried) => TransactionSession is not null
        ? "transaction"
        : ShellSyntax.Of(WriteConcernDocument(EffectiveWriteConcern(carried.WriteConcern)));

    // The driver renders wtimeout as a double; the wire and the shell show whole milliseconds.
    private static BsonDocument WriteConcernDocument(WriteConcern writeConcern)
    {
        var document = writeConcern.ToBsonDocument();
        if (document.TryGetValue("wtimeout", out var timeout) && timeout.IsNumeric)
        {
            document["wtimeout"] = (int)Math.Min(int.MaxValue, timeout.ToDouble());
        }

        return document;
    }

    private Activity? StartActivity(string operation, string collection, Carried carried)
    {
        // The activity's name is built only when someone listens.
        if (!TabernacleDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = TabernacleDiagnostics.ActivitySource.StartActivity($"{operation} {collection}", ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("db.system.name", "mongodb");
            activity.SetTag("db.namespace", DatabaseName);
            activity.SetTag("db.collection.name", collection);
            activity.SetTag("db.operation.name", operation);
            if (carried.IsRead)
            {
                activity.SetTag("tabernacle.read_preference", ReadPreferenceModeOf(carried.ReadPreference));
                activity.SetTag("tabernacle.read_concern", ReadConcernText(carried));
            }
            else
            {
                activity.SetTag("tabernacle.write_concern", WriteConcernText(carried));
            }
        }

        return activity;
    }

    private void Executed(
        string operation, string collection, Func<string> mql, Carried carried, OperationTrace? trace, long started, Activity? activity)
    {
        SetServer(activity, trace);
        if (carried.IsRead)
        {
            CountRead(carried.ReadPreference, trace);
        }

        var logger = _logger.Logger;
        var toLogger = logger.IsEnabled(LogLevel.Information);
        var toContext = _logger.DbContextLogger.ShouldLog(TabernacleEventId.CommandExecuted, LogLevel.Information);
        if (!toLogger && !toContext)
        {
            return;
        }

        var text = mql();
        var shown = _logger.ShouldLogSensitiveData() ? text : MqlRedaction.Redact(text);
        var options = carried.IsRead
            ? $"read preference {ReadPreferenceModeOf(carried.ReadPreference)}, read concern {ReadConcernText(carried)}"
            : $"write concern {WriteConcernText(carried)}";
        if (toLogger)
        {
            logger.Log(
                LogLevel.Information,
                TabernacleEventId.CommandExecuted,
                "Executed {Operation} on {Database}.{Collection} ({ElapsedMilliseconds} ms) {Options}, server {Server}: {Mql}",
                operation,
                DatabaseName,
                collection,
                ElapsedMilliseconds(started),
                options,
                OperationTrace.TextOf(trace),
                shown);
        }

        if (toContext)
        {
            var message = $"Executed {operation} on {DatabaseName}.{collection} ({ElapsedMilliseconds(started)} ms) {options}, "
                + $"server {OperationTrace.TextOf(trace)}: {shown}";
            CommandLogEvents.Log(_logger, TabernacleEventId.CommandExecuted, LogLevel.Information, message);
        }
    }

    // The reads-per-member and per-read-preference counter: which member served the read, and under which preference.
    private void CountRead(ReadPreference? readPreference, OperationTrace? trace)
    {
        if (!TabernacleDiagnostics.Reads.Enabled)
        {
            return;
        }

        var mode = ReadPreferenceModeOf(readPreference);
        TabernacleDiagnostics.Reads.Add(
            1,
            new KeyValuePair<string, object?>(TabernacleDiagnostics.ServerTag, OperationTrace.TextOf(trace)),
            new KeyValuePair<string, object?>(TabernacleDiagnostics.ReadPreferenceTag, mode));
    }

    // A read inside a transaction runs on the primary whatever the defaults say.
    private string ReadPreferenceModeOf(ReadPreference? readPreference) =>
        TransactionSession is not null ? "Primary" : EffectiveReadPreference(readPreference).ReadPreferenceMode.ToString();

    private void Failed(
        string operation, string collection, Func<string> mql, OperationTrace? trace, long started, Activity? activity, Exception exception)
    {
        SetServer(activity, trace);
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        // A write conflict or another transient error is an ordinary outcome that the execution strategy retries; a
        // read that ran out of its causal wait goes to the primary: information, not errors. A duplicate key is a
        // unique index doing its job (the application sees a DbUpdateException it can answer with a 409): a warning.
        var level = TransientErrors.IsTransient(exception) || exception is MongoExecutionTimeoutException
            ? LogLevel.Information
            : IsDuplicateKey(exception) ? LogLevel.Warning : LogLevel.Error;
        var logger = _logger.Logger;
        if (_logger.DbContextLogger.ShouldLog(TabernacleEventId.CommandFailed, level))
        {
            var text = mql();
            var shown = _logger.ShouldLogSensitiveData() ? text : MqlRedaction.Redact(text);
            var message = $"Failed {operation} on {DatabaseName}.{collection} ({ElapsedMilliseconds(started)} ms) "
                + $"server {OperationTrace.TextOf(trace)}: {shown}: "
                + ConnectionStrings.DescribeFailure(exception, _options.ConnectionString);
            CommandLogEvents.Log(_logger, TabernacleEventId.CommandFailed, level, message);
        }

        if (logger.IsEnabled(level))
        {
            var text = mql();
            var shown = _logger.ShouldLogSensitiveData() ? text : MqlRedaction.Redact(text);
            logger.Log(
                level,
                TabernacleEventId.CommandFailed,
                "Failed {Operation} on {Database}.{Collection} ({ElapsedMilliseconds} ms) server {Server}: {Mql}: {Error}",
                operation,
                DatabaseName,
                collection,
                ElapsedMilliseconds(started),
                OperationTrace.TextOf(trace),
                shown,
                ConnectionStrings.DescribeFailure(exception, _options.ConnectionString));
        }
    }

    private static bool IsDuplicateKey(Exception exception) => exception switch
    {
        MongoBulkWriteException bulk =>
            bulk.WriteErrors.Count > 0 && bulk.WriteErrors.All(e => e.Category == ServerErrorCategory.DuplicateKey)
            && bulk.WriteConcernError is null,
        MongoWriteException write => write.WriteError?.Category == ServerErrorCategory.DuplicateKey,
        MongoCommandException command => command.Code == ServerErrorCodes.DuplicateKey,
        _ => false,
    };

    private static void SetServer(Activity? activity, OperationTrace? trace) => trace?.Tag(activity);

    public void ResetState()
    {
        DefaultReadPreferenceOverride = null;
        CausalReadTimeoutOverride = null;
        CausalReadFallbacks = 0;
        EndSession();
    }

    public Task ResetStateAsync(CancellationToken cancellationToken = default)
    {
        ResetState();
        return Task.CompletedTask;
    }

    public void Dispose() => EndSession();

    private void EndSession()
    {
        _session?.Dispose();
        _session = null;
    }
}
