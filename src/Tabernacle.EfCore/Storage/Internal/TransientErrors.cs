using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>What a failure means for the unit of work that met it, after the driver's own retry (if any) failed too.</summary>
internal enum TransientErrorKind
{
    /// <summary>Not transient (a duplicate key, a failed validation, a concurrency conflict, bad credentials): no replay.</summary>
    None,

    /// <summary>
    /// <c>TransientTransactionError</c>: the transaction was aborted, or never got going, so none of it is stored; the whole
    /// unit (from <c>BeginTransaction</c> on) can be run again.
    /// </summary>
    TransientTransaction,

    /// <summary>
    /// <c>RetryableWriteError</c>, a network error or a state change (a step-down) outside a commit: the write may or may
    /// not have landed; a replay of the unit checks for its own writes (TabernacleDatabase) before writing again.
    /// </summary>
    Retryable,

    /// <summary>
    /// <c>UnknownTransactionCommitResult</c>: the commit may have happened. Only the commit may be retried (same session,
    /// same <c>txnNumber</c>: the server answers a committed transaction's retry with ok); running the unit again as a new
    /// transaction could store it twice. <see cref="TransactionCommit"/> retries it until the outcome is known.
    /// </summary>
    UnknownCommitResult,
}

/// <summary>
/// Which MongoDB errors are worth replaying a unit of work for, as the transactions and retryable-writes specifications
/// label them. Labels decide first; error codes and exception types cover servers and paths that add none.
/// </summary>
internal static class TransientErrors
{
    public const string TransientTransactionErrorLabel = "TransientTransactionError";
    public const string UnknownTransactionCommitResultLabel = "UnknownTransactionCommitResult";
    public const string RetryableWriteErrorLabel = "RetryableWriteError";

    // State-change and network error codes from the retryable writes and SDAM specifications.
    private static readonly HashSet<int> Codes =
    [
        ServerErrorCodes.HostUnreachable, ServerErrorCodes.HostNotFound, ServerErrorCodes.NetworkTimeout,
        ServerErrorCodes.ShutdownInProgress, ServerErrorCodes.PrimarySteppedDown, ServerErrorCodes.ExceededTimeLimit,
        ServerErrorCodes.SocketException, ServerErrorCodes.NotWritablePrimary, ServerErrorCodes.InterruptedAtShutdown,
        ServerErrorCodes.InterruptedDueToReplStateChange, ServerErrorCodes.NotPrimaryNoSecondaryOk,
        ServerErrorCodes.NotPrimaryOrSecondary, ServerErrorCodes.WriteConflict, ServerErrorCodes.NoSuchTransaction,
    ];

    // Errors the same unit would meet again: a replay cannot help, whatever label a server attaches (mongod never labels
    // them; a server that does would only have the unit fail again, retries later). the duplicate-key codes,
    // DocumentValidationFailure.
    private static readonly HashSet<int> Permanent =
    [
        ServerErrorCodes.DuplicateKey, ServerErrorCodes.DuplicateKeyOnUpdate, ServerErrorCodes.DuplicateKeyValue,
        ServerErrorCodes.DocumentValidationFailure,
    ];

    /// <summary>MaxTimeMSExpired: a commit that ran out of its maxCommitTimeMS is not retried (the transactions specification).</summary>
    public const int MaxTimeMSExpired = ServerErrorCodes.MaxTimeMSExpired;

    /// <summary>Whether <c>EnableRetryOnFailure</c>'s strategy replays the unit that failed with <paramref name="exception"/>.</summary>
    public static bool IsTransient(Exception? exception) =>
        Classify(exception) is TransientErrorKind.TransientTransaction or TransientErrorKind.Retryable;

    public static TransientErrorKind Classify(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // The server answered the authentication (AuthenticationFailed, say): retrying cannot fix credentials. The driver's
                // MongoAuthenticationException is a MongoConnectionException, so it must be ruled out before that case below.
                // One without a server answer inside (the network failed mid-handshake) falls through to the inner exception.
                case MongoAuthenticationException { InnerException: MongoCommandException }:
                    return TransientErrorKind.None;
                case MongoAuthenticationException:
                    continue;
                case DbUpdateConcurrencyException:
                    return TransientErrorKind.None;
                case MongoException mongo when IsPermanent(mongo):
                    return TransientErrorKind.None;

                // The commit's outcome first: the driver adds UnknownTransactionCommitResult to network errors and state changes
                // at commit, which would otherwise read as an ordinary retryable failure below.
                case MongoException mongo when mongo.HasErrorLabel(UnknownTransactionCommitResultLabel):
                    return TransientErrorKind.UnknownCommitResult;
                case MongoException mongo when mongo.HasErrorLabel(TransientTransactionErrorLabel):
                    return TransientErrorKind.TransientTransaction;
                case MongoException mongo when mongo.HasErrorLabel(RetryableWriteErrorLabel):
                    return TransientErrorKind.Retryable;
                case MongoConnectionException or MongoConnectionPoolPausedException:
                case MongoNotPrimaryException or MongoNodeIsRecoveringException:
                    return TransientErrorKind.Retryable;
                case TimeoutException when e.Message.Contains("selecting a server", StringComparison.OrdinalIgnoreCase):
                    return TransientErrorKind.Retryable;
                case MongoCommandException command when Codes.Contains(command.Code):
                    return TransientErrorKind.Retryable;
                case MongoWriteConcernException concern when WriteConcernErrorCode(concern) is { } code && Codes.Contains(code):
                    return TransientErrorKind.Retryable;
                case MongoBulkWriteException bulk when bulk.WriteConcernError is { } wce && Codes.Contains(wce.Code):
                    return TransientErrorKind.Retryable;
            }
        }

        return TransientErrorKind.None;
    }

    /// <summary>Whether a failed commit may be sent again: its outcome is unknown and it did not run out of its own time limit.</summary>
    public static bool MayRetryCommit(MongoException exception) =>
        exception.HasErrorLabel(UnknownTransactionCommitResultLabel) && !IsMaxTimeMSExpired(exception);

    private static bool IsMaxTimeMSExpired(MongoException exception) =>
        exception is MongoExecutionTimeoutException
        || (exception is MongoCommandException command && command.Code == MaxTimeMSExpired)
        || (exception is MongoWriteConcernException concern && WriteConcernErrorCode(concern) == MaxTimeMSExpired);

    private static bool IsPermanent(MongoException exception) => exception switch
    {
        MongoWriteException write => write.WriteError is { } error && Permanent.Contains(error.Code),
        MongoBulkWriteException bulk => bulk.WriteErrors.Count > 0 && bulk.WriteErrors.All(w => Permanent.Contains(w.Code)),
        MongoCommandException command => Permanent.Contains(command.Code),
        _ => false,
    };

    private static int? WriteConcernErrorCode(MongoWriteConcernException concern) =>
        concern.WriteConcernResult?.Response?.GetValue("writeConcernError", null)?.AsBsonDocument?.GetValue("code", 0).ToInt32();
}
