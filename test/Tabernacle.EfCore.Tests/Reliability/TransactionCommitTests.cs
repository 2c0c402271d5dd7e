using System.Reflection;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Connections;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Tests.Reliability;

/// <summary>
/// The provider's commit (<see cref="TransactionCommit"/>) against scripted answers: it sends the commit again while the
/// outcome is unknown, stops at the first answer that says what happened, and never lets an unknown outcome reach the
/// retrying strategy as something it would replay.
/// </summary>
public sealed class TransactionCommitTests
{
    private static readonly ConnectionId Connection = ServerErrors.Connection;

    private static MongoCommandException Failure(int code, params string[] labels) =>
        ServerErrors.Command(new BsonDocument("commitTransaction", 1), code, labels);

    private static MongoConnectionException Dropped()
    {
        var exception = new MongoConnectionException(Connection, "connection reset");
        exception.AddErrorLabel("UnknownTransactionCommitResult");
        return exception;
    }

    [Fact]
    public async Task Retries_an_unknown_commit_until_it_succeeds()
    {
        var session = ScriptedSession.Create(Dropped(), Failure(189, "RetryableWriteError", "UnknownTransactionCommitResult"), null);
        await TransactionCommit.CommitAsync(session, CancellationToken.None);
        Assert.Equal(3, ScriptedSession.Calls(session));
    }

    [Fact]
    public async Task Stops_at_NoSuchTransaction_which_makes_a_replay_of_the_unit_safe()
    {
        var session = ScriptedSession.Create(Dropped(), Failure(251, "TransientTransactionError"));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => TransactionCommit.CommitAsync(session, CancellationToken.None));
        Assert.Equal(2, ScriptedSession.Calls(session));
        Assert.Equal(TransientErrorKind.TransientTransaction, TransientErrors.Classify(error));
    }

    [Fact]
    public async Task A_server_selection_timeout_after_an_unknown_attempt_is_asked_again()
    {
        var session = ScriptedSession.Create(Dropped(), new TimeoutException("A timeout occurred after 30000ms selecting a server"), null);
        await TransactionCommit.CommitAsync(session, CancellationToken.None);
        Assert.Equal(3, ScriptedSession.Calls(session));
    }

    [Fact]
    public async Task A_refusal_after_an_unknown_attempt_leaves_the_outcome_unknown_and_not_replayable()
    {
        var session = ScriptedSession.Create(Dropped(), Failure(8000));
        var error = await Assert.ThrowsAsync<MongoClientException>(() => TransactionCommit.CommitAsync(session, CancellationToken.None));
        Assert.True(error.HasErrorLabel("UnknownTransactionCommitResult"));
        Assert.False(TransientErrors.IsTransient(error));
    }

    [Fact]
    public async Task A_commit_out_of_its_own_time_is_not_retried()
    {
        var session = ScriptedSession.Create(Failure(50, "UnknownTransactionCommitResult"));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => TransactionCommit.CommitAsync(session, CancellationToken.None));
        Assert.Equal(1, ScriptedSession.Calls(session));
        Assert.False(TransientErrors.IsTransient(error));
    }

    [Fact]
    public void The_synchronous_commit_follows_the_same_rules()
    {
        var session = ScriptedSession.Create(Dropped(), null);
        TransactionCommit.Commit(session);
        Assert.Equal(2, ScriptedSession.Calls(session));

        var refused = ScriptedSession.Create(Failure(251, "TransientTransactionError"));
        Assert.Throws<MongoCommandException>(() => TransactionCommit.Commit(refused));
        Assert.Equal(1, ScriptedSession.Calls(refused));
    }

    /// <summary>A session whose commits answer from a script: an exception to throw, or null for success.</summary>
    public class ScriptedSession : DispatchProxy
    {
        private readonly Queue<Exception?> _answers = new();

        public int CommitCalls { get; private set; }

        public static IClientSessionHandle Create(params Exception?[] answers)
        {
            var session = Create<IClientSessionHandle, ScriptedSession>();
            var script = (ScriptedSession)(object)session;
            foreach (var answer in answers)
            {
                script._answers.Enqueue(answer);
            }

            return session;
        }

        public static int Calls(IClientSessionHandle session) => ((ScriptedSession)(object)session).CommitCalls;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case nameof(IClientSessionHandle.CommitTransactionAsync):
                    CommitCalls++;
                    return _answers.Dequeue() is { } failure ? Task.FromException(failure) : Task.CompletedTask;
                case nameof(IClientSessionHandle.CommitTransaction):
                    CommitCalls++;
                    return _answers.Dequeue() is { } thrown ? throw thrown : null;
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }
}
