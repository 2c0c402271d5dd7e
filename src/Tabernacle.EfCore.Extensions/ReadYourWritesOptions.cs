namespace Tabernacle.EfCore.Extensions;

/// <summary>Options of the read-your-writes middleware (<c>UseTabernacleReadYourWrites</c>).</summary>
public sealed class ReadYourWritesOptions
{
    /// <summary>The response (and request) header carrying the session time (default <c>Tabernacle-Session-Time</c>).</summary>
    public string HeaderName { get; set; } = "Tabernacle-Session-Time";

    /// <summary>The cookie carrying the session time (default <c>tabernacle-session-time</c>); <c>null</c> to use the header only.</summary>
    public string? CookieName { get; set; } = "tabernacle-session-time";

    /// <summary>How long the cookie lives (default 5 minutes: longer than any sane replication lag).</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromMinutes(5);
}
