using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace LibraryManagement.Tests;

public sealed class AuthEndpointTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task Register_returns_201_with_a_token_that_works_and_a_hashed_password()
    {
        using var client = factory.CreateClient();
        var response =
            await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("bob", "bob@example.org", "correct horse battery"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var auth = (await response.Content.ReadFromJsonAsync<AuthResponse>(Json.Options))!;
        Assert.Equal("member", auth.User.Role);
        var stored = await factory.WithDbAsync(db => db.Users.FirstAsync(u => u.NormalizedUserName == "BOB"));
        Assert.NotEqual("correct horse battery", stored.PasswordHash);
        Assert.NotEqual(
            PasswordVerificationResult.Failed,
            new PasswordHasher<User>().VerifyHashedPassword(stored, stored.PasswordHash!, "correct horse battery"));
        Assert.NotEqual(default, stored.CreatedAt);

        var mine = new HttpRequestMessage(HttpMethod.Get, "/api/loans/mine");
        mine.Headers.Authorization = new("Bearer", auth.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(mine)).StatusCode);
    }

    [Theory]
    [InlineData("x", "x@example.org", "long-enough-password")]
    [InlineData("carol", "not-an-email", "long-enough-password")]
    [InlineData("carol", "carol@example.org", "short")]
    [InlineData(null, null, null)]
    public async Task Register_refuses_invalid_input_with_400(string? user, string? email, string? password)
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest(user, email, password));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Register_refuses_a_taken_username_or_email_with_409()
    {
        using var client = factory.CreateClient();
        Assert.Equal(
            HttpStatusCode.Conflict,
            (await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest(Seed.MemberUser, "other@example.org", "long-enough-password"))).StatusCode);
        Assert.Equal(
            HttpStatusCode.Conflict,
            (await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest("someone", "alice@library.example", "long-enough-password"))).StatusCode);
    }

    [Fact]
    public async Task Login_returns_a_token_for_good_credentials_401_for_bad_and_400_for_missing()
    {
        using var client = factory.CreateClient();
        var ok = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.AdminUser, Seed.AdminPassword));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("admin", (await ok.Content.ReadFromJsonAsync<AuthResponse>(Json.Options))!.User.Role);
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.LibrarianUser, "wrong"))).StatusCode);
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest("nobody", "whatever"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest("", null))).StatusCode);
    }

    [Fact]
    public async Task Protected_endpoints_answer_401_without_a_token_or_with_a_forged_one()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/loans/mine")).StatusCode);
        var forged = new HttpRequestMessage(HttpMethod.Get, "/api/loans/mine");
        forged.Headers.Authorization = new("Bearer", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIn0.AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(forged)).StatusCode);
    }

    [Theory]
    [InlineData("admin ")]           // trailing space: no silent trim, no second "admin"
    [InlineData(" admin")]
    [InlineData("\u0430dmin")]       // Cyrillic a
    [InlineData("\0\0\0")]
    [InlineData("ab\u202Ecba")]      // right-to-left override
    [InlineData("ab\u200Bcd")]       // zero-width space
    [InlineData("tab\there")]
    [InlineData("ab")]
    public async Task Register_refuses_look_alike_and_invisible_user_names_with_400(string name)
    {
        using var client = factory.CreateClient();
        var response =
            await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest(name, $"x{Guid.NewGuid():N}@example.org", "long-enough-password"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("username", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_refuses_an_e_mail_that_differs_only_by_case_and_a_user_name_that_differs_only_by_case()
    {
        using var client = factory.CreateClient();
        Assert.Equal(
            HttpStatusCode.Conflict,
            (await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest("someone2", "ALICE@Library.Example", "long-enough-password"))).StatusCode);
        Assert.Equal(
            HttpStatusCode.Conflict,
            (await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest("ADMIN", "admin2@example.org", "long-enough-password"))).StatusCode);
    }

    [Fact]
    public async Task A_huge_password_is_refused_at_registration_and_at_login_without_hashing()
    {
        using var client = factory.CreateClient();
        var huge = new string('p', Accounts.MaxPasswordLength + 1);
        var register = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("hugepass", "hugepass@example.org", huge));
        Assert.Equal(HttpStatusCode.BadRequest, register.StatusCode);
        Assert.Contains("at most", await register.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.MemberUser, huge))).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused_with_429_and_Retry_After()
    {
        using var client = factory.CreateClient();
        var name = $"lock{Guid.NewGuid():N}"[..16];
        Assert.Equal(
            HttpStatusCode.Created,
            (await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest(name, $"{name}@example.org", "the-right-password"))).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(
                HttpStatusCode.Unauthorized,
                (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(name, $"wrong-{i}-password"))).StatusCode);
        }

        var locked = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(name, "the-right-password"));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", locked.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_users_live_in_Identitys_stores_with_roles_and_the_keys_in_the_database()
    {
        var (admin, roles, keys) = await factory.WithDbAsync(async db =>
        {
            var user = await db.Users.FirstAsync(u => u.NormalizedUserName == "ADMIN");
            var roleIds = await db.UserRoles.Where(r => r.UserId == user.Id).Select(r => r.RoleId).ToListAsync();
            var names = await db.Roles.Where(r => roleIds.Contains(r.Id)).Select(r => r.Name).ToListAsync();
            return (user, names, await db.DataProtectionKeys.CountAsync());
        });
        Assert.Equal(["admin"], roles);
        Assert.False(string.IsNullOrEmpty(admin.SecurityStamp));
        Assert.True(admin.LockoutEnabled);
        using var client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/session",
            new LoginRequest(Seed.MemberUser, Seed.MemberPassword))).EnsureSuccessStatusCode();
        Assert.True(await factory.WithDbAsync(db => db.DataProtectionKeys.AnyAsync()) || keys > 0,
            "the Data Protection key ring is in the database");
    }
}

/// <summary>The JWT signing key: configured, or (Development only) made up per run.</summary>
public sealed class JwtKeyConfigurationTests
{
    [Fact]
    public void Production_refuses_to_start_without_a_signing_key_and_says_what_to_set()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("ConnectionStrings:Library", "mongodb://127.0.0.1:1/never?replicaSet=rs0");
            b.ConfigureLogging(l => l.ClearProviders());
        });
        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains("Jwt:Key", error.Message, StringComparison.Ordinal);
        Assert.Contains("Jwt__Key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_signing_key_is_refused_without_echoing_it()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Jwt:Key", "short-secret-value");
            b.UseSetting("ConnectionStrings:Library", "mongodb://127.0.0.1:1/never?replicaSet=rs0");
            b.ConfigureLogging(l => l.ClearProviders());
        });
        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());
        Assert.Contains("at least 32", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret-value", error.Message, StringComparison.Ordinal);
    }
}
