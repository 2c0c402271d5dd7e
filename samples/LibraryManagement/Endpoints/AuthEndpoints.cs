using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.Endpoints;

public sealed record RegisterRequest(string? Username, string? Email, string? Password);

public sealed record LoginRequest(string? Username, string? Password);

public sealed record AuthResponse(string Token, UserView User);

public sealed record UserView(string Id, string Username, string Email, string Role);

public sealed record SessionView(UserView? User, string? CsrfToken);

public static class AuthEndpoints
{
    public static UserView View(User u, IList<string> roles) => new(u.Id, u.UserName ?? "", u.Email ?? "", Accounts.MainRole(roles));

    private const string Taken = "That user name or e-mail address is already registered; choose another or sign in.";

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        // Identity reads users on the primary: a secondary could miss a registration or a lockout made a moment ago.
        var auth = app.MapGroup("/api/auth").WithTags("Auth").WithReadPreference(ReadPreferenceMode.Primary);
        var limited = auth.MapGroup("").RequireRateLimiting(RateLimits.AuthPolicy);

        limited.MapPost("/register", async (
            RegisterRequest request, UserManager<User> users, TokenService tokens, AccountLimiter limiter) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (request.Username is null)
            {
                errors["username"] =
                    [$"A user name of {Accounts.MinUserNameLength} to {Accounts.MaxUserNameLength} characters is required."];
            }

            if (string.IsNullOrEmpty(request.Email) || request.Email.Length > Accounts.MaxEmailLength
                || !new EmailAddressAttribute().IsValid(request.Email))
            {
                errors["email"] = ["A valid e-mail address is required."];
            }

            if (request.Password is null)
            {
                errors["password"] =
                    [$"A password of {Accounts.MinPasswordLength} to {Accounts.MaxPasswordLength} characters is required."];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            if (limiter.TryAcquire("register:" + request.Username) is { } wait)
            {
                return TooMany(wait);
            }

            var user = new User { UserName = request.Username, Email = request.Email };
            IdentityResult result;
            try
            {
                result = await users.CreateAsync(user, request.Password!);
            }
            catch (DbUpdateException ex) when (Errors.IsDuplicateKey(ex))
            {
                return Results.Problem(Taken, statusCode: StatusCodes.Status409Conflict);   // a concurrent registration won
            }

            if (!result.Succeeded)
            {
                return result.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail")
                    ? Results.Problem(Taken, statusCode: StatusCodes.Status409Conflict)
                    : Results.ValidationProblem(result.Errors
                        .GroupBy(e => FieldOf(e.Code))
                        .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
            }

            await users.AddToRoleAsync(user, Roles.Member);
            var auth = new AuthResponse(tokens.Issue(user, [Roles.Member]), View(user, [Roles.Member]));
            return Results.Created($"/api/users/{user.Id}", auth);
        });

        limited.MapPost("/login", async (
            LoginRequest request,
            CredentialChecker checker,
            UserManager<User> users,
            TokenService tokens,
            AccountLimiter limiter,
            HttpContext http) =>
        {
            var (user, roles, error) = await CheckAsync(request, checker, users, limiter, http);
            return error ?? Results.Ok(new AuthResponse(tokens.Issue(user!, roles!), View(user!, roles!)));
        });

        // The dashboard's sign-in: an HttpOnly SameSite=Strict cookie, and the antiforgery token its POSTs must carry.
        limited.MapPost("/session", async (
            LoginRequest request, CredentialChecker checker, UserManager<User> users, AccountLimiter limiter, HttpContext http) =>
        {
            var (user, roles, error) = await CheckAsync(request, checker, users, limiter, http);
            if (error is not null)
            {
                return error;
            }

            var csrf = await Security.SignInWithCookieAsync(http, Security.Principal(user!.Id, user.UserName ?? "", roles!));
            return Results.Ok(new SessionView(View(user, roles!), csrf));
        });

        auth.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        });

        // Who the dashboard is signed in as (or nobody), and an antiforgery token for its next POST.
        auth.MapGet("/me", async (HttpContext http, UserManager<User> users) =>
        {
            UserView? view = null;
            if (http.User.Identity?.IsAuthenticated == true && http.User.FindFirst(Security.IdClaim)?.Value is { } id
                && await users.FindByIdAsync(id) is { } user)
            {
                view = View(user, await users.GetRolesAsync(user));
            }

            http.Response.Headers.CacheControl = "no-store";
            return new SessionView(view, Security.CsrfToken(http));
        });
    }

    private static IResult TooMany(TimeSpan wait) => new TooManyResult(wait);

    private sealed class TooManyResult(TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => RateLimits.TooMany(httpContext, wait, "for this account");
    }

    private static string FieldOf(string code) =>
        code.StartsWith("Password", StringComparison.Ordinal) ? "password"
        : code.Contains("Email", StringComparison.Ordinal) ? "email"
        : "username";

    private static async Task<(User? User, IList<string>? Roles, IResult? Error)> CheckAsync(
        LoginRequest request, CredentialChecker checker, UserManager<User> users, AccountLimiter limiter, HttpContext http)
    {
        // Bounded before any hashing: a huge password must not cost a hash.
        if (request.Username is not { Length: > 0 and <= Accounts.MaxUserNameLength }
            || request.Password is not { Length: > 0 and <= Accounts.MaxPasswordLength })
        {
            return (null, null, Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["credentials"] =
                [
                    $"A user name (at most {Accounts.MaxUserNameLength} characters) and a password "
                    + $"(at most {Accounts.MaxPasswordLength}) are required.",
                ],
            }));
        }

        if (limiter.TryAcquire("login:" + request.Username) is { } wait)
        {
            return (null, null, TooMany(wait));
        }

        var (user, lockedOutUntil) = await checker.CheckAsync(request.Username, request.Password);
        if (lockedOutUntil is { } until)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((until - DateTimeOffset.UtcNow).TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return (null, null, Results.Problem(
                "Too many failed sign-ins for this account; it is locked for a few minutes. Try again after the Retry-After delay.",
                statusCode: StatusCodes.Status429TooManyRequests));
        }

        if (user is null)
        {
            return (null, null, Results.Problem("Unknown user name or wrong password.", statusCode: StatusCodes.Status401Unauthorized));
        }

        return (user, await users.GetRolesAsync(user), null);
    }
}
