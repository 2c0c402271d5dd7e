using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>Middleware of the Tabernacle ASP.NET Core integration.</summary>
public static class TabernacleApplicationBuilderExtensions
{
    /// <summary>
    /// Read-your-writes across requests (opt-in): after a request whose <typeparamref name="TContext"/> wrote, the
    /// response carries the session's cluster and operation time in a header and a cookie, protected by ASP.NET Core Data
    /// Protection and bound to the signed-in user; a request that sends either back has its context wait (for at most
    /// <see cref="ReadYourWritesOptions.CausalReadTimeout"/>, then the primary answers) for a member that has applied that
    /// write, so POST-redirect-GET sees the write even when it reads from a secondary. A token that was forged, tampered
    /// with, issued to another user, expired or set in the future is ignored and logged at warning level. Needs causal
    /// consistency (the provider's default) and Data Protection (<c>AddTabernacle</c> registers it; persist its keys, e.g.
    /// <c>PersistKeysToDbContext</c>, when several instances serve the app or tokens must survive a restart). Place it after
    /// <c>UseAuthentication</c>, so tokens bind to the user, and before the endpoints.
    /// </summary>
    /// <exception cref="InvalidOperationException">Data Protection is not registered.</exception>
    public static IApplicationBuilder UseTabernacleReadYourWrites<TContext>(this IApplicationBuilder app,
        Action<ReadYourWritesOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = new ReadYourWritesOptions();
        configure?.Invoke(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.HeaderName, nameof(configure));
        if (options.CausalReadTimeout is { } bound)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero, nameof(configure));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CookieLifetime, TimeSpan.Zero, nameof(configure));
        _ = app.ApplicationServices.GetService<IDataProtectionProvider>()
            ?? throw new InvalidOperationException(
                "UseTabernacleReadYourWrites protects its tokens with ASP.NET Core Data Protection: call services.AddDataProtection().");
        return app.UseMiddleware<ReadYourWritesMiddleware<TContext>>(options);
    }
}
