using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Compatibility;

/// <summary>
/// LogTo (EF's simple logging) shows each command once, with the read preference, read concern or write concern it
/// really carried; the activity tags say the same.
/// </summary>
public sealed class LogToTests : ProviderTestBase<ShopContext>
{
    private readonly ConcurrentQueue<string> _lines = new();

    private ShopContext Logged() =>
        CreateContext(core: b => b.LogTo(_lines.Enqueue, [DbLoggerCategory.Database.Command.Name], LogLevel.Information));

    private List<string> Commands() => _lines.Where(l => l.Contains("Executed ", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task LogTo_shows_each_command_once_with_the_options_it_carried()
    {
        await using var db = Logged();
        db.Products.Add(new Product { Name = "logged" });
        await db.SaveChangesAsync(new WriteConcern(1, wTimeout: TimeSpan.FromSeconds(2)));
        _ = await db.Products.WithReadConcern(ReadConcern.Majority).Where(p => p.Stock > 1).ToListAsync();

        var commands = Commands();
        Assert.Equal(2, commands.Count);
        Assert.Contains("db.products.bulkWrite(", commands[0], StringComparison.Ordinal);
        Assert.Contains("write concern { \"w\" : 1, \"wtimeout\" : 2000 }", commands[0], StringComparison.Ordinal);
        Assert.DoesNotContain("read preference", commands[0], StringComparison.Ordinal);
        Assert.Contains("read concern majority", commands[1], StringComparison.Ordinal);
        Assert.Contains("Microsoft.EntityFrameworkCore.Database.Command.MongoCommandExecuted", commands[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_tags_carry_the_write_concern_only_on_writes_and_the_read_concern_only_on_reads()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Tabernacle.EfCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.GetTagItem("db.namespace") as string == DatabaseName) activities.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(listener);

        await using var db = CreateContext();
        db.Products.Add(new Product { Name = "traced" });
        await db.SaveChangesAsync(new WriteConcern(1, wTimeout: TimeSpan.FromSeconds(2)));
        _ = await db.Products.WithReadConcern(ReadConcern.Majority).ToListAsync();

        var write = Assert.Single(activities, a => a.GetTagItem("db.operation.name") as string == "bulkWrite");
        Assert.Equal("{ \"w\" : 1, \"wtimeout\" : 2000 }", write.GetTagItem("tabernacle.write_concern"));
        Assert.Null(write.GetTagItem("tabernacle.read_preference"));
        var read = Assert.Single(activities, a => a.GetTagItem("db.operation.name") as string == "find");
        Assert.Null(read.GetTagItem("tabernacle.write_concern"));
        Assert.Equal("majority", read.GetTagItem("tabernacle.read_concern"));
    }
}
