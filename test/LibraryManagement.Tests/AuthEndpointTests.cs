using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LibraryManagement.Tests;

public sealed class AuthEndpointTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task Register_returns_201_with_a_token_that_works_and_a_hashed_password()
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("bob", "bob@example.org", "correct horse battery"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var auth = (await response.Content.ReadFromJsonAsync<AuthResponse>(Json.Options))!;
        Assert.Equal("member", auth.User.Role);
        var stored = await factory.WithDbAsync(db => db.Users.FirstAsync(u => u.Username == "bob"));
        Assert.NotEqual("correct horse battery", stored.PasswordHash);
        Assert.NotEqual(PasswordVerificationResult.Failed, new PasswordHasher<User>().VerifyHashedPassword(stored, stored.PasswordHash, "correct horse battery"));
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
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest(Seed.MemberUser, "other@example.org", "long-enough-password"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest("someone", "alice@library.example", "long-enough-password"))).StatusCode);
    }

    [Fact]
    public async Task Login_returns_a_token_for_good_credentials_401_for_bad_and_400_for_missing()
    {
        using var client = factory.CreateClient();
        var ok = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.AdminUser, Seed.AdminPassword));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("admin", (await ok.Content.ReadFromJsonAsync<AuthResponse>(Json.Options))!.User.Role);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.AdminUser, "wrong"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest("nobody", "whatever"))).StatusCode);
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
}
