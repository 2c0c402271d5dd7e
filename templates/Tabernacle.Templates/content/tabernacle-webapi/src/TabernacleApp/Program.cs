using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;
using Tabernacle.MongoEmulator;
using TabernacleApp;

var builder = WebApplication.CreateBuilder(args);

// A real replica set from ConnectionStrings:Tasks (appsettings, environment, command line); without one, an
// in-process 3-member emulator, so the app runs on a machine without MongoDB.
var connectionString = builder.Configuration.GetConnectionString("Tasks");
MongoReplicaSetEmulator? emulator = null;
if (string.IsNullOrEmpty(connectionString))
{
    emulator = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 3 });
    connectionString = emulator.ConnectionString.Replace("/?", "/tasks?", StringComparison.Ordinal);
}

builder.Services.AddTabernacle<TasksContext>(connectionString, o => o
    .DefaultReadPreference(ReadPreference.SecondaryPreferred)
    .EnableRetryOnFailure());
builder.Services.AddHealthChecks().AddTabernacle(maxLag: TimeSpan.FromSeconds(10));

var app = builder.Build();
app.MapHealthChecks("/health");

var tasks = app.MapGroup("/api/tasks");

// Lists may lag a little behind: any member will do.
tasks.MapGet("/", async (TasksContext db, CancellationToken cancellationToken) =>
        (await db.Tasks.OrderBy(t => t.CreatedAt).Take(100).ToListAsync(cancellationToken)).Select(TaskView.Of))
    .WithReadPreference(ReadPreferenceMode.SecondaryPreferred);

// One task, fresh from the primary.
tasks.MapGet("/{id}", async (string id, TasksContext db, CancellationToken cancellationToken) =>
        MongoDB.Bson.ObjectId.TryParse(id, out var taskId) && await db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken)
            is { } task
            ? Results.Ok(TaskView.Of(task))
            : Results.NotFound())
    .WithReadPreference(ReadPreferenceMode.Primary);

tasks.MapPost("/", async (NewTask request, TasksContext db, CancellationToken cancellationToken) =>
{
    var task = new TaskItem { Title = request.Title };
    db.Tasks.Add(task);
    try
    {
        await db.SaveChangesAsync(cancellationToken);
    }
    catch (TabernacleValidationException ex)
    {
        return Results.ValidationProblem(ex.Failures
            .SelectMany(f => f.MemberNames.Select(m => (Member: m, f.ErrorMessage)))
            .GroupBy(f => f.Member)
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).ToArray()));
    }

    return Results.Created($"/api/tasks/{task.Id}", TaskView.Of(task));
});

await app.RunAsync();
if (emulator is not null)
{
    await emulator.DisposeAsync();
}

/// <summary>Lets the tests start the app through WebApplicationFactory.</summary>
public partial class Program;
