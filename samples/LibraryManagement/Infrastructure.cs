using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator;

namespace LibraryManagement;

/// <summary>Whether the app runs on its embedded emulator (the dashboard's failover buttons need it).</summary>
public sealed record LibraryMode(MongoReplicaSetEmulator? Emulator)
{
    public bool IsEmbedded => Emulator is not null;
}

/// <summary>Stops the embedded emulator after the app has stopped serving requests.</summary>
public sealed class EmbeddedEmulatorLifetime(MongoReplicaSetEmulator emulator) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // After every hosted service (the web server included) stopped, so no request is cut off by the members going down.
    public async Task StoppedAsync(CancellationToken cancellationToken) => await emulator.DisposeAsync();
}

public sealed record JwtSettings(string Issuer, string Audience, SymmetricSecurityKey Key);

public sealed class TokenService(JwtSettings settings)
{
    public string Issue(User user, IList<string> roles) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = settings.Issuer,
        Audience = settings.Audience,
        Expires = DateTime.UtcNow.AddHours(8),
        Claims = new Dictionary<string, object>
        {
            [Security.IdClaim] = user.Id,
            [Security.NameClaim] = user.UserName ?? "",
            [Security.RoleClaim] = roles.ToArray(),
        },
        SigningCredentials = new SigningCredentials(settings.Key, SecurityAlgorithms.HmacSha256),
    });
}

public static class ClaimsPrincipalExtensions
{
    public static string Id(this ClaimsPrincipal user) =>
        user.FindFirstValue(Security.IdClaim) ?? throw new InvalidOperationException("The signed-in user has no id claim.");

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static bool IsLibrarian(this ClaimsPrincipal user) => user.IsInRole(Roles.Librarian) || user.IsInRole(Roles.Admin);
}

/// <summary>ObjectIds travel as their 24-character hex strings in JSON.</summary>
public sealed class ObjectIdJsonConverter : JsonConverter<ObjectId>
{
    public override ObjectId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ObjectId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("Expected a 24-character hexadecimal id.");

    public override void Write(Utf8JsonWriter writer, ObjectId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}

public static class Ids
{
    public static bool TryParse(string? text, out ObjectId id) => ObjectId.TryParse(text, out id);
}

public static class Errors
{
    public static bool IsDuplicateKey(DbUpdateException ex) =>
        ex.InnerException is MongoBulkWriteException bulk && bulk.WriteErrors.Any(e => e.Code == 11000)
        || ex.InnerException is MongoWriteException { WriteError.Code: 11000 };

    public static IResult Validation(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
