using MongoDB.Driver;

namespace Tabernacle.Chaos;

/// <summary>
/// Turns what the driver threw into ok / fail / unknown. Only errors that prove the write did not happen are
/// <see cref="Outcome.Fail"/>; everything else is <see cref="Outcome.Unknown"/>, as Jepsen records a crashed
/// operation as <c>:info</c>. Being conservative here keeps the checker sound: a wrong "fail" would be a false alarm,
/// a wrong "unknown" only a check not made.
/// </summary>
internal static class Outcomes
{
    /// <summary>Codes a primary answers before it executes anything: NotWritablePrimary, NotPrimaryNoSecondaryOk.</summary>
    private static readonly HashSet<int> RefusedBeforeExecution = [10107, 13435];

    /// <summary>A single write sent by a client without retryable writes, so the error is the only attempt's.</summary>
    public static (Outcome Outcome, string Error) OfSingleWrite(Exception exception) => exception switch
    {
        MongoWriteException { WriteConcernError: not null } e => (Outcome.Unknown, $"writeConcernError {e.WriteConcernError.Code}"),
        MongoWriteException { WriteError: not null } e => (Outcome.Fail, $"writeError {e.WriteError.Code}"),
        MongoWriteConcernException e => (Outcome.Unknown, $"writeConcernError {e.Code}"),
        MongoCommandException e when RefusedBeforeExecution.Contains(e.Code) => (Outcome.Fail, $"{e.CodeName} {e.Code}"),
        _ => Common(exception),
    };

    /// <summary>
    /// A retryable write: after a network error the driver retries once and throws the retry's error, so a refusal
    /// does not prove the first attempt did nothing, unless the server labelled it <c>NoWritesPerformed</c>.
    /// </summary>
    public static (Outcome Outcome, string Error) OfRetryableWrite(Exception exception) => exception switch
    {
        MongoException e when e.HasErrorLabel("NoWritesPerformed") => (Outcome.Fail, Describe(e)),
        MongoWriteException { WriteConcernError: not null } e => (Outcome.Unknown, $"writeConcernError {e.WriteConcernError.Code}"),
        _ => Common(exception),
    };

    /// <summary>
    /// An error from <c>commitTransaction</c>: <c>TransientTransactionError</c> means the transaction was aborted,
    /// <c>UnknownTransactionCommitResult</c> (or anything unlabelled) that it may have committed.
    /// </summary>
    public static (Outcome Outcome, string Error) OfCommit(Exception exception) => exception switch
    {
        MongoException e when e.HasErrorLabel("TransientTransactionError") => (Outcome.Fail, "commit: " + Describe(e)),
        _ => (Outcome.Unknown, "commit: " + Common(exception).Error),
    };

    /// <summary>Server selection timed out: nothing was sent.</summary>
    private static (Outcome Outcome, string Error) Common(Exception exception) => exception switch
    {
        TimeoutException e when e.Message.Contains("selecting a server", StringComparison.Ordinal) => (Outcome.Fail, "no server selected"),
        OperationCanceledException => (Outcome.Unknown, "client timeout"),
        MongoException e => (Outcome.Unknown, Describe(e)),
        _ => (Outcome.Unknown, exception.GetType().Name),
    };

    public static string Describe(Exception exception) => exception switch
    {
        MongoCommandException e when !string.IsNullOrEmpty(e.CodeName) => $"{e.CodeName} {e.Code}{Labels(e)}",
        MongoCommandException e => $"{e.GetType().Name} {e.Code}{Labels(e)}: {Short(e.Message)}",
        MongoWriteException e => $"{e.WriteError?.Category} {e.WriteError?.Code}{e.WriteConcernError?.Code}{Labels(e)}",
        MongoException e => $"{e.GetType().Name}{Labels(e)}",
        _ => exception.GetType().Name,
    };

    private static string Short(string message) => message.Length <= 80 ? message : message[..80] + "...";

    private static string Labels(MongoException e) => e.ErrorLabels.Count == 0 ? "" : $" [{string.Join(",", e.ErrorLabels)}]";
}
