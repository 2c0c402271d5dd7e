using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Diagnostics;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.CommandDiagnostics;

/// <summary>An app without ASP.NET Core finds the provider's activity source by the name the provider itself publishes.</summary>
public sealed class TelemetryNamesTests : ProviderTestBase<ShopContext>
{
    [Fact]
    public async Task A_listener_on_TabernacleTelemetry_ActivitySourceName_sees_each_command()
    {
        var marker = $"telemetry-{Guid.NewGuid():N}";
        var seen = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TabernacleTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = seen.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var db = CreateContext();
        db.Products.Add(new Product { Name = marker });
        await db.SaveChangesAsync();
        _ = await db.Products.Where(p => p.Name == marker).ToListAsync();

        Assert.Equal("Tabernacle.EfCore", TabernacleTelemetry.ActivitySourceName);
        var mine = seen.Where(a => Equals(a.GetTagItem("db.namespace"), DatabaseName)).ToList();
        Assert.Contains(mine, a => Equals(a.GetTagItem("db.operation.name"), "bulkWrite"));
        Assert.Contains(mine, a => Equals(a.GetTagItem("db.operation.name"), "find"));
    }
}
