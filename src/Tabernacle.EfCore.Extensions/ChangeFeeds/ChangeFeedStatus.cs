using System.Collections.Concurrent;

namespace Tabernacle.EfCore.Extensions;

/// <summary>Where a change-feed service is in its life.</summary>
public enum ChangeFeedState
{
    /// <summary>Registered, not yet reading.</summary>
    Starting,

    /// <summary>Reading changes.</summary>
    Running,

    /// <summary>Failed; retrying after a delay unless the feed cannot go on (its history is lost).</summary>
    Faulted,

    /// <summary>Stopped with the host, or for good after an error it cannot recover from.</summary>
    Stopped,
}

/// <summary>A snapshot of one change-feed service: its state, its last handled change and its last error.</summary>
/// <param name="Name">The feed's name.</param>
/// <param name="State">Its state.</param>
/// <param name="LastChangeAt">When the last handled change was committed (server wall time), or <c>null</c> before the first.</param>
/// <param name="LastHandledAt">When the feed finished handling it.</param>
/// <param name="HandledChanges">How many changes the service handled since it started.</param>
/// <param name="LastError">The type and message of the last error, or <c>null</c>.</param>
public sealed record ChangeFeedStatus(
    string Name, ChangeFeedState State, DateTime? LastChangeAt, DateTime? LastHandledAt, long HandledChanges, string? LastError)
{
    /// <summary>How far behind the commit of its last change the feed handled it: the lag it shows under load.</summary>
    public TimeSpan? Lag => LastChangeAt is { } committed && LastHandledAt is { } handled ? handled - committed : null;
}

/// <summary>The status of every change-feed service of the application; the change-feed health check reads it.</summary>
public sealed class ChangeFeedStatusRegistry
{
    private readonly ConcurrentDictionary<string, ChangeFeedStatus> _feeds = new(StringComparer.Ordinal);

    /// <summary>Every feed's latest status.</summary>
    public IReadOnlyList<ChangeFeedStatus> Feeds => _feeds.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();

    /// <summary>Records <paramref name="status"/> as its feed's latest.</summary>
    /// <param name="status">The new status.</param>
    public void Report(ChangeFeedStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _feeds[status.Name] = status;
    }
}
