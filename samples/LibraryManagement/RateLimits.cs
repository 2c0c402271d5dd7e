using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace LibraryManagement;

/// <summary>Limits of sign-in and registration attempts (configuration section <c>RateLimits</c>).</summary>
internal sealed class RateLimitSettings
{
    /// <summary>Sign-in and registration attempts per client address per window (default 20).</summary>
    public int PerClient { get; set; } = 20;

    /// <summary>Attempts per account name per window, whatever the address (default 10).</summary>
    public int PerAccount { get; set; } = 10;

    /// <summary>The window (default 1 minute).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// ASP.NET Core's rate limiter on the auth endpoints: per client address (the <see cref="AuthPolicy"/> policy), and per
/// account name (<see cref="AccountLimiter"/>, checked once the body names the account). Refusals are 429 with Retry-After.
/// </summary>
public static class RateLimits
{
    public const string AuthPolicy = "auth";

    public static IServiceCollection AddLibraryRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("RateLimits").Get<RateLimitSettings>() ?? new RateLimitSettings();
        services.AddSingleton(settings);
        services.AddSingleton<AccountLimiter>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(AuthPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PerClient, Window = settings.Window, QueueLimit = 0 }));
            o.OnRejected = (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : settings.Window;
                return new ValueTask(TooMany(context.HttpContext, retryAfter, "from this client address"));
            };
        });
        return services;
    }

    /// <summary>Writes the 429 ProblemDetails with its Retry-After header.</summary>
    public static Task TooMany(HttpContext context, TimeSpan retryAfter, string scope)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(
            title: "Too many attempts",
            detail: $"Too many sign-in or registration attempts {scope}; wait {seconds} s (Retry-After) and try again.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
    }
}

/// <summary>Per-account attempts, whatever address they come from (an attacker rotating addresses hits this one).</summary>
internal sealed class AccountLimiter(RateLimitSettings settings) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(account =>
        RateLimitPartition.GetFixedWindowLimiter(
            account,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PerAccount, Window = settings.Window, QueueLimit = 0 }));

    /// <summary><c>null</c> when the attempt may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAcquire(string account)
    {
        using var lease = _limiter.AttemptAcquire(account.ToUpperInvariant());
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : settings.Window;
    }

    public void Dispose() => _limiter.Dispose();
}
