using MongoDB.Bson;
using static Tabernacle.MongoEmulator.Errors.ErrorCodes;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>
/// The <c>errorLabels</c> of a reply, computed as mongod 7.0 does (src/mongo/db/error_labels.cpp): from the top-level
/// error code, the write concern error's code and the command's session fields only. Statement errors in
/// <c>writeErrors</c> never get labels, and the server never adds <c>UnknownTransactionCommitResult</c> (drivers do).
/// </summary>
internal static class ErrorLabels
{
    public const string TransientTransactionError = "TransientTransactionError";
    public const string RetryableWriteError = "RetryableWriteError";
    public const string NoWritesPerformed = "NoWritesPerformed";

    // ConnectionPoolExpired and ConnectionError: internal-only codes of the category, listed so an injected one is labelled alike.
    private const int ConnectionPoolExpired = 317;
    private const int ConnectionError = 384;

    // error_codes.yml, category RetriableError, as of 7.0.
    private static readonly HashSet<int> Retriable =
    [
        HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, ReadConcernMajorityNotAvailableYet, PrimarySteppedDown,
        ExceededTimeLimit, ConnectionPoolExpired, InternalTransactionNotSupported, ConnectionError, SocketException,
        NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary,
        BackupCursorOpenConflictWithCheckpoint,
    ];

    // error_labels.cpp isTransientTransactionError: always transient, whatever the command (WriteConflict, LockTimeout,
    // PreparedTransactionInProgress, ShardCannotRefreshDueToLocksHeld, StaleDbVersion), plus the SnapshotError category
    // (SnapshotTooOld, SnapshotUnavailable, StaleChunkHistory, MigrationConflict) and NeedRetargettingError (StaleEpoch,
    // StaleConfig).
    private static readonly HashSet<int> AlwaysTransient =
    [
        WriteConflict, LockTimeout, PreparedTransactionInProgress, ShardCannotRefreshDueToLocksHeld, StaleDbVersion,
        SnapshotTooOld, SnapshotUnavailable, StaleChunkHistory, MigrationConflict, StaleEpoch, StaleConfig,
    ];

    /// <summary>Whether <paramref name="code"/> is in error_codes.yml's RetriableError category.</summary>
    public static bool IsRetriable(int code) => Retriable.Contains(code);

    /// <summary>
    /// The labels for a reply with top-level error <paramref name="code"/> (<c>null</c> when ok) and write concern error
    /// <paramref name="writeConcernCode"/> (<c>null</c> without one). <paramref name="noWritesPerformed"/> says that the
    /// client's last optime did not move while the command ran (mongod's lastOpBeforeRun == lastOpAfterRun, both known).
    /// </summary>
    public static List<string> Compute(SessionInfo? session, string commandName, int? code, int? writeConcernCode, bool noWritesPerformed)
    {
        var labels = new List<string>();
        if (code is null && writeConcernCode is null)
        {
            return labels;
        }

        var commitOrAbort = commandName is "commitTransaction" or "abortTransaction";
        if (IsTransientTransactionError(session, code, writeConcernCode is not null, commitOrAbort))
        {
            // Only the transient label when both apply: the client must retry the whole transaction.
            labels.Add(TransientTransactionError);
            return labels;
        }

        if (IsRetryableWriteError(session, code, writeConcernCode, commitOrAbort))
        {
            labels.Add(RetryableWriteError);
            if (noWritesPerformed)
            {
                labels.Add(NoWritesPerformed);
            }
        }

        return labels;
    }

    /// <summary>Sets (or, when empty, leaves out) the reply's <c>errorLabels</c>.</summary>
    public static void Apply(BsonDocument reply, BsonArray labels)
    {
        reply.Remove("errorLabels");
        if (labels.Count > 0)
        {
            reply["errorLabels"] = new BsonArray(labels);
        }
    }

    // The label needs txnNumber and autocommit (always false when present) on the command.
    private static bool IsTransientTransactionError(SessionInfo? session, int? code, bool hasWriteConcernError, bool commitOrAbort)
    {
        if (code is not { } error || session is not { TxnNumber: not null, Autocommit: not null })
        {
            return false;
        }

        if (error == InternalTransactionNotSupported)
        {
            return false;
        }

        if (AlwaysTransient.Contains(error))
        {
            return true;
        }

        // At commit or abort, NoSuchTransaction is safe to retry as a whole only when nothing can be rolled back,
        // which a write concern error leaves unknown.
        return commitOrAbort
            ? error == NoSuchTransaction && !hasWriteConcernError
            : IsRetriable(error) || error == NoSuchTransaction;
    }

    // Retryable writes (txnNumber without autocommit) and the commit or abort of a transaction.
    private static bool IsRetryableWriteError(SessionInfo? session, int? code, int? writeConcernCode, bool commitOrAbort)
    {
        if (session?.TxnNumber is null)
        {
            return false;
        }

        var retryableWrite = session.Autocommit is null;
        if (!retryableWrite && !commitOrAbort)
        {
            return false;
        }

        return (code is { } error && IsRetriable(error)) || (writeConcernCode is { } wce && IsRetriable(wce));
    }
}
