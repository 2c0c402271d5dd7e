using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LibraryManagement.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator;

namespace LibraryManagement.Tests;

public sealed class ClusterEndpointTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
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

    [Fact]
    public async Task Health_openapi_swagger_and_the_dashboard_page_are_served()
    {
        using var client = factory.CreateClient();
        await Wait.UntilAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "healthy");
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal(3, health.GetProperty("checks")[0].GetProperty("data").GetProperty("members").GetArrayLength());

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

/// <summary>With ConnectionStrings:Library set, the app uses that replica set and starts no emulator of its own.</summary>
public sealed class ConfiguredConnectionTests : IAsyncLifetime
{
    private MongoReplicaSetEmulator _external = null!;
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        _external = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 3 });
        var connectionString = _external.ConnectionString.Replace("/?", "/configured_library?", StringComparison.Ordinal);
        _factory = new LibraryFactory().WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Library", connectionString));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _external.DisposeAsync();
    }

    [Fact]
    public async Task Uses_the_configured_replica_set_and_hides_the_failover_buttons()
    {
        using var client = _factory.CreateClient();
        var cluster = await client.GetFromJsonAsync<ClusterView>("/api/cluster", Json.Options);
        Assert.False(cluster!.Embedded);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/cluster/step-down", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/cluster/members/{_external.Members[1].Host}/pause", null)).StatusCode);
        using var direct = new MongoClient(_external.ConnectionString);
        var users = await direct.GetDatabase("configured_library").GetCollection<BsonDocument>("users").CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);
        Assert.Equal(3, users);   // the demo data landed in the configured set
    }
}
