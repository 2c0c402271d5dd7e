using Tabernacle.EfCore.Extensions;
using Tabernacle.MongoEmulator;

namespace LibraryManagement.Endpoints;

public sealed record MemberView(string Name, string Role, bool Healthy, double? LagMs, DateTimeOffset? OpTime,
    DateTimeOffset? LastHeartbeat, long ReadsServed, bool? ReplicationPaused);

public sealed record ClusterView(bool Embedded, string State, string? SetName, string Source, string? Primary,
    IReadOnlyList<MemberView> Members, IReadOnlyDictionary<string, long> ReadsByReadPreference);

/// <summary>The dashboard's JSON, and (embedded emulator only) its failover buttons.</summary>
public static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        var cluster = app.MapGroup("/api/cluster").WithTags("Cluster");

        cluster.MapGet("/", (IReplicaSetMonitor monitor, LibraryMode mode) =>
        {
            var status = monitor.Current;
            return new ClusterView(
                mode.IsEmbedded,
                status.State.ToString(),
                status.SetName,
                status.Source.ToString(),
                status.Primary?.Name,
                status.Members.Select(m => new MemberView(
                    m.Name, m.Role.ToString(), m.IsHealthy, m.ReplicationLag?.TotalMilliseconds, m.OpTime, m.LastHeartbeat, m.ReadsServed,
                    mode.Emulator?.Members.FirstOrDefault(e => e.Host == m.Name)?.IsReplicationPaused)).ToList(),
                status.ReadsByReadPreference);
        });

        cluster.MapPost("/step-down", async (LibraryMode mode, IReplicaSetMonitor monitor, CancellationToken ct) =>
        {
            if (mode.Emulator is not { } emulator)
            {
                return Results.Problem(
                    "Failover buttons work only on the embedded emulator; this app runs on a configured replica set.",
                    statusCode: StatusCodes.Status404NotFound);
            }

            var previous = emulator.Primary?.Host;
            var elected = await emulator.StepDownAsync(TimeSpan.FromSeconds(5), ct);
            await monitor.RefreshAsync(ct);
            return Results.Ok(new { previous, primary = elected.Host });
        }).RequireAuthorization("admin");

        // Failover controls: admins only (bearer token, or the dashboard's cookie plus its antiforgery token).
        cluster.MapPost("/members/{name}/pause", (string name, LibraryMode mode) => Toggle(mode, name, pause: true))
            .RequireAuthorization("admin");
        cluster.MapPost("/members/{name}/resume", (string name, LibraryMode mode) => Toggle(mode, name, pause: false))
            .RequireAuthorization("admin");
    }

    private static IResult Toggle(LibraryMode mode, string name, bool pause)
    {
        if (mode.Emulator is not { } emulator)
        {
            return Results.Problem(
                "Failover buttons work only on the embedded emulator; this app runs on a configured replica set.",
                statusCode: StatusCodes.Status404NotFound);
        }

        if (emulator.Members.FirstOrDefault(m => m.Host == name) is not { } member)
        {
            return Results.NotFound();
        }

        if (pause && member.Role != EmulatorMemberRole.Secondary)
        {
            return Results.Problem("Only a secondary's replication can be paused.", statusCode: StatusCodes.Status409Conflict);
        }

        if (pause)
        {
            member.PauseReplication();
        }
        else
        {
            member.ResumeReplication();
        }

        return Results.Ok(new { name, paused = member.IsReplicationPaused });
    }
}
