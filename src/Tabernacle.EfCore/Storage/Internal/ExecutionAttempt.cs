namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// Which attempt of a unit the context is running, as <c>EnableRetryOnFailure</c>'s strategy sees it. The strategy lives in
/// Storage and only raises this flag; the update pipeline reads it (<c>SaveChangesOptions.Replaying</c>), so Storage never
/// reaches up into Update.
/// </summary>
internal sealed class ExecutionAttempt
{
    /// <summary>
    /// <see langword="true"/> while the strategy replays a unit whose previous attempt failed with a transient error: that
    /// attempt's writes may have landed (the server applied them, the answer was lost). Cleared when a new unit starts.
    /// </summary>
    public bool IsRetry { get; set; }
}
