using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// The transaction a save runs in: the application's own, or one the save starts when it writes more than one document
/// (EF Core's <c>AutoTransactionBehavior</c>) on a deployment that has transactions.
/// </summary>
internal sealed class SaveTransactions(TabernacleClientWrapper client, ICurrentDbContext currentContext, SaveChangesOptions saveOptions)
{
    public IClientSessionHandle? BeginTransactionIfNeeded(List<SaveOperation> plan, WriteConcern writeConcern)
    {
        var context = currentContext.Context;
        if (client.TransactionSession is not null)
        {
            // The transaction's own write concern applies at commit; only a w:0 that the save or an entity type asks for
            // explicitly is a contradiction (a context default of w:0 is simply not used inside the transaction).
            if (!writeConcern.IsAcknowledged && saveOptions.ExplicitlyUnacknowledged(plan))
            {
                throw new InvalidOperationException(
                    "An unacknowledged write concern (w:0) cannot be used inside a transaction: a transaction's writes are acknowledged " +
                        "when it commits. Remove the w:0 write concern or the transaction.");
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

    public static void AbortQuietly(IClientSessionHandle? session)
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

    public static async Task AbortQuietlyAsync(IClientSessionHandle? session)
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
}
