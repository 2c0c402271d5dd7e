using System.Collections;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// The result of a compiled query: binds parameters, sends the MQL through the execution seam, and shapes each
/// document as it arrives from the driver's cursor (a real async cursor for async enumeration).
/// </summary>
internal sealed partial class QueryingEnumerable<T> : IEnumerable<T>, IAsyncEnumerable<T>, IQueryingEnumerable
{
    private readonly TabernacleQueryContext queryContext;
    private readonly CompiledMongoQuery query;
    private readonly TabernacleQueryOptions options;
    private readonly Func<QueryContext, BsonDocument, T> shaper;
    private readonly Type contextType;
    private readonly bool standAloneStateManager;
    private readonly bool threadSafetyChecksEnabled;

    public QueryingEnumerable(
        TabernacleQueryContext queryContext,
        CompiledMongoQuery query,
        TabernacleQueryOptions options,
        Func<QueryContext, BsonDocument, T> shaper,
        Type contextType,
        bool standAloneStateManager,
        bool threadSafetyChecksEnabled)
    {
        this.queryContext = queryContext;
        this.query = query;
        this.options = options;
        this.shaper = shaper;
        this.contextType = contextType;
        this.standAloneStateManager = standAloneStateManager;
        this.threadSafetyChecksEnabled = threadSafetyChecksEnabled;
    }

    public IEnumerator<T> GetEnumerator() => new Enumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new AsyncEnumerator(this, cancellationToken);

    public string ToQueryString() => query.ToMql(queryContext);

    private Storage.Internal.MongoReadRequest Request() =>
        query.Bind(queryContext, QueryOptionValues.ReadPreference(queryContext, options), QueryOptionValues.ReadConcern(queryContext, options));

    /// <summary>Turns the raw result of a count, sum or existence test into the one document the shaper reads.</summary>
    private IEnumerable<BsonDocument> Results(IEnumerable<BsonDocument> documents) => query.ResultOperator switch
    {
        ResultOperator.Any => [new BsonDocument(MongoQueryExpression.ResultElement, documents.Any())],
        ResultOperator.Count or ResultOperator.LongCount or ResultOperator.Sum => [documents.FirstOrDefault() ?? new BsonDocument(MongoQueryExpression.ResultElement, 0)],
        _ => documents,
    };

    private sealed class Enumerator(QueryingEnumerable<T> owner) : IEnumerator<T>
    {
        private readonly IConcurrencyDetector? _concurrencyDetector = owner.threadSafetyChecksEnabled ? owner.queryContext.ConcurrencyDetector : null;
        private IEnumerator<BsonDocument>? _documents;
        private IAsyncCursor<BsonDocument>? _cursor;

        public T Current { get; private set; } = default!;

        object IEnumerator.Current => Current!;

        public bool MoveNext()
        {
            try
            {
                using var _ = _concurrencyDetector?.EnterCriticalSection();
                if (_documents is null)
                {
                    _cursor = owner.queryContext.Client.Read(owner.Request());
                    _documents = owner.Results(_cursor.ToEnumerable()).GetEnumerator();
                    owner.queryContext.InitializeStateManager(owner.standAloneStateManager);
                }

                var hasNext = _documents.MoveNext();
                Current = hasNext ? owner.shaper(owner.queryContext, _documents.Current) : default!;
                return hasNext;
            }
            catch (Exception exception)
            {
                owner.queryContext.QueryLogger.QueryIterationFailed(owner.contextType, exception);
                throw;
            }
        }

        public void Dispose()
        {
            _documents?.Dispose();
            _cursor?.Dispose();
            _documents = null;
            _cursor = null;
        }

        public void Reset() => throw new NotSupportedException("Query results cannot be enumerated twice; run the query again.");
    }

    private sealed class AsyncEnumerator(QueryingEnumerable<T> owner, CancellationToken cancellationToken) : IAsyncEnumerator<T>
    {
        private readonly IConcurrencyDetector? _concurrencyDetector = owner.threadSafetyChecksEnabled ? owner.queryContext.ConcurrencyDetector : null;
        private IAsyncCursor<BsonDocument>? _cursor;
        private IEnumerator<BsonDocument>? _batch;
        private Queue<BsonDocument>? _synthetic;

        public T Current { get; private set; } = default!;

        public async ValueTask<bool> MoveNextAsync()
        {
            try
            {
                // Honour cancellation on every item, not only when the next batch is fetched.
                cancellationToken.ThrowIfCancellationRequested();
                using var _ = _concurrencyDetector?.EnterCriticalSection();
                if (_cursor is null && _synthetic is null)
                {
                    _cursor = await owner.queryContext.Client.ReadAsync(owner.Request(), cancellationToken).ConfigureAwait(false);
                    owner.queryContext.InitializeStateManager(owner.standAloneStateManager);
                    if (owner.query.ResultOperator != ResultOperator.None)
                    {
                        // A computed result is one small document: read it all, then shape it.
                        var documents = await _cursor.ToListAsync(cancellationToken).ConfigureAwait(false);
                        _synthetic = new Queue<BsonDocument>(owner.Results(documents));
                    }
                }

                BsonDocument? next;
                if (_synthetic is not null)
                {
                    next = _synthetic.Count > 0 ? _synthetic.Dequeue() : null;
                }
                else
                {
                    next = await NextFromCursorAsync().ConfigureAwait(false);
                }

                Current = next is null ? default! : owner.shaper(owner.queryContext, next);
                return next is not null;
            }
            catch (Exception exception)
            {
                owner.queryContext.QueryLogger.QueryIterationFailed(owner.contextType, exception);
                throw;
            }
        }

        private async Task<BsonDocument?> NextFromCursorAsync()
        {
            while (true)
            {
                if (_batch is not null && _batch.MoveNext())
                {
                    return _batch.Current;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!await _cursor!.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                _batch = _cursor.Current.GetEnumerator();
            }
        }

        public ValueTask DisposeAsync()
        {
            _batch?.Dispose();
            _cursor?.Dispose();
            _cursor = null;
            return default;
        }
    }
}

/// <summary>Reads a query's replica-set option values from its parameters.</summary>
internal static class QueryOptionValues
{
    public static ReadPreference? ReadPreference(QueryContext queryContext, TabernacleQueryOptions options) =>
        options.ReadPreferenceParameter is { } name ? queryContext.Parameters[name] as ReadPreference : null;

    public static ReadConcern? ReadConcern(QueryContext queryContext, TabernacleQueryOptions options) =>
        options.ReadConcernParameter is { } name ? queryContext.Parameters[name] as ReadConcern : null;

    public static WriteConcern? WriteConcern(QueryContext queryContext, TabernacleQueryOptions options) =>
        options.WriteConcernParameter is { } name ? queryContext.Parameters[name] as WriteConcern : null;
}
