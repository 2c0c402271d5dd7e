using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions.Internal;
using Tabernacle.MongoEmulator;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>
/// The read-your-writes token under attack (forged, tampered with, another user's, far in the future) and the bounded
/// wait for a paused secondary. Pausing replication steers the members, so the class runs on a <see cref="DedicatedReplicaSet"/>.
/// </summary>
public sealed class ReadYourWritesTokenTests(DedicatedReplicaSet rs) : IClassFixture<DedicatedReplicaSet>, IAsyncLifetime
{
    private const string Header = "Tabernacle-Session-Time";
    private readonly LogSink _logs = new();
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        await rs.RestoreAsync();
        _app = await TestApps.StartAsync(
            b =>
            {
                b.Logging.AddProvider(_logs);
                b.Services.AddTabernacle<NotesContext>(rs.ConnectionString("rywtoken"));
            },
            app =>
            {
                // A stand-in for authentication: X-User names the signed-in user (by its "sub" claim).
                app.Use((context, next) =>
                {
                    if (context.Request.Headers["X-User"].ToString() is { Length: > 0 } user)
                    {
                        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", user)], "test"));
                    }

                    return next(context);
                });
                app.UseTabernacleReadYourWrites<NotesContext>(o => o.CausalReadTimeout = TimeSpan.FromMilliseconds(300));
                app.MapPost("/notes", async (NotesContext db) =>
                {
                    var note = new Note { Text = "posted" };
                    db.Notes.Add(note);
                    await db.SaveChangesAsync(WriteConcern.W1);
                    return Results.Ok(note.Id.ToString());
                });
                app.MapGet("/notes/{id}", async (string id, NotesContext db) =>
                    await db.Notes.AnyAsync(n => n.Id == ObjectId.Parse(id)) ? Results.Ok(id) : Results.NotFound())
                    .WithReadPreference(ReadPreferenceMode.SecondaryPreferred);
                app.MapGet("/strict/{id}", async (string id, NotesContext db) =>
                {
                    try
                    {
                        return await db.Notes.AnyAsync(n => n.Id == ObjectId.Parse(id)) ? Results.Ok(id) : Results.NotFound();
                    }
                    catch (TimeoutException ex)
                    {
                        return Results.Problem(ex.Message, statusCode: StatusCodes.Status504GatewayTimeout);
                    }
                }).WithReadPreference(ReadPreferenceMode.Secondary);
            });
        using var client = _app.GetTestClient();
        (await client.PostAsync("/notes", null)).EnsureSuccessStatusCode();   // warm the connections up
        await rs.Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(15));
        foreach (var member in rs.Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            member.PauseReplication();
        }
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await rs.RestoreAsync();
    }

    private async Task<(string Id, string Token)> PostAsync(HttpClient client, string? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/notes");
        if (user is not null)
        {
            request.Headers.Add("X-User", user);
        }

        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return ((await response.Content.ReadAsStringAsync()).Trim('"'), response.Headers.GetValues(Header).Single());
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? token, string? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Add(Header, token);
        }

        if (user is not null)
        {
            request.Headers.Add("X-User", user);
        }

        return await client.SendAsync(request);
    }

    private IReadOnlyList<string> Warnings() => [.. _logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message)];

    [Fact]
    public async Task The_token_is_opaque_not_the_readable_bson_it_used_to_be()
    {
        using var client = _app.GetTestClient();
        var (_, token) = await PostAsync(client);
        var bytes = WebEncoders.Base64UrlDecode(token);
        Assert.False(bytes.AsSpan().IndexOf("ot\0"u8) >= 0, "the operation time's element name shows in the token");
        Assert.Throws<FormatException>(() => MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonDocument>(bytes));
    }

    [Fact]
    public async Task A_paused_secondary_makes_the_read_wait_at_most_the_bound_then_the_primary_answers_and_the_fallback_is_counted()
    {
        var fallbacks = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TabernacleInstrumentation.MeterName
                && instrument.Name == TabernacleInstrumentation.CausalReadFallbacksInstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TabernacleInstrumentation.OutcomeTagName)
                {
                    fallbacks.Enqueue((string)tag.Value!);
                }
            }
        });
        listener.Start();

        using var client = _app.GetTestClient();
        var (id, token) = await PostAsync(client);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(client, $"/notes/{id}", null)).StatusCode);   // the secondaries lack it

        var started = DateTime.UtcNow;
        var response = await GetAsync(client, $"/notes/{id}", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the read waited for the paused secondary without a bound");
        Assert.Contains("primary", fallbacks);
        Assert.Contains(_logs.Entries, e => e.Message.Contains("went to the primary", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_read_preference_Secondary_the_bounded_wait_fails_with_a_clear_error_instead_of_hanging()
    {
        using var client = _app.GetTestClient();
        var (id, token) = await PostAsync(client);
        var response = await GetAsync(client, $"/strict/{id}", token);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("CausalReadTimeout", body, StringComparison.Ordinal);
        Assert.Contains("forbids the primary", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_issued_to_another_user_is_ignored_and_logged()
    {
        using var client = _app.GetTestClient();
        var (id, token) = await PostAsync(client, "alice");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, $"/notes/{id}", token, "alice")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(client, $"/notes/{id}", token, "mallory")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(client, $"/notes/{id}", token)).StatusCode);   // anonymous
        Assert.Contains(Warnings(), m => m.Contains(nameof(SessionTimeTokenStatus.OtherUser), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tampered_token_is_ignored_and_logged()
    {
        using var client = _app.GetTestClient();
        var (id, token) = await PostAsync(client);
        var chars = token.ToCharArray();
        var middle = chars.Length / 2;
        chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
        var response = await GetAsync(client, $"/notes/{id}", new string(chars));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(Warnings(), m => m.Contains(nameof(SessionTimeTokenStatus.Invalid), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_token_in_the_old_raw_bson_format_is_ignored_and_logged_and_never_reaches_the_session()
    {
        using var client = _app.GetTestClient();
        var (id, _) = await PostAsync(client);
        // What any client could write before: a far-future operation time that would have stalled every read.
        var forged = WebEncoders.Base64UrlEncode(new BsonDocument { { "ot", new BsonTimestamp(int.MaxValue, 1) } }.ToBson());
        var started = DateTime.UtcNow;
        var response = await GetAsync(client, $"/notes/{id}", forged);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Contains(Warnings(), m => m.Contains(nameof(SessionTimeTokenStatus.Invalid), StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains(forged, StringComparison.Ordinal));

        var cookie = new HttpRequestMessage(HttpMethod.Get, $"/notes/{id}");
        cookie.Headers.Add("Cookie", $"tabernacle-session-time={forged}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(cookie)).StatusCode);
        Assert.Contains(Warnings(), m => m.Contains("cookie", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_properly_protected_token_with_times_far_in_the_future_is_ignored_and_logged()
    {
        var protector = _app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(SessionTimeToken.Purpose);
        var future = DateTimeOffset.UtcNow.AddDays(1);
        var farOperationTime = SessionTimeToken.Encode(
            protector, null, new BsonTimestamp((int)future.ToUnixTimeSeconds(), 1), "anonymous", DateTimeOffset.UtcNow.AddMinutes(1));
        var farExpiry = SessionTimeToken.Encode(protector, null, new BsonTimestamp(1, 1), "anonymous", DateTimeOffset.UtcNow.AddYears(1));
        var expired = SessionTimeToken.Encode(protector, null, new BsonTimestamp(1, 1), "anonymous", DateTimeOffset.UtcNow.AddMinutes(-1));
        var otherPurpose = WebEncoders.Base64UrlEncode(_app.Services.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("another purpose")
            .Protect(new BsonDocument { { "ot", new BsonTimestamp(1, 1) }, { "u", "anonymous" } }.ToBson()));
        using var client = _app.GetTestClient();
        foreach (var token in new[] { farOperationTime, farExpiry, expired, otherPurpose })
        {
            (await GetAsync(client, "/notes/000000000000000000000000", token)).Dispose();
        }

        var warnings = Warnings();
        Assert.Equal(2, warnings.Count(m => m.Contains(nameof(SessionTimeTokenStatus.FutureTime), StringComparison.Ordinal)));
        Assert.Single(warnings, m => m.Contains(nameof(SessionTimeTokenStatus.Expired), StringComparison.Ordinal));
        Assert.Single(warnings, m => m.Contains(nameof(SessionTimeTokenStatus.Invalid), StringComparison.Ordinal));
    }
}

/// <summary>Keeps every log entry of an app, for tests that check what was logged and at which level.</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
