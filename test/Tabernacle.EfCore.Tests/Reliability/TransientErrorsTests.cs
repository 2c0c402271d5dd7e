using System.Net;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Tests.Reliability;

/// <summary>
/// What <c>EnableRetryOnFailure</c> does with each kind of failure, per the transactions and retryable-writes
/// specifications: TransientTransactionError replays the whole unit; UnknownTransactionCommitResult retries the commit only
/// (the provider's commit does, until the outcome is known) and never replays the unit, which could store it twice;
/// RetryableWriteError, network errors and step-downs replay; duplicate keys and validation failures never do.
/// </summary>
public sealed class TransientErrorsTests
{
    private static readonly ConnectionId Connection = new(new ServerId(new ClusterId(), new DnsEndPoint("localhost", 27017)));

    private static MongoCommandException Command(int code, params string[] labels)
    {
        var result = new BsonDocument { { "ok", 0 }, { "code", code }, { "errmsg", "failed" } };
        if (labels.Length > 0)
        {
            result["errorLabels"] = new BsonArray(labels);
        }

        return new MongoCommandException(Connection, "failed", new BsonDocument("insert", "items"), result);
    }

    private static T Labelled<T>(T exception, params string[] labels)
        where T : MongoException
    {
        foreach (var label in labels)
        {
            exception.AddErrorLabel(label);
        }

        return exception;
    }

    // The kind travels by name: the enum is internal to the provider, and xUnit's theory methods are public.
    public static TheoryData<string, Exception, string> Cases() => new()
    {
        { "NoSuchTransaction at commit", Command(251, "TransientTransactionError"), nameof(TransientErrorKind.TransientTransaction) },
        { "WriteConflict in a transaction", Command(112, "TransientTransactionError"), nameof(TransientErrorKind.TransientTransaction) },
        { "network error inside a transaction", Labelled(new MongoConnectionException(Connection, "reset"), "TransientTransactionError"), nameof(TransientErrorKind.TransientTransaction) },
        { "commit: connection dropped", Labelled(new MongoConnectionException(Connection, "reset"), "UnknownTransactionCommitResult"), nameof(TransientErrorKind.UnknownCommitResult) },
        { "commit: stepped down", Command(189, "RetryableWriteError", "UnknownTransactionCommitResult"), nameof(TransientErrorKind.UnknownCommitResult) },
        { "commit: write concern timeout", Command(64, "UnknownTransactionCommitResult"), nameof(TransientErrorKind.UnknownCommitResult) },
        { "retryable write: shutdown", Command(91, "RetryableWriteError"), nameof(TransientErrorKind.Retryable) },
        { "not primary without labels", new MongoNotPrimaryException(Connection, new BsonDocument("insert", "items"), new BsonDocument { { "ok", 0 }, { "code", 10107 } }), nameof(TransientErrorKind.Retryable) },
        { "network error", new MongoConnectionException(Connection, "reset"), nameof(TransientErrorKind.Retryable) },
        { "server selection timeout", new TimeoutException("A timeout occurred after 30000ms selecting a server"), nameof(TransientErrorKind.Retryable) },
        { "state change code without labels", Command(11602), nameof(TransientErrorKind.Retryable) },
        { "wrapped in DbUpdateException", new DbUpdateException("save failed", Command(251, "TransientTransactionError")), nameof(TransientErrorKind.TransientTransaction) },
        { "duplicate key", Command(11000), nameof(TransientErrorKind.None) },
        { "duplicate key labelled transient by a server", Command(11000, "TransientTransactionError"), nameof(TransientErrorKind.None) },
        { "validation failure", Command(121), nameof(TransientErrorKind.None) },
        { "bad value", Command(2), nameof(TransientErrorKind.None) },
        { "concurrency conflict", new DbUpdateConcurrencyException("conflict"), nameof(TransientErrorKind.None) },
        { "not a MongoDB error", new InvalidOperationException("no"), nameof(TransientErrorKind.None) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies_per_the_transactions_specification(string because, Exception exception, string kind)
    {
        var expected = Enum.Parse<TransientErrorKind>(kind);
        Assert.True(expected == TransientErrors.Classify(exception), $"{because}: expected {expected}, got {TransientErrors.Classify(exception)}");

        // The strategy replays the unit for exactly these two; an unknown commit outcome is the commit's to resolve.
        Assert.Equal(expected is TransientErrorKind.TransientTransaction or TransientErrorKind.Retryable, TransientErrors.IsTransient(exception));
    }

    [Fact]
    public void A_commit_is_retried_when_its_outcome_is_unknown_unless_it_ran_out_of_its_own_time()
    {
        Assert.True(TransientErrors.MayRetryCommit(Labelled(new MongoConnectionException(Connection, "reset"), "UnknownTransactionCommitResult")));
        Assert.True(TransientErrors.MayRetryCommit(Command(189, "RetryableWriteError", "UnknownTransactionCommitResult")));
        Assert.False(TransientErrors.MayRetryCommit(Command(50, "UnknownTransactionCommitResult")));
        Assert.False(TransientErrors.MayRetryCommit(Command(251, "TransientTransactionError")));
        Assert.False(TransientErrors.MayRetryCommit(Command(11000)));
    }

    [Fact]
    public void Authentication_refused_by_the_server_is_not_retried()
    {
        var refused = new MongoAuthenticationException(Connection, "auth failed", Command(18));
        Assert.Equal(TransientErrorKind.None, TransientErrors.Classify(refused));
    }
}
