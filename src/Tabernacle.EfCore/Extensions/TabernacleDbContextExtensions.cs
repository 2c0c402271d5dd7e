using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;
using Tabernacle.EfCore.Update.Internal;

namespace Tabernacle.EfCore;

/// <summary>Saves with a chosen write concern, transactions with MongoDB options, and the context's session times.</summary>
public static class TabernacleDbContextExtensions
{
    /// <summary>Saves all changes with <paramref name="writeConcern"/> (w:0, w:1, w:majority...), which wins over the entity and context
    /// defaults.</summary>
    /// <exception cref="InvalidOperationException">An unacknowledged write concern is combined with a transaction, concurrency tokens or
    /// values the server must return.</exception>
    public static async Task<int> SaveChangesAsync(this DbContext context, WriteConcern writeConcern,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(writeConcern);
        var options = context.GetService<SaveChangesOptions>();
        options.Requested = writeConcern;
        try
        {
            return await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            options.Requested = null;
        }
    }

    /// <summary>Saves all changes with <paramref name="writeConcern"/>, which wins over the entity and context defaults.</summary>
    public static int SaveChanges(this DbContext context, WriteConcern writeConcern)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(writeConcern);
        var options = context.GetService<SaveChangesOptions>();
        options.Requested = writeConcern;
        try
        {
            return context.SaveChanges();
        }
        finally
        {
            options.Requested = null;
        }
    }

    /// <summary>Starts a MongoDB transaction with <paramref name="options"/> (read and write concern, max commit time; read preference must
    /// be primary).</summary>
    public static IDbContextTransaction BeginTransaction(this DatabaseFacade database, TransactionOptions options)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        return Manager(database).BeginTransaction(options);
    }

    /// <summary>Starts a MongoDB transaction with <paramref name="options"/>.</summary>
    public static Task<IDbContextTransaction> BeginTransactionAsync(this DatabaseFacade database, TransactionOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Manager(database).BeginTransaction(options));
    }

    private static TabernacleTransactionManager Manager(DatabaseFacade database) =>
        ((IInfrastructure<IServiceProvider>)database).Instance.GetService(
            typeof(IDbContextTransactionManager)) as TabernacleTransactionManager
        ?? throw new InvalidOperationException("This context does not use Tabernacle; call UseTabernacle when configuring it.");

    private static TabernacleClientWrapper Client(DatabaseFacade database) =>
        ((IInfrastructure<IServiceProvider>)database).Instance.GetService(typeof(TabernacleClientWrapper)) as TabernacleClientWrapper
        ?? throw new InvalidOperationException("This context does not use Tabernacle; call UseTabernacle when configuring it.");

    /// <summary>
    /// The cluster time the context's causally consistent session has seen (<c>null</c> before its first operation,
    /// or when causal consistency is off). Carry it to another context to let it read this one's writes.
    /// </summary>
    public static BsonDocument? GetClusterTime(this DatabaseFacade database) => Client(database).Session?.ClusterTime;

    /// <summary>Advances the session's cluster time to one seen elsewhere (never backwards).</summary>
    public static void AdvanceClusterTime(this DatabaseFacade database, BsonDocument clusterTime)
    {
        ArgumentNullException.ThrowIfNull(clusterTime);
        Client(database).Session?.AdvanceClusterTime(clusterTime);
    }

    /// <summary>The operation time of the session's last operation: reads after it see at least that much.</summary>
    public static BsonTimestamp? GetOperationTime(this DatabaseFacade database) => Client(database).Session?.OperationTime;

    /// <summary>Advances the session's operation time, so the next read waits for a member that has applied at least that write.</summary>
    public static void AdvanceOperationTime(this DatabaseFacade database, BsonTimestamp operationTime)
    {
        ArgumentNullException.ThrowIfNull(operationTime);
        Client(database).Session?.AdvanceOperationTime(operationTime);
    }
}
