using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Infrastructure.Internal;
using Tabernacle.EfCore.Storage.Internal;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Configuration;

public class Note
{
    public ObjectId Id { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>A plain DbContext subclass: no provider base class is needed.</summary>
public class NotesContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}

public sealed class UseTabernacleTests : IAsyncLifetime
{
    private const string Password = "s3cr3t-P4ss";
    private Backend _backend = null!;
    private readonly string _database = Backend.UniqueDatabaseName("config");

    public async Task InitializeAsync() => _backend = await TestBackend.GetAsync();

    public async Task DisposeAsync() => await _backend.CreateClient().DropDatabaseAsync(_database);

    private string ConnectionStringWithDatabase(string database) =>
        new MongoUrlBuilder(_backend.ConnectionString) { DatabaseName = database }.ToMongoUrl().ToString();

    private async Task<string> RoundTripAsync(DbContextOptions options)
    {
        var text = $"note {Guid.NewGuid():N}";
        await using (var db = new NotesContext(options))
        {
            db.Notes.Add(new Note { Text = text });
            await db.SaveChangesAsync();
        }

        await using (var db = new NotesContext(options))
        {
            return (await db.Notes.SingleAsync(n => n.Text == text)).Text;
        }
    }

    private async Task<long> StoredCountAsync(string database) =>
        await _backend.CreateClient().GetDatabase(database).GetCollection<BsonDocument>("notes").CountDocumentsAsync(
            FilterDefinition<BsonDocument>.Empty);

    [Fact]
    public async Task Connection_string_path_names_the_database()
    {
        var options = new DbContextOptionsBuilder<NotesContext>().UseTabernacle(ConnectionStringWithDatabase(_database)).Options;
        Assert.Equal(_database, options.FindExtension<TabernacleOptionsExtension>()!.DatabaseName);
        await RoundTripAsync(options);
        Assert.Equal(1, await StoredCountAsync(_database));
    }

    [Fact]
    public async Task Explicit_database_name_wins_over_the_path()
    {
        var options = new DbContextOptionsBuilder<NotesContext>()
            .UseTabernacle(ConnectionStringWithDatabase("not_this_one"), _database, o =>
                o.ConfigureClientSettings(s => s.ApplicationName = "explicit-db"))
            .Options;
        await RoundTripAsync(options);
        Assert.Equal(1, await StoredCountAsync(_database));
    }

    [Fact]
    public async Task A_client_the_application_owns_can_be_used()
    {
        var client = new MongoClient(_backend.ConnectionString);
        var options = new DbContextOptionsBuilder<NotesContext>().UseTabernacle(client, _database).Options;
        await using var db = new NotesContext(options);
        Assert.Same(client, db.GetService<TabernacleClientWrapper>().Client);
        await RoundTripAsync(options);
        Assert.Equal(1, await StoredCountAsync(_database));
    }

    [Fact]
    public void Non_generic_builder_works_too()
    {
        var builder = new DbContextOptionsBuilder();
        builder.UseTabernacle(_backend.ConnectionString, _database);
        using var db = new NotesContext(builder.Options);
        Assert.Equal("Tabernacle.EfCore", db.Database.ProviderName);
    }

    [Fact]
    public void A_connection_string_without_a_database_says_how_to_name_one_and_hides_the_password()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new DbContextOptionsBuilder<NotesContext>().UseTabernacle($"mongodb://admin:{Password}@localhost:27017/?replicaSet=rs0"));
        Assert.Contains("names no database", error.Message);
        Assert.Contains("UseTabernacle(connectionString, databaseName)", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    [Theory]
    [InlineData($"mongodb://admin:{Password}@localhost:notaport/shop")]
    [InlineData($"postgres://admin:{Password}@localhost/shop")]
    [InlineData($"mongodb://admin:{Password}@localhost/shop?replicaSet=rs0&w=sometimes&journal=maybe")]
    public void An_unparsable_connection_string_says_what_is_expected_and_hides_the_password(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => new DbContextOptionsBuilder<NotesContext>().UseTabernacle(connectionString));
        Assert.Contains("could not be parsed", error.Message);
        Assert.Contains("mongodb://host1:27017", error.Message);
        Assert.DoesNotContain(Password, error.Message);
        Assert.DoesNotContain(Password, error.ToString());
    }

    [Fact]
    public void Empty_arguments_are_rejected_with_their_names()
    {
        Assert.Equal("databaseName",
            Assert.ThrowsAny<ArgumentException>(() =>
                new DbContextOptionsBuilder().UseTabernacle(_backend.ConnectionString, " ")).ParamName);
        Assert.Equal("connectionString",
            Assert.ThrowsAny<ArgumentException>(() => new DbContextOptionsBuilder().UseTabernacle("")).ParamName);
        Assert.Equal("mongoClient",
            Assert.ThrowsAny<ArgumentException>(() => new DbContextOptionsBuilder().UseTabernacle((IMongoClient)null!, "db")).ParamName);
    }

    [Fact]
    public void Provider_options_without_a_connection_say_to_call_UseTabernacle()
    {
        var builder = new DbContextOptionsBuilder<NotesContext>();
        new TabernacleDbContextOptionsBuilder(builder).ConfigureClientSettings(s => s.ApplicationName = "x");
        using var db = new NotesContext(builder.Options);
        var error = Assert.Throws<InvalidOperationException>(() => db.Notes.ToList());
        Assert.Contains("UseTabernacle(connectionString)", error.Message);
    }

    [Fact]
    public void The_options_log_fragment_never_contains_the_password()
    {
        var options = new DbContextOptionsBuilder<NotesContext>().UseTabernacle($"mongodb://admin:{Password}@localhost:27017/shop").Options;
        var fragment = options.FindExtension<TabernacleOptionsExtension>()!.Info.LogFragment;
        Assert.Contains("localhost:27017", fragment);
        Assert.DoesNotContain(Password, fragment);
        Assert.DoesNotContain("admin", fragment);
    }

    [Fact]
    public async Task One_client_is_shared_per_distinct_settings()
    {
        IMongoClient ClientOf(DbContextOptions options)
        {
            using var db = new NotesContext(options);
            return db.GetService<TabernacleClientWrapper>().Client;
        }

        var plain = new DbContextOptionsBuilder<NotesContext>().UseTabernacle(_backend.ConnectionString, _database).Options;
        var again = new DbContextOptionsBuilder<NotesContext>().UseTabernacle(_backend.ConnectionString, _database + "_other").Options;
        var named = new DbContextOptionsBuilder<NotesContext>()
            .UseTabernacle(_backend.ConnectionString, _database, o =>
                o.ConfigureClientSettings(s => s.ApplicationName = "shared-client-test"))
            .Options;

        var first = ClientOf(plain);
        Assert.Same(first, ClientOf(plain));
        Assert.Same(first, ClientOf(again));
        var withName = ClientOf(named);
        Assert.NotSame(first, withName);
        Assert.Same(withName, ClientOf(named));
        Assert.Equal("shared-client-test", withName.Settings.ApplicationName);
        // Other test classes create clients in parallel, so the cache's size says nothing here; the sharing is asserted above.

        // A hundred contexts on the same options still use that one client.
        for (var i = 0; i < 100; i++)
        {
            Assert.Same(first, ClientOf(plain));
        }

        await Task.CompletedTask;
    }
}
