using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LibraryManagement.Endpoints;
using MongoDB.Bson;
using MongoDB.Driver;

namespace LibraryManagement.Tests;

/// <summary>The dashboard's failover buttons steer the members, so these run on the sample's embedded emulator whatever the
/// backend.</summary>
public sealed class ClusterEndpointTests(EmbeddedEmulatorLibraryFactory factory) : IClassFixture<EmbeddedEmulatorLibraryFactory>
{
    private async Task<ClusterView> ClusterAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!;

    [Fact]
    public async Task The_dashboard_api_shows_three_members_and_its_buttons_step_down_and_pause()
    {
        using var client = await factory.AdminAsync();
        await Wait.UntilAsync(async () =>
            (await ClusterAsync(client)) is { Members.Count: 3, Primary: not null }, "three members and a primary");
        var cluster = await ClusterAsync(client);
        Assert.True(cluster.Embedded);
        Assert.Equal("rs0", cluster.SetName);
        Assert.Equal(2, cluster.Members.Count(m => m.Role == "Secondary"));

        var secondary = cluster.Members.First(m => m.Role == "Secondary").Name;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/cluster/members/{secondary}/pause", null)).StatusCode);
        Assert.True((await ClusterAsync(client)).Members.Single(m => m.Name == secondary).ReplicationPaused);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/cluster/members/{secondary}/resume", null)).StatusCode);
        Assert.False((await ClusterAsync(client)).Members.Single(m => m.Name == secondary).ReplicationPaused);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/cluster/members/{cluster.Primary}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/cluster/members/10.0.0.1:1/pause", null)).StatusCode);

        var stepDown = await client.PostAsync("/api/cluster/step-down", null);
        Assert.Equal(HttpStatusCode.OK, stepDown.StatusCode);
        var elected = (await stepDown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("primary").GetString();
        Assert.NotEqual(cluster.Primary, elected);
        await Wait.UntilAsync(async () => (await ClusterAsync(client)).Primary == elected, "the dashboard shows the new primary");
        // The app keeps working on the new primary.
        using var member = await factory.NewMemberAsync();
        var book = await factory.NewBookAsync(1);
        Assert.Equal(
            HttpStatusCode.Created,
            (await member.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()))).StatusCode);
    }
}

/// <summary>
/// The failover controls under attack: anonymous and non-admin callers, and a cross-site request riding the admin's
/// sign-in cookie without the antiforgery token. Every refused request would have stepped the primary down.
/// </summary>
public sealed class ClusterControlSecurityTests(EmbeddedEmulatorLibraryFactory factory) : IClassFixture<EmbeddedEmulatorLibraryFactory>
{
    private async Task<string> PrimaryAsync(HttpClient client)
    {
        await Wait.UntilAsync(async () =>
            (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Primary is not null, "a primary");
        return (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Primary!;
    }

    [Fact]
    public async Task Anonymous_and_member_and_librarian_callers_cannot_step_down_or_pause()
    {
        using var anonymous = factory.CreateClient();
        var primary = await PrimaryAsync(anonymous);
        var secondary =
            (await anonymous.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Members.First(m => m.Role == "Secondary").Name;
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/cluster/step-down", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/cluster/members/{secondary}/pause", null)).StatusCode);
        using var member = await factory.MemberAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsync("/api/cluster/step-down", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsync($"/api/cluster/members/{secondary}/resume", null)).StatusCode);
        using var librarian = await factory.LibrarianAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await librarian.PostAsync("/api/cluster/step-down", null)).StatusCode);
        Assert.Equal(primary, await PrimaryAsync(anonymous));
    }

    [Fact]
    public async Task A_request_riding_the_admins_cookie_needs_the_antiforgery_token()
    {
        using var browser = factory.CreateClient();   // keeps cookies, as a browser does
        var signIn = await browser.PostAsJsonAsync("/api/auth/session", new LoginRequest(Seed.AdminUser, Seed.AdminPassword));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("library-auth=", StringComparison.Ordinal)
            && c.Contains("httponly", StringComparison.OrdinalIgnoreCase)
                && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
        var csrf = (await signIn.Content.ReadFromJsonAsync<SessionView>(Json.Options))!.CsrfToken;
        Assert.False(string.IsNullOrEmpty(csrf));
        var secondary =
            (await browser.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Members.First(m => m.Role == "Secondary").Name;

        // What a cross-site page can do: send the cookie, without (or with a made-up) token.
        var forged = await browser.PostAsync($"/api/cluster/members/{secondary}/pause", null);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("antiforgery", await forged.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var madeUp = new HttpRequestMessage(HttpMethod.Post, $"/api/cluster/members/{secondary}/pause");
        madeUp.Headers.Add("X-CSRF-TOKEN", "CfDJ8made-up-token");
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.SendAsync(madeUp)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsJsonAsync("/api/auth/logout", new { })).StatusCode);
        Assert.False(
            (await browser.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Members.Single(m =>
                m.Name == secondary).ReplicationPaused);

        // The dashboard itself sends the token: accepted.
        var pause = new HttpRequestMessage(HttpMethod.Post, $"/api/cluster/members/{secondary}/pause");
        pause.Headers.Add("X-CSRF-TOKEN", csrf);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(pause)).StatusCode);
        var resume = new HttpRequestMessage(HttpMethod.Post, $"/api/cluster/members/{secondary}/resume");
        resume.Headers.Add("X-CSRF-TOKEN", csrf);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(resume)).StatusCode);

        // A member's cookie with a valid token still is not an admin's.
        using var memberBrowser = factory.CreateClient();
        var memberSession =
            await (await memberBrowser.PostAsJsonAsync("/api/auth/session", new LoginRequest(Seed.MemberUser, Seed.MemberPassword)))
            .Content.ReadFromJsonAsync<SessionView>(Json.Options);
        var memberStepDown = new HttpRequestMessage(HttpMethod.Post, "/api/cluster/step-down");
        memberStepDown.Headers.Add("X-CSRF-TOKEN", memberSession!.CsrfToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await memberBrowser.SendAsync(memberStepDown)).StatusCode);
        // The admin's token does not work for the member's cookie either (tokens are bound to the user).
        Assert.Equal(HttpStatusCode.BadRequest, (await memberBrowser.PostAsync("/api/cluster/step-down", null)).StatusCode);
        var swapped = new HttpRequestMessage(HttpMethod.Post, "/api/cluster/step-down");
        swapped.Headers.Add("X-CSRF-TOKEN", csrf);
        Assert.Equal(HttpStatusCode.BadRequest, (await memberBrowser.SendAsync(swapped)).StatusCode);
    }
}

/// <summary>The pages and documents the app serves, on the shared backend.</summary>
public sealed class HealthAndDocsTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task Health_openapi_swagger_and_the_dashboard_page_are_served()
    {
        using var client = factory.CreateClient();
        await Wait.UntilAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "healthy");
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.NotEqual(0, health.GetProperty("checks")[0].GetProperty("data").GetProperty("members").GetArrayLength());

        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/api/books/search", "/api/loans", "/api/loans/{id}/return", "/api/reservations", "/api/stats",
            "/api/auth/login" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        Assert.Contains("swagger-ui", await client.GetStringAsync("/swagger/index.html"), StringComparison.OrdinalIgnoreCase);
        var dashboard = await client.GetStringAsync("/");
        Assert.Contains("Step down the primary", dashboard, StringComparison.Ordinal);
        Assert.Contains("/api/cluster", dashboard, StringComparison.Ordinal);
    }
}

/// <summary>
/// With ConnectionStrings:Library set, the app uses that replica set (the shared backend, in a database of the
/// factory's own) and starts no emulator of its own.
/// </summary>
public sealed class ConfiguredConnectionTests : IAsyncLifetime
{
    private readonly LibraryFactory _factory = new();

    public Task InitializeAsync() => _factory.InitializeAsync();

    public async Task DisposeAsync() => await ((IAsyncLifetime)_factory).DisposeAsync();

    [Fact]
    public async Task Uses_the_configured_replica_set_and_hides_the_failover_buttons()
    {
        using var client = _factory.CreateClient();
        var cluster = await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options);
        Assert.False(cluster!.Embedded);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/cluster/step-down", null)).StatusCode);
        using var admin = await _factory.AdminAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/cluster/step-down", null)).StatusCode);
        await Wait.UntilAsync(async () =>
            (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Members.Count > 0, "the members are known");
        var member = (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Members[0].Name;
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/cluster/members/{member}/pause", null)).StatusCode);
        using var direct = _factory.SharedBackend.CreateClient();
        var users =
            await direct.GetDatabase(_factory.DatabaseName).GetCollection<BsonDocument>("users").CountDocumentsAsync(
                FilterDefinition<BsonDocument>.Empty);
        Assert.Equal(3, users);   // the demo data landed in the configured set
    }
}
