using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>The health endpoint's JSON carries the check's status, description and member data, not a bare "Healthy".</summary>
public sealed class HealthResponseWriterTests
{
    [Fact]
    public async Task The_report_is_written_as_json_with_each_checks_data()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var data = new Dictionary<string, object> { ["primary"] = "h1:27017", ["members"] = new[] { "h1:27017", "h2:27017" } };
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["tabernacle"] = new(HealthStatus.Degraded, "h2:27017 lags 12 s", TimeSpan.FromMilliseconds(3), null, data),
            },
            TimeSpan.FromMilliseconds(4));

        await TabernacleHealthResponseWriter.WriteAsync(context, report);

        context.Response.Body.Position = 0;
        using var json = await JsonDocument.ParseAsync(context.Response.Body);
        var root = json.RootElement;
        Assert.StartsWith("application/json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal("Degraded", root.GetProperty("status").GetString());
        var check = Assert.Single(root.GetProperty("checks").EnumerateArray().ToList());
        Assert.Equal("tabernacle", check.GetProperty("name").GetString());
        Assert.Equal("h2:27017 lags 12 s", check.GetProperty("description").GetString());
        Assert.Equal("h1:27017", check.GetProperty("data").GetProperty("primary").GetString());
        Assert.Equal(2, check.GetProperty("data").GetProperty("members").GetArrayLength());
    }
}
