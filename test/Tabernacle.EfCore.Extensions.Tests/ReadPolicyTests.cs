using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions.Internal;
using Tabernacle.MongoEmulator;

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

public sealed class ReadPolicyTests(ReplicaSetFixture rs) : IClassFixture<ReplicaSetFixture>, IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string? _after;

    public async Task InitializeAsync()
    {
        ReadCounter.EnsureStarted();
        await rs.RestoreAsync();
        _app = await TestApps.StartAsync(
            b =>
            {
                b.Services.AddTabernacle<NotesContext>(rs.ConnectionString("policy"));
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

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
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

    // Reads served per member, from the provider's reads counter (member addresses are unique to this class's emulator).
    private long QueriesOn(Func<EmulatorMember, bool> which) => rs.Emulator.Members.Where(which).Sum(m => ReadCounter.ReadsServedBy(m.Host));

    [Fact]
    public async Task Reads_go_to_a_secondary_writes_to_the_primary_and_the_previous_default_comes_back()
    {
        var primary = rs.Emulator.Primary!;
        var secondaryQueries = QueriesOn(m => m.Role == EmulatorMemberRole.Secondary);
        var primaryInserts = primary.OpCounters.Insert;
        var response = await _client.PostAsync("/read-then-write", null);
        response.EnsureSuccessStatusCode();
        Assert.True(QueriesOn(m => m.Role == EmulatorMemberRole.Secondary) > secondaryQueries, "the count ran on a secondary");
        Assert.Equal(primaryInserts + 1, primary.OpCounters.Insert);
        Assert.Equal("Primary", _after);
    }

    [Fact]
    public async Task A_controller_action_reads_from_a_secondary()
    {
        var secondaryQueries = QueriesOn(m => m.Role == EmulatorMemberRole.Secondary);
        var primaryQueries = QueriesOn(m => m.Role == EmulatorMemberRole.Primary);
        (await _client.GetAsync("/mvc/count")).EnsureSuccessStatusCode();
        Assert.True(QueriesOn(m => m.Role == EmulatorMemberRole.Secondary) > secondaryQueries);
        Assert.Equal(primaryQueries, QueriesOn(m => m.Role == EmulatorMemberRole.Primary));
    }

    [Fact]
    public void A_read_preference_that_breaks_MongoDBs_rules_is_refused_when_mapping()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        using var app = builder.Build();
        Assert.Throws<ArgumentException>(() => app.MapGet("/x", () => "x").WithReadPreference(new ReadPreference(ReadPreferenceMode.Secondary, maxStaleness: TimeSpan.FromSeconds(10))));
    }
}
