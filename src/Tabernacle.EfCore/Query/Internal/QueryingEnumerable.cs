using System.Collections;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Internal;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// The result of a compiled query: binds parameters, sends the MQL through the execution seam, and shapes each
/// row as it arrives from the driver's cursor (a real async cursor for async enumeration). A row is what the query
/// shape's serializer decodes from the reply: a <see cref="BsonDocument"/>, or for the shapes the wire reader handles
/// EF Core's value buffer itself (<see cref="WireRowSerializer"/>).
/// </summary>
internal sealed partial class QueryingEnumerable<TRow, T> : IEnumerable<T>, IAsyncEnumerable<T>, IQueryingEnumerable
{
    private readonly TabernacleQueryContext queryContext;
    private readonly CompiledMongoQuery query;
    private readonly TabernacleQueryOptions options;
    private readonly Func<QueryContext, TRow, T> shaper;
    private readonly IBsonSerializer<TRow> serializer;
    private readonly Type contextType;
    private readonly bool standAloneStateManager;
    private readonly bool threadSafetyChecksEnabled;
    private readonly bool guardEachRow;

    public QueryingEnumerable(
        TabernacleQueryContext queryContext,
        CompiledMongoQuery query,
        TabernacleQueryOptions options,
        Func<QueryContext, TRow, T> shaper,
        IBsonSerializer<TRow> serializer,
        Type contextType,
        bool standAloneStateManager,
        bool threadSafetyChecksEnabled,
        bool guardEachRow)
    {
        this.queryContext = queryContext;
        this.query = query;
        this.options = options;
        this.shaper = shaper;
        this.serializer = serializer;
        this.contextType = contextType;
        this.standAloneStateManager = standAloneStateManager;
        this.threadSafetyChecksEnabled = threadSafetyChecksEnabled;
        this.guardEachRow = guardEachRow;
    }

    /// <summary>The serializer that decodes each result row (tests look at which path a shape compiled to).</summary>
    internal IBsonSerializer<TRow> Serializer => serializer;

    public IEnumerator<T> GetEnumerator() => new Enumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new AsyncEnumerator(this, cancellationToken);

    public string ToQueryString() => query.ToMql(queryContext);

    private Storage.Internal.MongoReadRequest Request() =>
        query.Bind(queryContext, QueryOptionValues.ReadPreference(queryContext, options),
            QueryOptionValues.ReadConcern(queryContext, options));

    /// <summary>
    /// Turns the raw result of a count, sum or existence test into the one row the shaper reads. A row the server did not
    /// send (no match to count or sum; the answer of an existence test) is made by the shape's own serializer, from a
    /// one-element document, so it converts exactly as a sent one.
    /// </summary>
    private IEnumerable<TRow> Results(IEnumerable<TRow> rows)
    {
        switch (query.ResultOperator)
        {
            case ResultOperator.Any:
                return [Synthetic(rows.Any())];
            case ResultOperator.Count or ResultOperator.LongCount or ResultOperator.Sum:
                using (var enumerator = rows.GetEnumerator())
                {
                    return [enumerator.MoveNext() ? enumerator.Current : Synthetic(0)];
                }

            default:
                return rows;
        }
    }

    private TRow Synthetic(BsonValue result)
    {
        using var reader = new MongoDB.Bson.IO.BsonDocumentReader(new BsonDocument(MongoQueryExpression.ResultElement, result));
        return serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }

    private sealed class Enumerator(QueryingEnumerable<TRow, T> owner) : IEnumerator<T>
    {
        private readonly IConcurrencyDetector? _concurrencyDetector = owner.threadSafetyChecksEnabled
            ? owner.queryContext.ConcurrencyDetector : null;
        private IEnumerator<TRow>? _documents;
        private IAsyncCursor<TRow>? _cursor;
        private IEnumerator<TRow>? _batch;

        public T Current { get; private set; } = default!;

        object IEnumerator.Current => Current!;

        public bool MoveNext()
        {
            try
            {
                if (!owner.guardEachRow && _batch is not null && _batch.MoveNext())
                {
                    // As in the async enumerator: a no-tracking row of the batch in hand needs no concurrency check.
                    Current = owner.shaper(owner.queryContext, _batch.Current);
                    return true;
                }

                using var _ = _concurrencyDetector?.EnterCriticalSection();
                if (_cursor is null)
                {
                    _cursor = owner.queryContext.Client.Read(owner.Request(), owner.serializer);
                    if (owner.query.ResultOperator != ResultOperator.None)
                    {
                        _documents = owner.Results(_cursor.ToEnumerable()).GetEnumerator();
                    }

                    owner.queryContext.InitializeStateManager(owner.standAloneStateManager);
                }

                if (_documents is not null)
                {
                    var hasNext = _documents.MoveNext();
                    Current = hasNext ? owner.shaper(owner.queryContext, _documents.Current) : default!;
                    return hasNext;
                }

                while (true)
                {
                    if (_batch is not null && _batch.MoveNext())
                    {
                        Current = owner.shaper(owner.queryContext, _batch.Current);
                        return true;
                    }

                    if (!_cursor.MoveNext())
                    {
                        Current = default!;
                        return false;
                    }

                    _batch = _cursor.Current.GetEnumerator();
                }
            }
            catch (Exception exception)
            {
                owner.queryContext.QueryLogger.QueryIterationFailed(owner.contextType, exception);
                throw;
            }
        }

        public void Dispose()
        {
            _batch?.Dispose();
            _documents?.Dispose();
            _cursor?.Dispose();
            _documents = null;
            _cursor = null;
        }

        public void Reset() => throw new NotSupportedException("Query results cannot be enumerated twice; run the query again.");
    }

    private sealed class AsyncEnumerator(QueryingEnumerable<TRow, T> owner, CancellationToken cancellationToken) : IAsyncEnumerator<T>
    {
        private readonly IConcurrencyDetector? _concurrencyDetector = owner.threadSafetyChecksEnabled
            ? owner.queryContext.ConcurrencyDetector : null;
        private IAsyncCursor<TRow>? _cursor;
        private IEnumerator<TRow>? _batch;
        private Queue<TRow>? _synthetic;

        public T Current { get; private set; } = default!;

        public async ValueTask<bool> MoveNextAsync()
        {
            try
            {
                // Honour cancellation on every item, not only when the next batch is fetched.
                cancellationToken.ThrowIfCancellationRequested();
                if (!owner.guardEachRow && _batch is not null && _batch.MoveNext())
                {
                    // A row of the batch in hand, shaped without tracking: no round trip and nothing of the context's
                    // state is touched, so EF Core's concurrency check (an AsyncLocal write, two allocations, per
                    // entry and exit) guards only the round trips and tracking queries' rows.
                    Current = owner.shaper(owner.queryContext, _batch.Current);
                    return true;
                }

                using var _ = _concurrencyDetector?.EnterCriticalSection();
                if (_cursor is null && _synthetic is null)
                {
                    _cursor =
                        await owner.queryContext.Client.ReadAsync(owner.Request(), owner.serializer,
                            cancellationToken).ConfigureAwait(false);
                    owner.queryContext.InitializeStateManager(owner.standAloneStateManager);
                    if (owner.query.ResultOperator != ResultOperator.None)
                    {
                        // A computed result is one small document: read it all, then shape it.
                        var documents = await _cursor.ToListAsync(cancellationToken).ConfigureAwait(false);
                        _synthetic = new Queue<TRow>(owner.Results(documents));
                    }
                }

                TRow? next;
                bool hasNext;
                if (_synthetic is not null)
                {
                    hasNext = _synthetic.TryDequeue(out next);
                }
                else
                {
                    (hasNext, next) = await NextFromCursorAsync().ConfigureAwait(false);
                }

                Current = hasNext ? owner.shaper(owner.queryContext, next!) : default!;
                return hasNext;
            }
            catch (Exception exception)
            {
                owner.queryContext.QueryLogger.QueryIterationFailed(owner.contextType, exception);
                throw;
            }
        }

        private async ValueTask<(bool, TRow?)> NextFromCursorAsync()
        {
            while (true)
            {
                if (_batch is not null && _batch.MoveNext())
                {
                    return (true, _batch.Current);
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!await _cursor!.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    return (false, default);
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
