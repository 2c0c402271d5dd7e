using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>
/// Carries a session's causal time from a request that wrote to the next request of the same client: the incoming
/// header or cookie advances the context's session (so its reads wait for a member that has the write), and after a
/// write the session's time goes back in the header and the cookie.
/// </summary>
internal sealed class ReadYourWritesMiddleware<TContext>(RequestDelegate next, ReadYourWritesOptions options)
    where TContext : DbContext
{
    public async Task InvokeAsync(HttpContext httpContext)
    {
        // Only endpoints use contexts; static files and 404s don't need a lease from the pool.
        if (httpContext.GetEndpoint() is null)
        {
            await next(httpContext).ConfigureAwait(false);
            return;
        }

        var db = httpContext.RequestServices.GetRequiredService<TContext>();
        BsonTimestamp? incoming = null;
        var token = httpContext.Request.Headers[options.HeaderName].ToString();
        if (string.IsNullOrEmpty(token) && options.CookieName is { } cookie)
        {
            token = httpContext.Request.Cookies[cookie];
        }

        if (SessionTimeToken.TryDecode(token, out var clusterTime, out var operationTime))
        {
            if (clusterTime is not null)
            {
                db.Database.AdvanceClusterTime(clusterTime);
            }

            db.Database.AdvanceOperationTime(operationTime!);
            incoming = operationTime;
        }

        var wrote = false;
        void OnSaved(object? sender, SavedChangesEventArgs e) => wrote |= e.EntitiesSavedCount > 0;
        db.SavedChanges += OnSaved;
        httpContext.Response.OnStarting(() =>
        {
            var unsafeMethod = !(HttpMethods.IsGet(httpContext.Request.Method) || HttpMethods.IsHead(httpContext.Request.Method) || HttpMethods.IsOptions(httpContext.Request.Method));
            var time = db.Database.GetOperationTime();
            if (time is not null && (wrote || (unsafeMethod && SessionTimeToken.IsAfter(time, incoming))))
            {
                var value = SessionTimeToken.Encode(db.Database.GetClusterTime(), time);
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
        }
    }
}
