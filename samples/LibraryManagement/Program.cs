using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LibraryManagement;
using LibraryManagement.Endpoints;
using LibraryManagement.LiveUpdates;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;
using Tabernacle.MongoEmulator;

var builder = WebApplication.CreateBuilder(args);

// EF Core's "saving failed" event logs the whole exception, whose inner MongoDB message names a duplicate key's value
// (a user name, an e-mail address): the endpoints answer those failures themselves, and the provider's own command log
// is redacted, so the event stays out of the logs.
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Update", LogLevel.None);

// The replica set: ConnectionStrings:Library when configured, else an embedded 3-member emulator on loopback. The
// emulator keeps the library in Library:DataDirectory (App_Data/emulator under the app's folder by default), so a
// restart keeps the data; Library:InMemory=true keeps it in memory instead, gone when the app stops.
var connectionString = builder.Configuration.GetConnectionString("Library");
MongoReplicaSetEmulator? emulator = null;
string? dataDirectory = null;
if (string.IsNullOrWhiteSpace(connectionString))
{
    if (!builder.Configuration.GetValue("Library:InMemory", false))
    {
        var configured = builder.Configuration["Library:DataDirectory"];
        var folder = string.IsNullOrEmpty(configured) ? Path.Combine("App_Data", "emulator") : configured;
        dataDirectory = Path.GetFullPath(folder, builder.Environment.ContentRootPath);
    }

    emulator = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions
    {
        Members = 3,
        ElectionTimeout = TimeSpan.FromMilliseconds(500),
        DataDirectory = dataDirectory,
    });
    connectionString = emulator.ConnectionString.Replace("/?", "/library?", StringComparison.Ordinal);
    // Stopped once the host has stopped (also under WebApplicationFactory): the members go down and the data directory
    // is closed, with a last checkpoint and its lock released for the next start.
    builder.Services.AddHostedService(_ => new EmbeddedEmulatorLifetime(emulator));
}

builder.Services.AddSingleton(new LibraryMode(emulator));
builder.Services.AddTabernacle<LibraryContext>(connectionString, o => o
    .DefaultReadPreference(ReadPreference.SecondaryPreferred)
    .EnableRetryOnFailure(maxRetryCount: 5, maxRetryDelay: TimeSpan.FromSeconds(2)));
builder.Services.AddHealthChecks().AddTabernacle(maxLag: TimeSpan.FromSeconds(10)).AddTabernacleChangeFeeds(
    maxLag: TimeSpan.FromSeconds(30));
builder.Services.AddChangeFeedService<LibraryManagement.LiveUpdates.ReservationNotifier>();

// JWT: the signing key comes from Jwt:Key (at least 32 characters). Development without one makes a key up per run
// (tokens then die with the process); any other environment refuses to start without one.
var jwtKey = builder.Configuration["Jwt:Key"];
if (jwtKey is { Length: > 0 and < 32 })
{
    throw new InvalidOperationException("Jwt:Key is too short: the JWT signing key needs at least 32 characters.");
}

if (string.IsNullOrEmpty(jwtKey) && !builder.Environment.IsDevelopment())
{
    throw new InvalidOperationException(
        $"Jwt:Key is not configured, and the {builder.Environment.EnvironmentName} environment refuses to start without a JWT signing key. "
        + "Set it (at least 32 random characters) through the Jwt__Key environment variable, user secrets or a key vault; "
        + "or run with --environment Development, which makes a key up for each run.");
}

var jwt = new JwtSettings(
    builder.Configuration["Jwt:Issuer"] ?? "LibraryManagement",
    builder.Configuration["Jwt:Audience"] ?? "LibraryManagement",
    new SymmetricSecurityKey(jwtKey is { Length: > 0 } ? Encoding.UTF8.GetBytes(jwtKey) : RandomNumberGenerator.GetBytes(32)));
builder.Services.AddSingleton(jwt);
builder.Services.AddSingleton<TokenService>();
builder.Services.AddLibraryIdentity();
builder.Services.AddScoped<CredentialChecker>();
builder.Services.AddLibraryRateLimits(builder.Configuration);
// Data Protection keys (sign-in cookies, antiforgery and read-your-writes tokens) live in the library's database.
builder.Services.AddDataProtection().SetApplicationName("LibraryManagement").PersistKeysToDbContext<LibraryContext>();
builder.Services.AddLibrarySecurity(jwt);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("librarian", p => p.RequireRole(Roles.Librarian, Roles.Admin))
    .AddPolicy("admin", p => p.RequireRole(Roles.Admin));
builder.Services.AddProblemDetails();
builder.Services.AddLibraryOpenApi();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new ObjectIdJsonConverter()));

var app = builder.Build();

// Errors are ProblemDetails: exceptions become a bare 500 (no stack, no headers) outside Development, and empty 4xx
// answers (404 of routing, 401, 403) get a body too.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit();

app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseCookieCsrfProtection();   // before authorisation: a forged cross-site request is refused whoever's cookie it rides
app.UseAuthorization();
app.UseRateLimiter();
app.UseTabernacleReadYourWrites<LibraryContext>();

app.MapOpenApi();
app.UseSwaggerUI(o =>
{
    o.SwaggerEndpoint("/openapi/v1.json", "Library API");
    o.RoutePrefix = "swagger";
});
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = TabernacleHealthResponseWriter.WriteAsync });

app.MapAuthEndpoints();
app.MapBookEndpoints();
app.MapLoanEndpoints();
app.MapReservationEndpoints();
app.MapStatsEndpoints();
app.MapClusterEndpoints();
app.MapActivityEndpoints();

var seedDemoData = app.Configuration.GetValue("Library:Seed", true);
if (seedDemoData && !app.Environment.IsDevelopment())
{
    app.Logger.LogWarning(
        "Library:Seed is on in {Environment}: the demo users' passwords are published in the README. "
        + "Set Library:Seed=false for a deployment",
        app.Environment.EnvironmentName);
}

await Seed.RunAsync(app.Services, seedDemoData);

app.Lifetime.ApplicationStarted.Register(() =>
{
    var mode = emulator is null
        ? "the configured replica set (ConnectionStrings:Library)"
        : $"an embedded 3-member emulator ({emulator.ConnectionString}; data {dataDirectory ?? "in memory"})";
    foreach (var url in app.Urls)
    {
        Console.WriteLine($"Library is running at {url} on {mode}: dashboard {url}/, API page {url}/swagger, health {url}/health");
    }
});

await app.RunAsync();

/// <summary>The entry point; public so that WebApplicationFactory can host it in tests.</summary>
public partial class Program;
