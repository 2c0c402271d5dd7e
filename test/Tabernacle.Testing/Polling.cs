namespace Tabernacle.Testing;

/// <summary>
/// The one way the test suites wait for something that happens in the background (replication, an election, a TTL
/// pass): check a condition until it holds, and fail with what was expected once the time is up. The interval is only
/// how often to look; the outcome never depends on it.
/// </summary>
public static class Polling
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Completes once <paramref name="condition"/> returns <see langword="true"/>; throws a <see cref="TimeoutException"/>
    /// naming <paramref name="because"/> when it has not within <paramref name="timeout"/> (15 s by default).
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {limit}: {because ?? "(no description)"}");
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="WaitUntilAsync(Func{Task{bool}}, TimeSpan?, string?)"/>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return WaitUntilAsync(() => Task.FromResult(condition()), timeout, because);
    }
}
