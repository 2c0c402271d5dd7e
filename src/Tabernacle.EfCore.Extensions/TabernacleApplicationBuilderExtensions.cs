using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>Middleware of the Tabernacle ASP.NET Core integration.</summary>
public static class TabernacleApplicationBuilderExtensions
{
    /// <summary>
    /// Read-your-writes across requests (opt-in): after a request whose <typeparamref name="TContext"/> wrote, the
    /// response carries the session's cluster and operation time in a header and a cookie; a request that sends either
    /// back has its context wait for a member that has applied that write, so POST-redirect-GET sees the write even
    /// when it reads from a secondary. Needs causal consistency (the provider's default). Place it after routing-related
    /// middleware and before the endpoints (in a minimal API app: anywhere after <c>builder.Build()</c>).
    /// </summary>
    public static IApplicationBuilder UseTabernacleReadYourWrites<TContext>(this IApplicationBuilder app, Action<ReadYourWritesOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = new ReadYourWritesOptions();
        configure?.Invoke(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.HeaderName, nameof(configure));
        return app.UseMiddleware<ReadYourWritesMiddleware<TContext>>(options);
    }
}
