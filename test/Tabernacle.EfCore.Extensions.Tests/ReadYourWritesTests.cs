using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>
/// POST-redirect-GET against secondaries that replicate 3 seconds late. Delaying replication steers the members, so this
/// class runs on a <see cref="DedicatedReplicaSet"/> whatever the backend.
/// </summary>
public sealed class ReadYourWritesTests(DedicatedReplicaSet rs) : IClassFixture<DedicatedReplicaSet>, IAsyncLifetime
{
    private const string Header = "Tabernacle-Session-Time";
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        await rs.RestoreAsync();
        _app = await TestApps.StartAsync(
            b => b.Services.AddTabernacle<NotesContext>(rs.ConnectionString("ryw")),
            app =>
            {
                // The secondaries lag 3 s here; the bound on the wait is tested in ReadYourWritesTokenTests.
                app.UseTabernacleReadYourWrites<NotesContext>(o => o.CausalReadTimeout = TimeSpan.FromSeconds(20));
                app.MapPost("/notes", async (NotesContext db) =>
                {
                    var note = new Note { Text = "posted" };
                    db.Notes.Add(note);
                    await db.SaveChangesAsync(WriteConcern.W1);
                    return Results.Redirect($"/notes/{note.Id}");
                });
                app.MapGet("/notes/{id}", async (string id, NotesContext db) =>
                    await db.Notes.AnyAsync(n => n.Id == ObjectId.Parse(id)) ? Results.Ok(id) : Results.NotFound())
                    .WithReadPreference(ReadPreferenceMode.Secondary);
                app.MapGet("/count", (NotesContext db) => db.Notes.CountAsync());
            });
        // Warm the connections up before the secondaries fall behind.
        using var client = _app.GetTestClient();
        (await client.GetAsync("/count")).EnsureSuccessStatusCode();
        foreach (var member in rs.Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            member.ReplicationDelay = TimeSpan.FromSeconds(3);
        }
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await rs.RestoreAsync();
    }

    private static HttpClient NoRedirects(WebApplication app)
    {
        var client = app.GetTestServer().CreateClient();   // the test server's client follows no redirects
        return client;
    }

    [Fact]
    public async Task The_redirected_GET_sees_the_write_from_a_lagging_secondary_with_the_cookie()
    {
        using var client = NoRedirects(_app);
        var post = await client.PostAsync("/notes", null);
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.True(post.Headers.TryGetValues(Header, out var tokens));
        var cookie = Assert.Single(post.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("tabernacle-session-time=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);

        var get = new HttpRequestMessage(HttpMethod.Get, post.Headers.Location);
        get.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await client.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(tokens!);
    }

    [Fact]
    public async Task The_header_works_as_well_as_the_cookie()
    {
        using var client = NoRedirects(_app);
        var post = await client.PostAsync("/notes", null);
        var get = new HttpRequestMessage(HttpMethod.Get, post.Headers.Location);
        get.Headers.Add(Header, post.Headers.GetValues(Header).Single());
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(get)).StatusCode);
    }

    [Fact]
    public async Task Without_the_session_time_the_lagging_secondary_does_not_have_the_write_yet()
    {
        using var client = NoRedirects(_app);
        var post = await client.PostAsync("/notes", null);
        var response = await client.GetAsync(post.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_request_that_only_reads_sets_no_session_time_and_a_garbled_token_is_ignored()
    {
        using var client = NoRedirects(_app);
        var request = new HttpRequestMessage(HttpMethod.Get, "/count");
        request.Headers.Add(Header, "not-a-token!");
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.False(response.Headers.Contains(Header));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }
}
