using System.Net.Http.Headers;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Tabernacle.EfCore;

namespace LibraryManagement.Tests;

/// <summary>
/// The sample hosted in-process on the shared backend (<see cref="TestBackend"/>: the in-process emulator, or the replica
/// set of TABERNACLE_TEST_MONGODB / TABERNACLE_TEST_DOCKER): <c>ConnectionStrings:Library</c> names it, with a database
/// of this factory's own that is dropped with the factory. Call <see cref="InitializeAsync"/> first (xunit does for a
/// class fixture).
/// </summary>
public class LibraryFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private Backend? _backend;

    /// <summary>The database the app works in.</summary>
    public string DatabaseName { get; } = Backend.UniqueDatabaseName("library");

    /// <summary>What the app logged (at the levels its configuration lets through).</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The app's environment (Development unless a test checks what Production answers).</summary>
    public string EnvironmentName { get; init; } = "Development";

    /// <summary>Sign-in and registration attempts per client address per minute.</summary>
    public int RateLimitPerClient { get; init; } = 100_000;

    /// <summary>Sign-in and registration attempts per account name per minute.</summary>
    public int RateLimitPerAccount { get; init; } = 100_000;

    /// <summary>Whether the app starts its own embedded emulator instead of using the shared backend.</summary>
    protected virtual bool UsesEmbeddedEmulator => false;

    /// <summary>The embedded emulator's data folder; <c>null</c> keeps it in memory (Library:InMemory), as tests should.</summary>
    protected virtual string? EmbeddedDataDirectory => null;

    /// <summary>The shared backend (not for <see cref="EmbeddedEmulatorLibraryFactory"/>).</summary>
    public Backend SharedBackend =>
        _backend ?? throw new InvalidOperationException("This factory is not on the shared backend, or InitializeAsync was not called.");

    public async Task InitializeAsync()
    {
        if (!UsesEmbeddedEmulator)
        {
            _backend = await TestBackend.GetAsync();
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_backend is not null)
        {
            await _backend.DropDatabaseAsync(DatabaseName);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        if (EnvironmentName != "Development")
        {
            builder.UseSetting("Jwt:Key", "test-signing-key-of-at-least-32-characters");
        }

        builder.ConfigureLogging(l => l.ClearProviders().AddProvider(Logs));
        // Every test client comes from one address: the limits have tests of their own (AbuseLimitTests).
        builder.UseSetting("RateLimits:PerClient", RateLimitPerClient.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("RateLimits:PerAccount", RateLimitPerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!UsesEmbeddedEmulator)
        {
            builder.UseSetting("ConnectionStrings:Library", SharedBackend.ConnectionStringFor(DatabaseName));
        }
        else if (EmbeddedDataDirectory is { } data)
        {
            builder.UseSetting("Library:DataDirectory", data);
        }
        else
        {
            builder.UseSetting("Library:InMemory", "true");
        }
    }

    public async Task<string> TokenAsync(string user, string password)
    {
        using var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new LoginRequest(user, password));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuthResponse>(Json.Options))!.Token;
    }

    public async Task<HttpClient> ClientAsAsync(string user, string password)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(user, password));
        return client;
    }

    public Task<HttpClient> AdminAsync() => ClientAsAsync(Seed.AdminUser, Seed.AdminPassword);

    public Task<HttpClient> LibrarianAsync() => ClientAsAsync(Seed.LibrarianUser, Seed.LibrarianPassword);

    public Task<HttpClient> MemberAsync() => ClientAsAsync(Seed.MemberUser, Seed.MemberPassword);

    /// <summary>Registers a new member and returns a client signed in as them.</summary>
    public async Task<HttpClient> NewMemberAsync(string? name = null)
    {
        name ??= $"m{Guid.NewGuid():N}"[..12];
        var client = CreateClient();
        var response =
            await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest(name, $"{name}@example.org", "long-enough-password"));
        response.EnsureSuccessStatusCode();
        var auth = (await response.Content.ReadFromJsonAsync<AuthResponse>(Json.Options))!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth.Token);
        return client;
    }

    /// <summary>Runs <paramref name="action"/> with a context of the app (reads on the primary).</summary>
    public async Task<T> WithDbAsync<T>(Func<LibraryContext, Task<T>> action)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LibraryContext>();
        using var primary =
            Tabernacle.EfCore.Extensions.TabernacleReadPolicyExtensions.UseDefaultReadPreference(db.Database, ReadPreference.Primary);
        return await action(db);
    }

    public Task<Book> BookAsync(string title) => WithDbAsync(db => db.Books.FirstAsync(b => b.Title == title));

    /// <summary>A new book (and nothing else) with <paramref name="copies"/> copies.</summary>
    public Task<Book> NewBookAsync(int copies) => WithDbAsync(async db =>
    {
        var author = await db.Authors.FirstAsync();
        var category = await db.Categories.FirstAsync();
        var isbn = string.Concat(Enumerable.Range(0, 13).Select(_ => (char)('0' + Random.Shared.Next(10))));
        var book =
            new Book { Title = $"Test book {isbn}", Isbn = isbn, AuthorId = author.Id, CategoryId = category.Id, TotalCopies = copies,
                AvailableCopies = copies };
        db.Books.Add(book);
        await db.SaveChangesAsync(WriteConcern.WMajority);
        return book;
    });
}

/// <summary>
/// The sample with no connection string, so that it starts its own embedded 3-member emulator (disposed with the
/// factory) whatever the backend: for the tests that steer the members through the dashboard's step-down and pause
/// buttons, which work only on the embedded emulator and would disturb every other test on a shared replica set.
/// </summary>
public sealed class EmbeddedEmulatorLibraryFactory : LibraryFactory
{
    protected override bool UsesEmbeddedEmulator => true;

    /// <summary>A data folder for the embedded emulator (a temporary one in tests); <c>null</c> keeps it in memory.</summary>
    public string? DataDirectory { get; init; }

    protected override string? EmbeddedDataDirectory => DataDirectory;
}

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="timeout"/> (15 s by default).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {limit}: {because}");
            }

            await Task.Delay(50);
        }
    }
}

public static class Json
{
    /// <summary>The app's JSON options: web defaults with ObjectIds as hex strings.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Options =
        new(System.Text.Json.JsonSerializerDefaults.Web) { Converters = { new ObjectIdJsonConverter() } };
}

/// <summary>Keeps every log entry of an app, for tests that check what is logged and at which level.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
    }
}
