using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Tests.Infrastructure;

/// <summary>A test class with its own database on the shared backend, and a factory for contexts on it.</summary>
public abstract class ProviderTestBase<TContext> : IAsyncLifetime
    where TContext : DbContext
{
    protected Backend Backend { get; private set; } = null!;

    protected string DatabaseName { get; } = Backend.UniqueDatabaseName(typeof(TContext).Name.ToLowerInvariant());

    /// <summary>Log lines the contexts wrote (for tests of logging and of the MQL sent).</summary>
    protected CapturingLoggerProvider Logs { get; } = new();

    public virtual async Task InitializeAsync()
    {
        Backend = await TestBackend.GetAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
        await SeedAsync();
    }

    protected virtual Task SeedAsync() => Task.CompletedTask;

    protected TContext CreateContext(Action<TabernacleDbContextOptionsBuilder>? configure = null,
        Action<DbContextOptionsBuilder<TContext>>? core = null)
    {
        var builder = new DbContextOptionsBuilder<TContext>()
            .UseTabernacle(Backend.ConnectionString, DatabaseName, configure)
            .UseLoggerFactory(LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Information)));
        core?.Invoke(builder);
        return (TContext)Activator.CreateInstance(typeof(TContext), builder.Options)!;
    }

    /// <summary>The raw collection, to check what was stored or to write documents the provider did not.</summary>
    protected IMongoCollection<BsonDocument> RawCollection(string name) =>
        Backend.CreateClient().GetDatabase(DatabaseName).GetCollection<BsonDocument>(name);

    public virtual async Task DisposeAsync()
    {
        await Backend.CreateClient().DropDatabaseAsync(DatabaseName);
    }
}

/// <summary>Collects formatted log messages.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, EventId EventId,
        string Message)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, EventId EventId, string Message)> Entries => _entries.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Clear() => _entries.Clear();

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((category, logLevel, eventId, formatter(state, exception)));
    }
}
