using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.Endpoints;

public sealed record RegisterRequest(string? Username, string? Email, string? Password);

public sealed record LoginRequest(string? Username, string? Password);

public sealed record AuthResponse(string Token, UserView User);

public sealed record UserView(string Id, string Username, string Email, string Role);

public sealed record SessionView(UserView? User, string? CsrfToken);

public static class AuthEndpoints
{
    public static UserView View(User u) => new(u.Id.ToString(), u.Username, u.Email, u.Role);

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");

        // Uniqueness is checked on the primary: a secondary could miss a registration made a moment ago.
        auth.MapPost("/register", async (RegisterRequest request, LibraryContext db, IPasswordHasher<User> hasher, TokenService tokens) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (request.Username is not { Length: >= 3 and <= 40 })
            {
                errors["username"] = ["A username of 3 to 40 characters is required."];
            }

            if (string.IsNullOrWhiteSpace(request.Email) || !new EmailAddressAttribute().IsValid(request.Email))
            {
                errors["email"] = ["A valid email address is required."];
            }

            if (request.Password is not { Length: >= 8 })
            {
                errors["password"] = ["A password of at least 8 characters is required."];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            if (await db.Users.AnyAsync(u => u.Username == request.Username || u.Email == request.Email))
            {
                return Results.Conflict(new { error = "That username or email is already registered." });
            }

            var user = new User { Username = request.Username!, Email = request.Email!, Role = Roles.Member };
            user.PasswordHash = hasher.HashPassword(user, request.Password!);
            db.Users.Add(user);
            try
            {
                await db.SaveChangesAsync(WriteConcern.WMajority);
            }
            catch (DbUpdateException ex) when (Errors.IsDuplicateKey(ex))
            {
                return Results.Conflict(new { error = "That username or email is already registered." });
            }

            return Results.Created($"/api/users/{user.Id}", new AuthResponse(tokens.Issue(user), View(user)));
        }).WithReadPreference(ReadPreferenceMode.Primary);

        auth.MapPost("/login", async (LoginRequest request, LibraryContext db, IPasswordHasher<User> hasher, TokenService tokens) =>
        {
            if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["credentials"] = ["Username and password are required."] });
            }

            var user = await db.Users.FirstOrDefaultAsync(u => u.Username == request.Username);
            if (user is null || hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password) == PasswordVerificationResult.Failed)
            {
                return Results.Unauthorized();
            }

            return Results.Ok(new AuthResponse(tokens.Issue(user), View(user)));
        }).WithReadPreference(ReadPreferenceMode.Primary);

        // The dashboard's sign-in: an HttpOnly SameSite=Strict cookie, and the antiforgery token its POSTs must carry.
        auth.MapPost("/session", async (LoginRequest request, LibraryContext db, IPasswordHasher<User> hasher, HttpContext http) =>
        {
            if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["credentials"] = ["Username and password are required."] });
            }

            var user = await db.Users.FirstOrDefaultAsync(u => u.Username == request.Username);
            if (user is null || hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password) == PasswordVerificationResult.Failed)
            {
                return Results.Unauthorized();
            }

            var csrf = await Security.SignInWithCookieAsync(http, Security.Principal(user.Id.ToString(), user.Username, [user.Role]));
            return Results.Ok(new SessionView(View(user), csrf));
        }).WithReadPreference(ReadPreferenceMode.Primary);

        auth.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        });

        // Who the dashboard is signed in as (or nobody), and an antiforgery token for its next POST.
        auth.MapGet("/me", async (HttpContext http, LibraryContext db) =>
        {
            UserView? view = null;
            if (http.User.Identity?.IsAuthenticated == true && Ids.TryParse(http.User.FindFirstValue(Security.IdClaim), out var id)
                && await db.Users.FirstOrDefaultAsync(u => u.Id == id) is { } user)
            {
                view = View(user);
            }

            http.Response.Headers.CacheControl = "no-store";
            return new SessionView(view, Security.CsrfToken(http));
        }).WithReadPreference(ReadPreferenceMode.Primary);
    }
}
