using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Configuration;
using Tabernacle.EfCore.Infrastructure.Internal;
using Tabernacle.EfCore.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tabernacle.EfCore.Tests.Security;

/// <summary>
/// The password of a connection string never shows: not in logs at any level (sensitive data logging and the driver's
/// own logging on), not in activities, not in <c>ToString()</c> of the options, not in any exception message, whether
/// the operation succeeds or fails (server error, wrong password, unreachable server, duplicate key, validation).
/// </summary>
public sealed class CredentialLeakTests(AuthenticatedReplicaSet replicaSet, ITestOutputHelper output)
    : IClassFixture<AuthenticatedReplicaSet>, IDisposable
{
    private const string Password = AuthenticatedReplicaSet.Password;

    private const string WrongPassword = AuthenticatedReplicaSet.WrongPassword;

    private readonly CapturedText _captured = new();

    private readonly string _database = Backend.UniqueDatabaseName("leak");

    [Fact]
    public async Task The_password_appears_in_no_log_activity_option_text_or_exception()
    {
        using var listener = _captured.ListenToActivities();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(_captured).SetMinimumLevel(LogLevel.Trace));
        var right = replicaSet.ConnectionString;

        // The scan must be able to find a leak: the connection strings themselves hold the passwords, raw and escaped.
        Assert.Contains(Uri.EscapeDataString(Password), right, StringComparison.Ordinal);
        Assert.NotEmpty(Leaks([("canary", right)]));

        // Successful operations.
        await using (var db = CreateContext(right, loggerFactory))
        {
            _captured.Describe(db);
            await db.Database.EnsureCreatedAsync();
            db.Accounts.AddRange(new Account { Number = 1, Owner = "ada", Balance = 10 },
                new Account { Number = 2, Owner = "brian", Balance = 20 });
            await db.SaveChangesAsync();
            var found = await db.Accounts.Where(a => a.Balance > 5).OrderBy(a => a.Number).ToListAsync();
            found[0].Balance = 11;
            db.Accounts.Remove(found[1]);
            await db.SaveChangesAsync();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.Accounts.Add(new Account { Number = 3, Owner = "carol" });
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }

            Assert.Equal(2, await db.Accounts.WithReadPreference(ReadPreference.Secondary).CountAsync());

            // A filter the server rejects.
            await Capture(() => db.Accounts.FromMql(BsonDocument.Parse("{ Balance: { $bogus: 1 } }")).ToListAsync());

            // A duplicate key.
            db.Accounts.Add(new Account { Number = 1, Owner = "again" });
            await Capture(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();

            // A validation error (DataAnnotations, before anything is sent).
            db.Accounts.Add(new Account { Number = 4, Owner = new string('x', 41) });
            await Capture(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
        }

        // The wrong password, with and without retries.
        var wrong = replicaSet.Emulator.GetConnectionString(AuthenticatedReplicaSet.User, WrongPassword);
        await using (var db = CreateContext(wrong, loggerFactory))
        {
            _captured.Describe(db);
            await Capture(() => db.Accounts.Where(a => a.Balance > 5).ToListAsync());
            await Capture(() => db.Database.EnsureCreatedAsync());
            db.Accounts.Add(new Account { Number = 9, Owner = "mallory" });
            await Capture(() => db.SaveChangesAsync());
        }

        await using (var db = CreateContext(wrong, loggerFactory, o => o.EnableRetryOnFailure(1, TimeSpan.FromMilliseconds(20))))
        {
            db.Accounts.Add(new Account { Number = 9, Owner = "mallory" });
            await Capture(() => db.SaveChangesAsync());
        }

        // An unreachable server (a port nothing listens on), a short server selection timeout, and one retry.
        var unreachable =
            $"mongodb://{AuthenticatedReplicaSet.User}:{Uri.EscapeDataString(Password)}@127.0.0.1:{ClosedPort()}/?authSource=admin&serverSelectionTimeoutMS=300&connectTimeoutMS=300";
        await using (var db = CreateContext(unreachable, loggerFactory, o => o.EnableRetryOnFailure(1, TimeSpan.FromMilliseconds(20))))
        {
            _captured.Describe(db);
            await Capture(() => db.Accounts.Where(a => a.Balance > 5).ToListAsync());
            db.Accounts.Add(new Account { Number = 9, Owner = "nobody" });
            await Capture(() => db.SaveChangesAsync());
        }

        // A connection string the driver cannot parse.
        Capture(() =>
            CreateContext($"mongodb://{AuthenticatedReplicaSet.User}:{Password}@127.0.0.1:notaport/?authSource=admin",
                loggerFactory).Accounts.Count());

        var texts = _captured.Texts;
        var counts = texts.GroupBy(t => t.Source).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"scanned {texts.Count} texts: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}");

        // The scan saw what it should: every kind of source, the failures it provoked and the provider's command logs.
        Assert.True(counts.GetValueOrDefault("exception") >= 9, "every failing operation should have thrown");
        Assert.True(counts.GetValueOrDefault("log") >= 50, "logging at Trace should have captured the commands");
        Assert.True(counts.GetValueOrDefault("activity") >= 10, "the provider's activities should have been captured");
        Assert.True(counts.GetValueOrDefault("options") >= 5, "the options' text should have been captured");
        Assert.Contains(texts, t => t.Source == "log" && t.Text.Contains("AuthenticationFailed", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Source == "log" && t.Text.Contains("$bogus", StringComparison.Ordinal));

        var leaks = Leaks(texts);
        Assert.True(leaks.Count == 0, "the password leaked:\n" + string.Join("\n\n", leaks.Take(5).Select(l => $"[{l.Source}] {l.Text}")));
    }

    private static List<(string Source, string Text)> Leaks(IEnumerable<(string Source, string Text)> texts)
    {
        string[] needles = [Password, Uri.EscapeDataString(Password), WrongPassword, Uri.EscapeDataString(WrongPassword)];
        return texts.Where(t => needles.Any(n => t.Text.Contains(n, StringComparison.Ordinal))).ToList();
    }

    private async Task Capture(Func<Task> action)
    {
        var error = await Record.ExceptionAsync(action);
        Assert.NotNull(error);
        _captured.Add(error);
    }

    private void Capture(Action action)
    {
        var error = Record.Exception(action);
        Assert.NotNull(error);
        _captured.Add(error);
    }

    private SecurityContext CreateContext(string connectionString, ILoggerFactory loggerFactory,
        Action<TabernacleDbContextOptionsBuilder>? configure = null)
    {
        var options = new DbContextOptionsBuilder<SecurityContext>()
            .UseTabernacle(connectionString, _database, o =>
            {
                o.ConfigureClientSettings(s =>
                {
                    s.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
                    if (s.ServerSelectionTimeout > TimeSpan.FromSeconds(10))
                    {
                        s.ServerSelectionTimeout = TimeSpan.FromSeconds(10);
                    }

                    // The driver's own logging too, at every level.
                    s.LoggingSettings = new LoggingSettings(loggerFactory);
                });
                configure?.Invoke(o);
            })
            .UseLoggerFactory(loggerFactory)
            .EnableSensitiveDataLogging()
            .EnableDetailedErrors()
            .Options;
        _captured.Describe(options);
        return new SecurityContext(options);
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        using var client = new MongoClient(replicaSet.ConnectionString);
        client.DropDatabase(_database);
    }

    /// <summary>Every text the run produced: log lines (message, state values, exception), activities, option descriptions,
    /// exceptions.</summary>
    private sealed class CapturedText : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Source, string Text)> _texts = new();

        public IReadOnlyList<(string Source, string Text)> Texts => _texts.ToList();

        public ActivityListener ListenToActivities()
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "Tabernacle.EfCore" || s.Name.StartsWith("MongoDB", StringComparison.Ordinal),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Add,
            };
            ActivitySource.AddActivityListener(listener);
            return listener;
        }

        public void Add(Activity activity)
        {
            var parts =
                new List<string?> { activity.Source.Name, activity.OperationName, activity.DisplayName, activity.StatusDescription };
            parts.AddRange(activity.TagObjects.Select(t => $"{t.Key}={t.Value}"));
            parts.AddRange(activity.Baggage.Select(b => $"{b.Key}={b.Value}"));
            parts.AddRange(activity.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}: {t.Key}={t.Value}")));
            _texts.Enqueue(("activity", string.Join(" | ", parts)));
        }

        public void Add(Exception exception)
        {
            _texts.Enqueue(("exception", exception.ToString()));
            foreach (var e in Flatten(exception))
            {
                _texts.Enqueue(("exception", $"{e.GetType().FullName}: {e.Message}"));
                foreach (DictionaryEntry entry in e.Data)
                {
                    _texts.Enqueue(("exception", $"{entry.Key}={entry.Value}"));
                }

                if (e is MongoCommandException command)
                {
                    _texts.Enqueue(("exception", command.Result?.ToString() ?? ""));
                }
            }
        }

        public void Describe(DbContextOptions options)
        {
            _texts.Enqueue(("options", options.ToString() ?? ""));
            foreach (var extension in options.Extensions)
            {
                _texts.Enqueue(("options", extension.ToString() ?? ""));
                _texts.Enqueue(("options", extension.Info.LogFragment));
                var debugInfo = new Dictionary<string, string>();
                extension.Info.PopulateDebugInfo(debugInfo);
                _texts.Enqueue(("options", string.Join(", ", debugInfo.Select(d => $"{d.Key}={d.Value}"))));
            }

            var tabernacle = options.FindExtension<TabernacleOptionsExtension>();
            Assert.NotNull(tabernacle);
        }

        public void Describe(DbContext context)
        {
            _texts.Enqueue(("options", context.ToString() ?? ""));
            _texts.Enqueue(("options", context.Database.ToString() ?? ""));
            _texts.Enqueue(("options", context.ContextId.ToString()));
            _texts.Enqueue(("options", context.GetService<IDbContextOptions>().ToString() ?? ""));
        }

        private static IEnumerable<Exception> Flatten(Exception exception)
        {
            var pending = new Stack<Exception>([exception]);
            while (pending.Count > 0)
            {
                var e = pending.Pop();
                yield return e;
                if (e is AggregateException aggregate)
                {
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        pending.Push(inner);
                    }
                }
                else if (e.InnerException is { } inner)
                {
                    pending.Push(inner);
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, CapturedText owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner._texts.Enqueue(("log", $"{category} scope: {state}"));
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                owner._texts.Enqueue(("log", $"{logLevel} {category} {eventId}: {formatter(state, exception)}"));
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var value in values)
                    {
                        owner._texts.Enqueue(("log", $"{value.Key}={Describe(value.Value)}"));
                    }
                }

                if (exception is not null)
                {
                    owner.Add(exception);
                    owner._texts.Enqueue(("log", exception.ToString()));
                }
            }

            private static string? Describe(object? value) => value is IEnumerable sequence and not string
                ? string.Join(", ", sequence.Cast<object?>())
                : value?.ToString();
        }
    }
}
