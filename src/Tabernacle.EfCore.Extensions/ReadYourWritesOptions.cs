using System.Security.Claims;

namespace Tabernacle.EfCore.Extensions;

/// <summary>Options of the read-your-writes middleware (<c>UseTabernacleReadYourWrites</c>).</summary>
public sealed class ReadYourWritesOptions
{
    /// <summary>The response (and request) header carrying the session time (default <c>Tabernacle-Session-Time</c>).</summary>
    public string HeaderName { get; set; } = "Tabernacle-Session-Time";

    /// <summary>The cookie carrying the session time (default <c>tabernacle-session-time</c>); <c>null</c> to use the header
    /// only.</summary>
    public string? CookieName { get; set; } = "tabernacle-session-time";

    /// <summary>
    /// How long the cookie and the token live (default 5 minutes: longer than any sane replication lag). A token past
    /// it is ignored.
    /// </summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The claims, in order, whose first value identifies the signed-in user a token is bound to (default
    /// <see cref="ClaimTypes.NameIdentifier"/>, then <c>sub</c>). A request with none of them is anonymous, and its
    /// tokens work only for anonymous requests.
    /// </summary>
    public IList<string> UserIdClaimTypes { get; } = [ClaimTypes.NameIdentifier, "sub"];

    /// <summary>
    /// How long a read off the primary waits for its member to reach the incoming session time before it goes to the
    /// primary (or fails, when its read preference is <c>Secondary</c>); sent as <c>maxTimeMS</c>. <c>null</c> (the
    /// default) keeps the context's <c>CausalReadTimeout</c>, which is 1 second unless configured.
    /// </summary>
    public TimeSpan? CausalReadTimeout { get; set; }
}
