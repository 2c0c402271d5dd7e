using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>
/// Carries a session's causal time from a request that wrote to the next request of the same client: the incoming
/// header or cookie, once unprotected and checked (this user's, unexpired, not in the future), advances the context's
/// session (so its reads wait, boundedly, for a member that has the write), and after a write the session's time goes
/// back, protected, in the header and the cookie.
/// </summary>
internal sealed partial class ReadYourWritesMiddleware<TContext>(
    RequestDelegate next,
    ReadYourWritesOptions options,
    IDataProtectionProvider dataProtection,
    ILoggerFactory loggerFactory)
    where TContext : DbContext
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector(SessionTimeToken.Purpose);
    private readonly ILogger _logger = loggerFactory.CreateLogger("Tabernacle.EfCore.Extensions.ReadYourWrites");

    public async Task InvokeAsync(HttpContext httpContext)
    {
        // Only endpoints use contexts; static files and 404s don't need a lease from the pool.
        if (httpContext.GetEndpoint() is null)
        {
            await next(httpContext).ConfigureAwait(false);
            return;
        }

        var db = httpContext.RequestServices.GetRequiredService<TContext>();
        var client = db.GetService<TabernacleClientWrapper>();
        if (options.CausalReadTimeout is { } bound)
        {
            client.CausalReadTimeoutOverride = bound;
        }

        var user = UserOf(httpContext);
        var token = httpContext.Request.Headers[options.HeaderName].ToString();
        var source = "header";
        if (string.IsNullOrEmpty(token) && options.CookieName is { } cookie)
        {
            token = httpContext.Request.Cookies[cookie];
            source = "cookie";
        }

        BsonTimestamp? incoming = null;
        var status = SessionTimeToken.TryDecode(
            _protector, token, user, DateTimeOffset.UtcNow, options.CookieLifetime, out var clusterTime, out var operationTime);
        if (status == SessionTimeTokenStatus.Valid)
        {
            if (clusterTime is not null)
            {
                db.Database.AdvanceClusterTime(clusterTime);
            }

            db.Database.AdvanceOperationTime(operationTime!);
            incoming = operationTime;
        }
        else if (status != SessionTimeTokenStatus.None)
        {
            // The value itself is not logged: it is the client's input and may be anything.
            LogTokenRefused(_logger, source, status, httpContext.Request.Method, httpContext.Request.Path);
        }

        var wrote = false;
        void OnSaved(object? sender, SavedChangesEventArgs e) => wrote |= e.EntitiesSavedCount > 0;
        db.SavedChanges += OnSaved;
        httpContext.Response.OnStarting(() =>
        {
            var method = httpContext.Request.Method;
            var unsafeMethod = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
            var time = db.Database.GetOperationTime();
            if (time is not null && (wrote || (unsafeMethod && SessionTimeToken.IsAfter(time, incoming))))
            {
                // Bound to the user as of the response: a sign-in request's write belongs to the user it signed in.
                var value = SessionTimeToken.Encode(
                    _protector, db.Database.GetClusterTime(), time, UserOf(httpContext), DateTimeOffset.UtcNow + options.CookieLifetime);
                httpContext.Response.Headers[options.HeaderName] = value;
                if (options.CookieName is { } name)
                {
                    httpContext.Response.Cookies.Append(name, value, new CookieOptions
                    {
                        HttpOnly = true,
                        SameSite = SameSiteMode.Lax,
                        Secure = httpContext.Request.IsHttps,
                        Path = "/",
                        MaxAge = options.CookieLifetime,
                    });
                }
            }

            return Task.CompletedTask;
        });

        try
        {
            await next(httpContext).ConfigureAwait(false);
        }
        finally
        {
            db.SavedChanges -= OnSaved;
            if (client.CausalReadFallbacks > 0)
            {
                LogFallbacks(_logger, client.CausalReadFallbacks, httpContext.Request.Method, httpContext.Request.Path);
            }
        }
    }

    private string UserOf(HttpContext httpContext)
    {
        if (httpContext.User.Identity is { IsAuthenticated: true })
        {
            foreach (var type in options.UserIdClaimTypes)
            {
                if (httpContext.User.FindFirst(type)?.Value is { Length: > 0 } id)
                {
                    return "u:" + id;
                }
            }
        }

        return "anonymous";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Ignored the read-your-writes token in the {Source} of {Method} {Path}: {Status}")]
    private static partial void LogTokenRefused(
        ILogger logger, string source, SessionTimeTokenStatus status, string method, PathString path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "{Count} read(s) of {Method} {Path} found no secondary at the session's time within the bound and went to the primary")]
    private static partial void LogFallbacks(ILogger logger, int count, string method, PathString path);
}
