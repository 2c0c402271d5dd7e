using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions.Tests;

/// <summary>Registration through AddTabernacle, on the shared backend.</summary>
public sealed class AddTabernacleTests : SharedBackendTests
{
    private ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    [Fact]
    public async Task Registers_a_pooled_context_that_reads_and_writes_through_one_shared_client()
    {
        await using var sp =
            Build(s =>
                s.AddTabernacle<NotesContext>(ConnectionString("add_pooled"), o =>
                    o.DefaultReadPreference(ReadPreference.SecondaryPreferred)));
        Assert.Contains(sp.GetServices<IHostedService>(), h =>
            h.GetType().Name.StartsWith("ReplicaSetMonitorService", StringComparison.Ordinal));
        var shared = sp.GetRequiredService<IMongoClient>();
        NotesContext first;
        using (var scope = sp.CreateScope())
        {
            first = scope.ServiceProvider.GetRequiredService<NotesContext>();
            first.Notes.Add(new Note { Text = "hello" });
            await first.SaveChangesAsync();
            Assert.Same(shared, ContextAccess.ClientOf(first));
            Assert.Equal(ReadPreferenceMode.SecondaryPreferred, first.Database.GetDefaultReadPreference().ReadPreferenceMode);
        }

        using (var scope = sp.CreateScope())
        {
            var second = scope.ServiceProvider.GetRequiredService<NotesContext>();
            Assert.Same(first, second);   // pooled: the same instance, leased again
            Assert.Same(shared, ContextAccess.ClientOf(second));
            Assert.Equal(1, await second.Notes.WithReadPreference(ReadPreference.Primary).CountAsync(n => n.Text == "hello"));
        }
    }

    [Fact]
    public async Task A_context_that_takes_other_services_is_registered_scoped_and_still_shares_the_client()
    {
        await using var sp = Build(s => s.AddTabernacle<ScopedNotesContext>(ConnectionString("add_scoped")));
        ScopedNotesContext a, b;
        using (var scope = sp.CreateScope())
        {
            a = scope.ServiceProvider.GetRequiredService<ScopedNotesContext>();
            Assert.Same(a, scope.ServiceProvider.GetRequiredService<ScopedNotesContext>());
            a.Notes.Add(new Note { Text = "scoped" });
            await a.SaveChangesAsync();
        }

        using (var scope = sp.CreateScope())
        {
            b = scope.ServiceProvider.GetRequiredService<ScopedNotesContext>();
            Assert.NotSame(a, b);
            Assert.Same(sp.GetRequiredService<IMongoClient>(), ContextAccess.ClientOf(b));
            Assert.Equal(1, await b.Notes.CountAsync());
        }
    }

    [Fact]
    public void Pooling_is_chosen_only_for_contexts_whose_constructor_takes_only_options()
    {
        Assert.True(TabernacleAspNetCoreServiceCollectionExtensions.CanPool(typeof(NotesContext)));
        Assert.False(TabernacleAspNetCoreServiceCollectionExtensions.CanPool(typeof(ScopedNotesContext)));
    }

    [Fact]
    public async Task The_configuration_overload_reads_ConnectionStrings_name()
    {
        var database = NewDatabase("add_config");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Notes"] = Backend.ConnectionStringFor(database) })
            .Build();
        await using var sp = Build(s => s.AddTabernacle<NotesContext>(configuration, "Notes"));
        using var scope = sp.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        Assert.Equal(database, ContextAccess.DatabaseNameOf(db));
        Assert.False(await db.Notes.AnyAsync());
    }

    [Fact]
    public async Task The_database_overload_takes_a_connection_string_without_a_database()
    {
        var database = ConnectionString("add_named");
        var url = MongoUrl.Create(database);
        var withoutDatabase = new MongoUrlBuilder(database) { DatabaseName = null }.ToString();

        await using var sp = Build(s => s.AddTabernacle<NotesContext>(withoutDatabase, url.DatabaseName));

        using var scope = sp.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        db.Notes.Add(new Note { Text = "named" });
        await db.SaveChangesAsync();
        var stored = await sp.GetRequiredService<IMongoClient>().GetDatabase(url.DatabaseName)
            .GetCollection<MongoDB.Bson.BsonDocument>("notes").CountDocumentsAsync(FilterDefinition<MongoDB.Bson.BsonDocument>.Empty);
        Assert.Equal(1, stored);
    }

    [Fact]
    public void A_missing_connection_string_names_the_key()
    {
        var configuration = new ConfigurationBuilder().Build();
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddTabernacle<NotesContext>(configuration, "Library"));
        Assert.Contains("ConnectionStrings:Library", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_without_a_database_is_refused_without_echoing_credentials()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new ServiceCollection().AddTabernacle<NotesContext>("mongodb://user:s3cret@127.0.0.1:1/?replicaSet=rs0"));
        Assert.Contains("names no database", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_settings_configured_through_the_provider_options_apply_to_the_shared_client()
    {
        await using var sp =
            Build(s =>
                s.AddTabernacle<NotesContext>(ConnectionString("add_settings"), o =>
                    o.ConfigureClientSettings(c => c.ApplicationName = "library-tests")));
        Assert.Equal("library-tests", sp.GetRequiredService<IMongoClient>().Settings.ApplicationName);
    }

    [Fact]
    public async Task A_pooled_context_returned_with_a_read_preference_scope_still_open_is_reset()
    {
        await using var sp = Build(s => s.AddTabernacle<NotesContext>(ConnectionString("add_reset")));
        using (var scope = sp.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            _ = db.Database.UseDefaultReadPreference(ReadPreference.Secondary);   // never disposed on purpose
            Assert.Equal(ReadPreferenceMode.Secondary, db.Database.GetDefaultReadPreference().ReadPreferenceMode);
        }

        using (var scope = sp.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            Assert.Equal(ReadPreferenceMode.Primary, db.Database.GetDefaultReadPreference().ReadPreferenceMode);
        }
    }
}
