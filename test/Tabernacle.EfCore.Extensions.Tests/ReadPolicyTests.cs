using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using MongoDB.Driver.Core.Servers;

namespace Tabernacle.EfCore.Extensions.Tests;

[ApiController]
[Route("mvc")]
[ReadPreference(ReadPreferenceMode.SecondaryPreferred)]
public sealed class PolicyController(NotesContext db) : ControllerBase
{
    [HttpGet("controller")]
    public string Controller() => db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString();

    [HttpGet("action")]
    [ReadPreference(ReadPreferenceMode.Nearest)]
    public string Action() => db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString();

    [HttpGet("count")]
    [ReadPreference(ReadPreferenceMode.Secondary)]
    public Task<int> Count() => db.Notes.CountAsync();
}

/// <summary>
/// Endpoint read policies, on the shared backend. Where the reads went is seen through the app's own client (its
/// command events and its view of the members), so other tests on the same replica set do not blur the counts.
/// </summary>
public sealed class ReadPolicyTests : SharedBackendTests
{
    private readonly ConcurrentQueue<(string Command, EndPoint Server)> _commands = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string? _after;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var database = NewDatabase("policy");
        _app = await TestApps.StartAsync(
            b =>
            {
                b.Services.AddTabernacle<NotesContext>(Backend.ConnectionStringFor(database), o => o.ConfigureClientSettings(c =>
                    c.ClusterConfigurator = cb => cb.Subscribe<CommandStartedEvent>(e =>
                    {
                        if (e.DatabaseNamespace?.DatabaseName == database)
                        {
                            _commands.Enqueue((e.CommandName, e.ConnectionId.ServerId.EndPoint));
                        }
                    })));
                b.Services.AddControllers().AddApplicationPart(typeof(PolicyController).Assembly);
            },
            app =>
            {
                app.MapControllers();
                app.MapGet("/plain", (NotesContext db) => db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString());
                app.MapGet("/secondary", (NotesContext db) => db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString())
                    .WithReadPreference(ReadPreferenceMode.Secondary);
                var group = app.MapGroup("/group").WithReadPreference(ReadPreferenceMode.SecondaryPreferred);
                group.MapGet("/inherited", (NotesContext db) => db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString());
                group.MapGet("/own", (NotesContext db) => db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString())
                    .WithReadPreference(ReadPreferenceMode.Nearest);
                app.MapGet("/nested", (NotesContext db) =>
                {
                    var seen = new List<string> { db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString() };
                    using (db.Database.UseDefaultReadPreference(ReadPreference.Primary))
                    {
                        seen.Add(db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString());
                        using (db.Database.UseDefaultReadPreference(ReadPreference.Nearest))
                        {
                            seen.Add(db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString());
                        }

                        seen.Add(db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString());
                    }

                    seen.Add(db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString());
                    return seen;
                }).WithReadPreference(ReadPreferenceMode.Secondary);
                // Reads on a secondary, then a write, which must go to the primary (a secondary would refuse it).
                app.MapPost("/read-then-write", async (NotesContext db, HttpContext http) =>
                {
                    var before = await db.Notes.CountAsync();
                    db.Notes.Add(new Note { Text = "written under a secondary policy" });
                    await db.SaveChangesAsync(WriteConcern.WMajority);
                    // What the same context defaults to once the filter restored it is checked by a later middleware.
                    http.Items["db"] = db;
                    return before;
                }).WithReadPreference(ReadPreferenceMode.Secondary);
                app.Use(async (http, next) =>
                {
                    await next(http);
                    if (http.Items["db"] is NotesContext db)
                    {
                        _after = db.Database.GetDefaultReadPreference().ReadPreferenceMode.ToString();
                    }
                });
            });
        _client = _app.GetTestClient();
    }

    public override async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await base.DisposeAsync();
    }

    [Theory]
    [InlineData("/plain", "Primary")]
    [InlineData("/secondary", "Secondary")]
    [InlineData("/group/inherited", "SecondaryPreferred")]
    [InlineData("/group/own", "Nearest")]
    [InlineData("/mvc/controller", "SecondaryPreferred")]
    [InlineData("/mvc/action", "Nearest")]
    public async Task The_endpoints_policy_is_the_contexts_default_during_the_request(string path, string expected)
    {
        var body = await _client.GetStringAsync(path);
        Assert.Equal($"\"{expected}\"", body.StartsWith('"') ? body : $"\"{body}\"");
    }

    [Fact]
    public async Task Nested_scopes_inside_a_policy_restore_in_order()
    {
        var seen = await _client.GetFromJsonAsync<string[]>("/nested");
        Assert.Equal(["Secondary", "Primary", "Nearest", "Primary", "Secondary"], seen!);
    }

    private static readonly string[] ReadCommands = ["aggregate", "find", "count", "distinct"];

    /// <summary>The kind of member that served each of the app's commands named <paramref name="names"/> sent after the first <paramref
    /// name="mark"/>.</summary>
    private List<ServerType> ServedBy(int mark, params string[] names)
    {
        var servers = _app.Services.GetRequiredService<IMongoClient>().Cluster.Description.Servers;
        return _commands.Skip(mark).Where(c => names.Contains(c.Command))
            .Select(c => servers.SingleOrDefault(s => s.EndPoint.Equals(c.Server))?.Type ?? ServerType.Unknown)
            .ToList();
    }

    [Fact]
    public async Task Reads_go_to_a_secondary_writes_to_the_primary_and_the_previous_default_comes_back()
    {
        var mark = _commands.Count;
        var response = await _client.PostAsync("/read-then-write", null);
        response.EnsureSuccessStatusCode();
        var reads = ServedBy(mark, ReadCommands);
        Assert.NotEmpty(reads);
        Assert.All(reads, t => Assert.Equal(ServerType.ReplicaSetSecondary, t));   // the count ran on a secondary
        Assert.Equal(ServerType.ReplicaSetPrimary, Assert.Single(ServedBy(mark, "insert")));
        Assert.Equal("Primary", _after);
    }

    [Fact]
    public async Task A_controller_action_reads_from_a_secondary()
    {
        var mark = _commands.Count;
        (await _client.GetAsync("/mvc/count")).EnsureSuccessStatusCode();
        var reads = ServedBy(mark, ReadCommands);
        Assert.NotEmpty(reads);
        Assert.All(reads, t => Assert.Equal(ServerType.ReplicaSetSecondary, t));   // and none on the primary
    }

    [Fact]
    public void A_read_preference_that_breaks_MongoDBs_rules_is_refused_when_mapping()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        using var app = builder.Build();
        Assert.Throws<ArgumentException>(() =>
            app.MapGet("/x", () =>
                "x").WithReadPreference(new ReadPreference(ReadPreferenceMode.Secondary, maxStaleness: TimeSpan.FromSeconds(10))));
    }
}
