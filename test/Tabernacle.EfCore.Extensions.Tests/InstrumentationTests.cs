using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>Traces and metrics, on the shared backend (the members are read from the monitor, not from an emulator).</summary>
public sealed class InstrumentationTests : SharedBackendTests
{
    [Fact]
    public async Task The_activity_source_and_the_reads_meter_carry_the_member_and_the_read_preference()
    {
        var database = NewDatabase("otel");
        var activities = new ConcurrentBag<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == TabernacleInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => activities.Add(a),
        };
        ActivitySource.AddActivityListener(activityListener);
        var reads = new ConcurrentBag<(string Server, string Mode)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == TabernacleInstrumentation.MeterName && i.Name == TabernacleInstrumentation.ReadsInstrumentName)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? server = null, mode = null;
            foreach (var t in tags)
            {
                if (t.Key == TabernacleInstrumentation.ServerTagName) server = t.Value as string;
                if (t.Key == TabernacleInstrumentation.ReadPreferenceTagName) mode = t.Value as string;
            }

            reads.Add((server!, mode!));
        });
        meterListener.Start();

        var services = new ServiceCollection().AddLogging().AddTabernacle<NotesContext>(Backend.ConnectionStringFor(database));
        await using var sp = services.BuildServiceProvider();
        using var scope = sp.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        db.Notes.Add(new Note { Text = "traced" });
        await db.SaveChangesAsync();
        using (db.Database.UseDefaultReadPreference(ReadPreference.Secondary))
        {
            Assert.Equal(1, await db.Notes.CountAsync());
        }

        // The monitor shows the members and the reads served per member.
        var monitor = sp.GetRequiredService<IReplicaSetMonitor>();
        var status = await monitor.RefreshAsync();
        var secondaries = status.Members.Where(m => m.Role == ReplicaSetMemberRole.Secondary).Select(m => m.Name).ToList();
        Assert.Contains(reads, r => r.Mode == "Secondary" && secondaries.Contains(r.Server));
        Assert.Contains(activities, a =>
            a.GetTagItem("db.namespace") as string == database && a.GetTagItem("tabernacle.read_preference") as string == "Secondary");
        Assert.True(status.Members.Where(m => secondaries.Contains(m.Name)).Sum(m => m.ReadsServed) >= 1);
        Assert.True(status.ReadsByReadPreference.GetValueOrDefault("Secondary") >= 1);
    }
}
