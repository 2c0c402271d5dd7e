// A web app that knows Tabernacle only through its packages: AddTabernacle, the health check and an endpoint read
// policy, on an emulator started from the package; it calls itself over HTTP and exits 0 when everything answered.
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;
using Tabernacle.MongoEmulator;

await using var rs = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 3 });
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddTabernacle<NotesContext>($"{rs.ConnectionString.Replace("/?", "/notes?", StringComparison.Ordinal)}");
builder.Services.AddHealthChecks().AddTabernacle(maxLag: TimeSpan.FromSeconds(10));

var app = builder.Build();
app.MapHealthChecks("/health");
app.MapPost("/notes", async (Note note, NotesContext db) =>
{
    db.Notes.Add(note);
    await db.SaveChangesAsync();
    return Results.Created($"/notes/{note.Id}", new { id = note.Id.ToString() });
});
app.MapGet("/notes", async (NotesContext db) => (await db.Notes.ToListAsync()).Select(n => n.Text))
   .WithReadPreference(ReadPreferenceMode.SecondaryPreferred);

await app.StartAsync();
using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
var created = await http.PostAsJsonAsync("/notes", new { text = "hello from a package" });
var health = await http.GetAsync("/health");
string[]? texts = null;
for (var attempt = 0; attempt < 50 && texts is not { Length: 1 }; attempt++)
{
    texts = await http.GetFromJsonAsync<string[]>("/notes");
}

await app.StopAsync();
if (!created.IsSuccessStatusCode || !health.IsSuccessStatusCode || texts is not ["hello from a package"])
{
    Console.Error.WriteLine($"post {created.StatusCode}, health {health.StatusCode}, notes {string.Join(",", texts ?? [])}");
    return 1;
}

Console.WriteLine("web app: AddTabernacle, health and read policy worked through the packages");
return 0;

public class Note
{
    public ObjectId Id { get; set; }

    public string Text { get; set; } = "";
}

public class NotesContext(DbContextOptions<NotesContext> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}
