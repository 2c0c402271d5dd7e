using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Connections;
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
    private static readonly ConnectionId Connection = ServerErrors.Connection;

    private static MongoCommandException Command(int code, params string[] labels) =>
        ServerErrors.Command(new BsonDocument("insert", "items"), code, labels);

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
    public static TheoryData<string, Exception, string> Cases()
    {
        var transient = nameof(TransientErrorKind.TransientTransaction);
        var unknown = nameof(TransientErrorKind.UnknownCommitResult);
        var retryable = nameof(TransientErrorKind.Retryable);
        var none = nameof(TransientErrorKind.None);
        var command = new BsonDocument("insert", "items");
        MongoConnectionException Reset() => new(Connection, "reset");
        return new()
        {
            { "NoSuchTransaction at commit", Command(251, "TransientTransactionError"), transient },
            { "WriteConflict in a transaction", Command(112, "TransientTransactionError"), transient },
            { "network error inside a transaction", Labelled(Reset(), "TransientTransactionError"), transient },
            { "commit: connection dropped", Labelled(Reset(), "UnknownTransactionCommitResult"), unknown },
            { "commit: stepped down", Command(189, "RetryableWriteError", "UnknownTransactionCommitResult"), unknown },
            { "commit: write concern timeout", Command(64, "UnknownTransactionCommitResult"), unknown },
            { "retryable write: shutdown", Command(91, "RetryableWriteError"), retryable },
            {
                "not primary without labels",
                new MongoNotPrimaryException(Connection, command, BsonDocument.Parse("{ ok: 0, code: 10107 }")),
                retryable
            },
            { "network error", Reset(), retryable },
            { "server selection timeout", new TimeoutException("A timeout occurred after 30000ms selecting a server"), retryable },
            { "state change code without labels", Command(11602), retryable },
            { "wrapped in DbUpdateException", new DbUpdateException("save failed", Command(251, "TransientTransactionError")), transient },
            { "duplicate key", Command(11000), none },
            { "duplicate key labelled transient by a server", Command(11000, "TransientTransactionError"), none },
            { "validation failure", Command(121), none },
            { "bad value", Command(2), none },
            { "concurrency conflict", new DbUpdateConcurrencyException("conflict"), none },
            { "not a MongoDB error", new InvalidOperationException("no"), none },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies_per_the_transactions_specification(string because, Exception exception, string kind)
    {
        var expected = Enum.Parse<TransientErrorKind>(kind);
        var actual = TransientErrors.Classify(exception);
        Assert.True(expected == actual, $"{because}: expected {expected}, got {actual}");

        // The strategy replays the unit for exactly these two; an unknown commit outcome is the commit's to resolve.
        var replayed = expected is TransientErrorKind.TransientTransaction or TransientErrorKind.Retryable;
        Assert.Equal(replayed, TransientErrors.IsTransient(exception));
    }

    [Fact]
    public void A_commit_is_retried_when_its_outcome_is_unknown_unless_it_ran_out_of_its_own_time()
    {
        var dropped = Labelled(new MongoConnectionException(Connection, "reset"), "UnknownTransactionCommitResult");
        Assert.True(TransientErrors.MayRetryCommit(dropped));
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
