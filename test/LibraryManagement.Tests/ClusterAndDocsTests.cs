using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LibraryManagement.Endpoints;
using MongoDB.Bson;
using MongoDB.Driver;

namespace LibraryManagement.Tests;

/// <summary>The dashboard's failover buttons steer the members, so these run on the sample's embedded emulator whatever the backend.</summary>
public sealed class ClusterEndpointTests(EmbeddedEmulatorLibraryFactory factory) : IClassFixture<EmbeddedEmulatorLibraryFactory>
{
    private async Task<ClusterView> ClusterAsync(HttpClient client) => (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!;

    [Fact]
    public async Task The_dashboard_api_shows_three_members_and_its_buttons_step_down_and_pause()
    {
        using var client = factory.CreateClient();
        await Wait.UntilAsync(async () => (await ClusterAsync(client)) is { Members.Count: 3, Primary: not null }, "three members and a primary");
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
        Assert.Equal(HttpStatusCode.Created, (await member.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()))).StatusCode);
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
        foreach (var path in new[] { "/api/books/search", "/api/loans", "/api/loans/{id}/return", "/api/reservations", "/api/stats", "/api/auth/login" })
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
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/cluster/step-down", null)).StatusCode);
        await Wait.UntilAsync(async () => (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Members.Count > 0, "the members are known");
        var member = (await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options))!.Members[0].Name;
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/cluster/members/{member}/pause", null)).StatusCode);
        using var direct = _factory.SharedBackend.CreateClient();
        var users = await direct.GetDatabase(_factory.DatabaseName).GetCollection<BsonDocument>("users").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
        Assert.Equal(3, users);   // the demo data landed in the configured set
    }
}
