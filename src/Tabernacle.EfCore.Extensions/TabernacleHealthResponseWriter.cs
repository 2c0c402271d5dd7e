using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tabernacle.EfCore.Extensions;

/// <summary>
/// A health endpoint's response as JSON, with what the Tabernacle check found: the overall status and, per check, its
/// status, description and data (members, roles, health and lag; never credentials or connection strings). ASP.NET Core's
/// default writer answers a bare <c>Healthy</c>.
/// </summary>
/// <example><code>app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = TabernacleHealthResponseWriter.WriteAsync
/// });</code></example>
public static class TabernacleHealthResponseWriter
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="report"/> to the response as <c>application/json</c>.</summary>
    /// <param name="context">The request's context.</param>
    /// <param name="report">The health report to write.</param>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            totalDuration = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = e.Value.Duration.TotalMilliseconds,
                data = e.Value.Data,
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Options, context.RequestAborted);
    }
}
