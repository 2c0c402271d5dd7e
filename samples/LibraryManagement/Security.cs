using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace LibraryManagement;

/// <summary>
/// Who may call what. API clients send a JWT bearer token (never sent by a browser on its own, so no CSRF); the dashboard
/// signs in with an HttpOnly, SameSite=Strict cookie, and every state-changing request that carries that cookie must also
/// carry the antiforgery token in <see cref="CsrfHeader"/>, which a cross-site page cannot read.
/// </summary>
public static class Security
{
    public const string BearerOrCookie = "bearer-or-cookie";
    public const string CookieName = "library-auth";
    public const string CsrfHeader = "X-CSRF-TOKEN";
    public const string NameClaim = "name";
    public const string RoleClaim = "role";
    public const string IdClaim = "sub";

    public static IServiceCollection AddLibrarySecurity(this IServiceCollection services, JwtSettings jwt)
    {
        services.AddAuthentication(BearerOrCookie)
            .AddPolicyScheme(BearerOrCookie, "JWT bearer token, else the dashboard's cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    IssuerSigningKey = jwt.Key,
                    NameClaimType = NameClaim,
                    RoleClaimType = RoleClaim,
                };
            })
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // An API answers 401 and 403; it does not redirect to a login page.
                o.Events.OnRedirectToLogin = context => Status(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Status(context, StatusCodes.Status403Forbidden);
            });
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "library-csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        return services;
    }

    private static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>The claims of a signed-in user, for the cookie (the JWT carries the same ones).</summary>
    public static ClaimsPrincipal Principal(string id, string name, IEnumerable<string> roles) => new(new ClaimsIdentity(
        [new Claim(IdClaim, id), new Claim(NameClaim, name), .. roles.Select(r => new Claim(RoleClaim, r))],
        CookieAuthenticationDefaults.AuthenticationScheme,
        NameClaim,
        RoleClaim));

    /// <summary>
    /// Refuses (400) a state-changing request that carries the sign-in cookie without a valid antiforgery token, whether
    /// or not the cookie still signs anybody in: a cross-site form or fetch can send the cookie but cannot read the token.
    /// Bearer-authorised requests need no token (a browser never attaches one by itself).
    /// </summary>
    public static IApplicationBuilder UseCookieCsrfProtection(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var method = context.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
        var bearer = context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (!safe && !bearer && context.Request.Cookies.ContainsKey(CookieName))
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await Results.Problem(
                    title: "Missing or invalid antiforgery token",
                    detail: "This request is authorised by the sign-in cookie, so it must carry the antiforgery token from "
                        + $"GET /api/auth/me in the {CsrfHeader} header.",
                    statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    });

    /// <summary>A fresh antiforgery token for the current user (it is bound to them).</summary>
    public static string? CsrfToken(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken;

    /// <summary>Signs the dashboard in with the cookie and answers the antiforgery token that goes with it.</summary>
    public static async Task<string?> SignInWithCookieAsync(HttpContext context, ClaimsPrincipal principal)
    {
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        context.User = principal;
        return CsrfToken(context);
    }
}
