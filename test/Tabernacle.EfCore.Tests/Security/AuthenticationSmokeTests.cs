using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.MongoEmulator;
using Xunit.Abstractions;

namespace Tabernacle.EfCore.Tests.Security;

/// <summary>
/// The provider against a replica set with authentication on: credentials from the connection string, from
/// <see cref="MongoClientSettings"/> and from an application's client all carry the smoke subset of provider operations,
/// and a wrong password fails clearly without showing the password.
/// </summary>
public sealed class AuthenticationSmokeTests(AuthenticatedReplicaSet replicaSet, ITestOutputHelper output)
    : IClassFixture<AuthenticatedReplicaSet>
{
    public enum CredentialSource
    {
        ConnectionString,
        ClientSettings,
        ProvidedClient,
    }

    private MongoReplicaSetEmulator Emulator => replicaSet.Emulator;

    [Theory]
    [InlineData(CredentialSource.ConnectionString)]
    [InlineData(CredentialSource.ClientSettings)]
    [InlineData(CredentialSource.ProvidedClient)]
    public async Task Smoke_subset_runs_with_credentials(CredentialSource source)
    {
        var database = Backend.UniqueDatabaseName("auth");
        using var client = source == CredentialSource.ProvidedClient ? new MongoClient(Settings(replicaSet.ConnectionString)) : null;
        await using var db = CreateContext(database, source, client);

        // EnsureCreated: collections and the unique index.
        Assert.True(await db.Database.EnsureCreatedAsync());

        // Insert.
        db.Accounts.AddRange(
            new Account { Number = 1, Owner = "ada", Balance = 50 },
            new Account { Number = 2, Owner = "brian", Balance = 150 },
            new Account { Number = 3, Owner = "carol", Balance = 250 });
        Assert.Equal(3, await db.SaveChangesAsync());

        // Query with a filter (runs on the server).
        var rich = await db.Accounts.Where(a => a.Balance > 100).OrderBy(a => a.Number).ToListAsync();
        Assert.Equal([2, 3], rich.Select(a => a.Number));

        // Update.
        rich[0].Balance += 5;
        Assert.Equal(1, await db.SaveChangesAsync());

        // Delete.
        db.Accounts.Remove(rich[1]);
        Assert.Equal(1, await db.SaveChangesAsync());

        // A transaction: one commit, one abort.
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Accounts.Add(new Account { Number = 4, Owner = "dave", Balance = 400 });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Accounts.Add(new Account { Number = 5, Owner = "erin", Balance = 500 });
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        db.ChangeTracker.Clear();

        // A secondary read: the context's causally consistent session makes it see every write above.
        var before = Emulator.Members.Select(m => m.OpCounters.Query).ToArray();
        var fromSecondary = await db.Accounts.WithReadPreference(ReadPreference.Secondary).OrderBy(a => a.Number).ToListAsync();
        Assert.Equal([(1, 50), (2, 155), (4, 400)], fromSecondary.Select(a => (a.Number, a.Balance)));
        var served = Emulator.Members.Select((m, i) => (m.Role, Finds: m.OpCounters.Query - before[i])).ToList();
        Assert.Contains(served, s => s.Role == EmulatorMemberRole.Secondary && s.Finds > 0);

        // The server saw it all: the primary holds the committed documents only.
        await Emulator.WaitForReplicationAsync(TimeSpan.FromSeconds(15));
        foreach (var member in Emulator.Members)
        {
            Assert.Equal([1, 2, 4], member.GetDocuments(database, "accounts").Select(d => d["Number"].AsInt32).Order());
        }

        Assert.True(await db.Database.EnsureDeletedAsync());
        output.WriteLine(
            $"{source}: EnsureCreated, insert, filtered query, update, delete, transaction (commit and abort), secondary read, " +
                $"EnsureDeleted all authenticated");
    }

    [Fact]
    public async Task Without_credentials_the_server_refuses_with_Unauthorized()
    {
        await using var db = CreateContext(Backend.UniqueDatabaseName("anon"), connectionString: replicaSet.AnonymousConnectionString);
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => db.Accounts.CountAsync());
        output.WriteLine(Messages(error));
        Assert.Equal(13, error.Code);
        Assert.Equal("Unauthorized", error.CodeName);
    }

    [Fact]
    public async Task A_wrong_password_fails_with_AuthenticationFailed_and_never_shows_a_password()
    {
        var connectionString = Emulator.GetConnectionString(AuthenticatedReplicaSet.User, AuthenticatedReplicaSet.WrongPassword);
        await using var db = CreateContext(Backend.UniqueDatabaseName("wrong"), connectionString: connectionString);

        var queryError = await Assert.ThrowsAnyAsync<Exception>(() => db.Accounts.Where(a => a.Balance > 1).ToListAsync());
        var createError = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.EnsureCreatedAsync());
        db.Accounts.Add(new Account { Number = 1, Owner = "mallory" });
        var saveError = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        // The save's own message says what happened, with MongoDB's code name, without the reader digging for it.
        Assert.Contains("AuthenticationFailed", saveError.Message, StringComparison.Ordinal);
        Assert.IsType<MongoAuthenticationException>(saveError.InnerException);
        foreach (var error in new[] { queryError, createError, saveError })
        {
            var messages = Messages(error);
            output.WriteLine($"{error.GetType().Name}: {messages}");
            Assert.True(
                messages.Contains("AuthenticationFailed", StringComparison.Ordinal)
                    || messages.Contains("Authentication failed", StringComparison.OrdinalIgnoreCase),
                $"the error should say that authentication failed: {messages}");
            AssertNoPassword(error.ToString());
            AssertNoPassword(messages);
        }
    }

    [Fact]
    public async Task A_wrong_password_is_not_retried_as_a_transient_failure()
    {
        var connectionString = Emulator.GetConnectionString(AuthenticatedReplicaSet.User, AuthenticatedReplicaSet.WrongPassword);
        await using var db =
            CreateContext(Backend.UniqueDatabaseName("wrong"), connectionString: connectionString, configure: o =>
                o.EnableRetryOnFailure());
        var clock = System.Diagnostics.Stopwatch.StartNew();

        db.Accounts.Add(new Account { Number = 1, Owner = "mallory" });
        var saveError = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        var queryError = await Assert.ThrowsAsync<MongoAuthenticationException>(() => db.Accounts.Where(a => a.Balance > 1).ToListAsync());

        // Retrying cannot fix a password: six retries with back-off would hide the cause behind RetryLimitExceededException for a minute.
        output.WriteLine($"both failed in {clock.ElapsedMilliseconds} ms: {saveError.Message}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the wrong password took {clock.Elapsed} to fail: it was retried");
        Assert.Contains("AuthenticationFailed", saveError.Message, StringComparison.Ordinal);
        AssertNoPassword(saveError.ToString());
        AssertNoPassword(queryError.ToString());
    }

    private static void AssertNoPassword(string text)
    {
        foreach (var password in new[] { AuthenticatedReplicaSet.Password, AuthenticatedReplicaSet.WrongPassword })
        {
            Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(password), text, StringComparison.Ordinal);
        }
    }

    /// <summary>The messages of an exception and all its inner exceptions, one per line.</summary>
    internal static string Messages(Exception exception)
    {
        var lines = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            lines.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static MongoClientSettings Settings(string connectionString)
    {
        var settings = MongoClientSettings.FromConnectionString(connectionString);
        Tune(settings);
        return settings;
    }

    private static void Tune(MongoClientSettings settings)
    {
        settings.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(10);
    }

    private SecurityContext CreateContext(string database, CredentialSource source = CredentialSource.ConnectionString,
        IMongoClient? client = null, string? connectionString = null, Action<TabernacleDbContextOptionsBuilder>? configure = null)
    {
        var builder = new DbContextOptionsBuilder<SecurityContext>();
        switch (source)
        {
            case CredentialSource.ConnectionString:
                builder.UseTabernacle(connectionString ?? replicaSet.ConnectionString, database, o =>
                {
                    o.ConfigureClientSettings(Tune);
                    configure?.Invoke(o);
                });
                break;
            case CredentialSource.ClientSettings:
                // The connection string names no user: the credential comes from the settings alone.
                builder.UseTabernacle(replicaSet.AnonymousConnectionString, database, o => o.ConfigureClientSettings(s =>
                {
                    Tune(s);
                    s.Credential =
                        MongoCredential.CreateCredential("admin", AuthenticatedReplicaSet.User, AuthenticatedReplicaSet.Password);
                }));
                break;
            case CredentialSource.ProvidedClient:
                builder.UseTabernacle(client!, database);
                break;
        }

        return new SecurityContext(builder.Options);
    }
}
