using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary><c>Database.BeginTransaction()</c>: a MongoDB multi-document transaction on the context's session.</summary>
internal sealed class TabernacleTransactionManager(TabernacleClientWrapper client) : IDbContextTransactionManager
{
    public IDbContextTransaction? CurrentTransaction { get; private set; }

    public IDbContextTransaction BeginTransaction() => BeginTransaction(null);

    public Task<IDbContextTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(BeginTransaction(null));

    /// <summary>Starts a transaction with MongoDB <paramref name="options"/> (read/write concern, read preference, max commit
    /// time).</summary>
    public IDbContextTransaction BeginTransaction(TransactionOptions? options)
    {
        if (CurrentTransaction is not null)
        {
            throw new InvalidOperationException(
                "The context already has a transaction in progress; commit or roll it back before starting another. MongoDB does not " +
                    "nest transactions.");
        }

        if (options?.ReadPreference is { ReadPreferenceMode: not ReadPreferenceMode.Primary } readPreference)
        {
            throw new InvalidOperationException(
                $"A transaction must read from the primary, but its options ask for '{readPreference.ReadPreferenceMode}'. MongoDB runs " +
                    $"every operation of a transaction on the primary.");
        }

        if (options?.WriteConcern is { IsAcknowledged: false })
        {
            throw new InvalidOperationException(
                "A transaction cannot use an unacknowledged write concern (w:0): its writes are acknowledged when it commits.");
        }

        var session = client.SessionForTransaction();
        session.StartTransaction(options ?? new TransactionOptions(writeConcern: client.EffectiveWriteConcern(null)));
        var transaction = new TabernacleTransaction(session, this);
        CurrentTransaction = transaction;
        return transaction;
    }

    public void CommitTransaction() => (CurrentTransaction ?? throw NoTransaction()).Commit();

    public Task CommitTransactionAsync(CancellationToken cancellationToken = default) =>
        (CurrentTransaction ?? throw NoTransaction()).CommitAsync(cancellationToken);

    public void RollbackTransaction() => (CurrentTransaction ?? throw NoTransaction()).Rollback();

    public Task RollbackTransactionAsync(CancellationToken cancellationToken = default) =>
        (CurrentTransaction ?? throw NoTransaction()).RollbackAsync(cancellationToken);

    internal void Ended(TabernacleTransaction transaction)
    {
        if (CurrentTransaction == transaction)
        {
            CurrentTransaction = null;
        }
    }

    public void ResetState()
    {
        CurrentTransaction?.Dispose();
        CurrentTransaction = null;
    }

    public async Task ResetStateAsync(CancellationToken cancellationToken = default)
    {
        if (CurrentTransaction is not null)
        {
            await CurrentTransaction.DisposeAsync().ConfigureAwait(false);
        }

        CurrentTransaction = null;
    }

    private static InvalidOperationException NoTransaction() => new("No transaction is in progress; call BeginTransaction first.");
}

/// <summary>A MongoDB transaction seen through EF Core's <see cref="IDbContextTransaction"/>.</summary>
internal sealed class TabernacleTransaction(IClientSessionHandle session, TabernacleTransactionManager manager) : IDbContextTransaction
{
    private bool _completed;

    public Guid TransactionId { get; } = Guid.NewGuid();

    // Retries a commit whose outcome is unknown until the server says which it was (TransactionCommit): a retrying strategy
    // must not replay a unit whose commit may have landed.
    public void Commit()
    {
        Complete();
        TransactionCommit.Commit(session);
    }

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        Complete();
        await TransactionCommit.CommitAsync(session, cancellationToken).ConfigureAwait(false);
    }

    public void Rollback()
    {
        Complete();
        session.AbortTransaction();
    }

    public async Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        Complete();
        await session.AbortTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Complete()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The transaction has already been committed or rolled back.");
        }

        _completed = true;
        manager.Ended(this);
    }

    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            manager.Ended(this);
            if (session.IsInTransaction)
            {
                try
                {
                    session.AbortTransaction();
                }
                catch (MongoException)
                {
                    // Already aborted by the server (step-down, expiry): nothing to undo.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _completed = true;
            manager.Ended(this);
            if (session.IsInTransaction)
            {
                try
                {
                    await session.AbortTransactionAsync().ConfigureAwait(false);
                }
                catch (MongoException)
                {
                    // Already aborted by the server: nothing to undo.
                }
            }
        }
    }
}
