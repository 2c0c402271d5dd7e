using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LibraryManagement.Tests;

/// <summary>Password guessing and registration floods meet ASP.NET Core's rate limiter: 429 with Retry-After.</summary>
public sealed class AbuseLimitTests
{
    private static async Task<LibraryFactory> StartAsync(int perClient, int perAccount)
    {
        var factory = new LibraryFactory { RateLimitPerClient = perClient, RateLimitPerAccount = perAccount };
        await factory.InitializeAsync();
        return factory;
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After says when to come back");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Retry-After", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Guessing_one_accounts_password_is_stopped_per_account_and_other_accounts_still_sign_in()
    {
        var factory = await StartAsync(perClient: 1000, perAccount: 3);
        await using var _ = factory;
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(
                HttpStatusCode.Unauthorized,
                (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.LibrarianUser, $"guess-{i}-password"))).StatusCode);
        }

        // The right password no longer helps within the window, nor does another spelling of the same name.
        await AssertTooManyAsync(
            await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.LibrarianUser, Seed.LibrarianPassword)));
        await AssertTooManyAsync(await client.PostAsJsonAsync(
            "/api/auth/session", new LoginRequest(Seed.LibrarianUser.ToUpperInvariant(), Seed.LibrarianPassword)));
        Assert.Equal(
            HttpStatusCode.OK,
            (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.MemberUser, Seed.MemberPassword))).StatusCode);
    }

    [Fact]
    public async Task One_client_trying_many_names_or_registering_many_accounts_is_stopped_per_client()
    {
        var factory = await StartAsync(perClient: 5, perAccount: 1000);
        await using var _ = factory;
        using var client = factory.CreateClient();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(
                HttpStatusCode.Unauthorized,
                (await client.PostAsJsonAsync("/api/auth/login", new LoginRequest($"nobody{i}", "some-password"))).StatusCode);
        }

        Assert.Equal(
            HttpStatusCode.Created,
            (await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest("flood0", "flood0@example.org", "long-enough-password")))
                .StatusCode);
        await AssertTooManyAsync(
            await client.PostAsJsonAsync("/api/auth/register",
                new RegisterRequest("flood1", "flood1@example.org", "long-enough-password")));
        await AssertTooManyAsync(await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(Seed.AdminUser, Seed.AdminPassword)));
        Assert.False(await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.NormalizedUserName == "FLOOD1")));
    }
}

/// <summary>
/// An unknown user name costs what a wrong password costs: one password hash verification each, so response times do not
/// tell an attacker which names exist (before: 2.6 ms against 105 ms). Counted, not timed, so the test does not depend on
/// how busy the machine is.
/// </summary>
public sealed class LoginCostTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task An_unknown_user_name_costs_one_hash_verification_like_a_wrong_password()
    {
        var verifications = new VerificationCounter();
        using var counted = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(verifications);
            services.AddScoped<IPasswordHasher<User>, CountingPasswordHasher>();
        }));
        using var client = counted.CreateClient();
        var name = $"cost{Guid.NewGuid():N}"[..16];
        Assert.Equal(
            HttpStatusCode.Created,
            (await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest(name, $"{name}@example.org", "the-right-password")))
                .StatusCode);

        var unknown =
            await VerificationsOfAsync(client, verifications, new LoginRequest($"unknown{Guid.NewGuid():N}"[..16], "wrong-password"));
        var wrong = await VerificationsOfAsync(client, verifications, new LoginRequest(name, "wrong-password"));

        Assert.Equal(1, wrong);
        Assert.Equal(wrong, unknown);
    }

    private static async Task<int> VerificationsOfAsync(HttpClient client, VerificationCounter verifications, LoginRequest request)
    {
        var before = verifications.Count;
        var response = await client.PostAsJsonAsync("/api/auth/login", request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return verifications.Count - before;
    }

    public sealed class VerificationCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    // Identity's own hasher, counting how often a password is checked.
    private sealed class CountingPasswordHasher(IOptions<PasswordHasherOptions> options, VerificationCounter verifications)
        : PasswordHasher<User>(options)
    {
        public override PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            verifications.Add();
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
