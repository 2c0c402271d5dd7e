using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Tabernacle.EfCore.Diagnostics;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

// Not "Tests.Diagnostics": that namespace would hide Tabernacle.EfCore.Diagnostics from the other test folders.
namespace Tabernacle.EfCore.Tests.CommandDiagnostics;

public sealed partial class CommandLoggingTests : ProviderTestBase<ShopContext>
{
    private const string SecretName = "Zanzibar-Secret-Name";

    private List<string> Executed() =>
        Logs.Entries.Where(e => e.EventId == TabernacleEventId.CommandExecuted).Select(e => e.Message).ToList();

    [GeneratedRegex(@"\((\d+) ms\)")]
    private static partial Regex Elapsed();

    [Fact]
    public async Task Every_command_logs_collection_MQL_server_and_elapsed_time()
    {
        await using var db = CreateContext();
        Logs.Clear();
        db.Products.Add(new Product { Name = "logged" });
        await db.SaveChangesAsync();
        _ = await db.Products.Where(p => p.Stock > 5).OrderBy(p => p.Name).ToListAsync();
        _ = await db.Products.CountAsync(p => p.Stock > 5);

        var messages = Executed();
        Assert.Equal(3, messages.Count);
        Assert.All(messages, m =>
        {
            Assert.Contains($"{DatabaseName}.products", m);
            Assert.Matches(Elapsed(), m);
            Assert.Matches(@"server (127\.0\.0\.1|localhost|[\w.-]+):\d+", m);
            Assert.DoesNotContain("server (unknown)", m);
        });
        Assert.Contains("db.products.bulkWrite([{ \"insertOne\"", messages[0]);
        Assert.True(messages[1].Contains("db.products.find({ \"Stock\" : { \"$gt\" : ? } }).sort({ \"Name\" : ", StringComparison.Ordinal), messages[1]);
        Assert.True(messages[2].Contains("db.products.aggregate([{ \"$match\" : { \"Stock\" : { \"$gt\" : ? } } }, { \"$count\" : ", StringComparison.Ordinal), messages[2]);
        Assert.All(Logs.Entries.Where(e => e.EventId == TabernacleEventId.CommandExecuted), e =>
            Assert.Equal(LogLevel.Information, e.Level));
    }

    [Fact]
    public async Task Values_appear_only_with_sensitive_data_logging()
    {
        await using (var db = CreateContext())
        {
            Logs.Clear();
            db.Products.Add(new Product { Name = SecretName });
            await db.SaveChangesAsync();
            var name = SecretName;
            _ = await db.Products.Where(p => p.Name == name).ToListAsync();
            Assert.Equal(2, Executed().Count);
            Assert.All(Logs.Entries, e => Assert.DoesNotContain(SecretName, e.Message));
            Assert.Contains("\"Name\" : { \"$eq\" : ? }", Executed()[1]);
        }

        await using (var sensitive = CreateContext(core: b => b.EnableSensitiveDataLogging()))
        {
            Logs.Clear();
            var name = SecretName;
            _ = await sensitive.Products.Where(p => p.Name == name).ToListAsync();
            Assert.Contains($"\"Name\" : {{ \"$eq\" : \"{SecretName}\" }}", Assert.Single(Executed()));
        }
    }

    [Fact]
    public async Task Failed_commands_log_with_their_own_event_id()
    {
        await using var db = CreateContext();
        db.Customers.Add(new Customer { Email = "same@x", Name = "one" });
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        db.Customers.Add(new Customer { Email = "same@x", Name = "two" });
        Logs.Clear();
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        var failed = Assert.Single(Logs.Entries, e => e.EventId == TabernacleEventId.CommandFailed);
        // A duplicate key is a unique index doing its job, answered by the application: a warning, not an error.
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains("customers", failed.Message);
        Assert.Contains("E11000", failed.Message);
        Assert.DoesNotContain("same@x", failed.Message);   // a unique key's value is often a user's name or e-mail
    }

    [Fact]
    public async Task A_password_never_reaches_logs_or_errors()
    {
        const string password = "Pa55-W0rd-Never-Logged";
        var url = new MongoUrlBuilder(Backend.ConnectionString) { Username = "app", Password = password, AuthenticationSource = "admin" };
        var connectionString = url.ToMongoUrl().ToString();
        var options = new DbContextOptionsBuilder<ShopContext>()
            .UseTabernacle(connectionString, DatabaseName, o =>
                o.ConfigureClientSettings(s => s.ServerSelectionTimeout = TimeSpan.FromSeconds(3)))
            .UseLoggerFactory(LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace)))
            .EnableSensitiveDataLogging()
            .Options;
        Logs.Clear();
        Exception? error = null;
        await using (var db = new ShopContext(options))
        {
            try
            {
                _ = await db.Products.Where(p => p.Name == "x").ToListAsync();
                db.Products.Add(new Product { Name = "y" });
                await db.SaveChangesAsync();
            }
            catch (Exception ex)
            {
                // Whether the server accepts or refuses the credentials, neither path may show the password.
                error = ex;
            }
        }

        Assert.NotEmpty(Logs.Entries);
        Assert.All(Logs.Entries, e => Assert.DoesNotContain(password, e.Message));
        if (error is not null)
        {
            Assert.DoesNotContain(password, error.ToString());
        }
    }
}
