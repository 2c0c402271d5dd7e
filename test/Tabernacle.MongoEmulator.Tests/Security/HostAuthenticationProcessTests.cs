using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.Host;

namespace Tabernacle.MongoEmulator.Tests.Security;

/// <summary>The host's <c>--auth</c> and <c>--user</c> options, checked against the built host run as a separate process.</summary>
public sealed class HostAuthenticationProcessTests
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(30);
    private const string Password = "h0st-Needle-Secret";

    [SkippableFact]
    public async Task Host_with_auth_serves_authenticated_clients_refuses_others_and_never_prints_the_password()
    {
        Skip.If(OperatingSystem.IsWindows(), "POSIX signals only");
        using var host =
            HostProcess.Start("--members", "3", "--port", "0", "--auth", "--user", $"app:{Password}", "--user", "rep:p@ss@reports");

        var connectionString = await host.ReadStdoutLineAsync(s_startTimeout);
        Assert.StartsWith("mongodb://127.0.0.1:", connectionString, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, connectionString, StringComparison.Ordinal);

        var withCredentials = connectionString.Replace("mongodb://", $"mongodb://app:{Password}@", StringComparison.Ordinal)
            + "&authSource=admin";
        using (var client = NewClient(withCredentials))
        {
            var collection = client.GetDatabase("host").GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.WMajority);
            await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "via", "authenticated host" } });
            Assert.Equal("authenticated host", (await collection.Find(FilterDefinition<BsonDocument>.Empty).SingleAsync())["via"].AsString);
        }

        var reporter = connectionString.Replace("mongodb://", "mongodb://rep:p%40ss@", StringComparison.Ordinal) + "&authSource=reports";
        using (var client = NewClient(reporter))
        {
            Assert.Equal(1.0,
                (await client.GetDatabase("reports").RunCommandAsync<BsonDocument>(
                    new BsonDocument("listCollections", 1)))["ok"].ToDouble());
        }

        using (var anonymous = NewClient(connectionString))
        {
            var ex = await Assert.ThrowsAsync<MongoCommandException>(() =>
                anonymous.GetDatabase("host").RunCommandAsync<BsonDocument>(new BsonDocument("find", "items")));
            Assert.Equal(13, ex.Code);
        }

        using (var wrong =
            NewClient(connectionString.Replace("mongodb://", "mongodb://app:wrong@", StringComparison.Ordinal) + "&authSource=admin"))
        {
            var ex = await Assert.ThrowsAnyAsync<MongoAuthenticationException>(() =>
                wrong.GetDatabase("host").RunCommandAsync<BsonDocument>(new BsonDocument("find", "items")));
            Assert.Contains("Authentication failed", ex.InnerException?.Message ?? ex.Message, StringComparison.Ordinal);
        }

        host.Signal(HostProcess.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(s_exitTimeout));
        Assert.Contains("Authentication is on; users: app@admin, rep@reports", host.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, host.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("p@ss", host.Stderr, StringComparison.Ordinal);
        Assert.Empty(await host.ReadStdoutToEndAsync(s_exitTimeout));
    }

    [Theory]
    [InlineData("--auth", "--user")]
    [InlineData("--user app:Needle9", "--auth")]
    [InlineData("--auth --user app", "name:password")]
    [InlineData("--auth --user app:", "name:password")]
    [InlineData("--auth --user app:x@", "password and database")]
    [InlineData("--auth --user app:Needle9@bad.db", "not a valid database name")]
    public async Task Invalid_auth_options_exit_2_with_a_message_saying_what_to_add(string arguments, string expected)
    {
        using var host = HostProcess.Start(arguments.Split(' '));

        Assert.Equal(2, await host.WaitForExitAsync(s_startTimeout));
        var stderr = host.Stderr.Trim();
        Assert.StartsWith("error:", stderr, StringComparison.Ordinal);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Needle9", stderr, StringComparison.Ordinal);
        Assert.Empty(await host.ReadStdoutToEndAsync(s_exitTimeout));
    }

    [Fact]
    public async Task Help_documents_auth_and_user()
    {
        using var host = HostProcess.Start("--help");

        Assert.Equal(0, await host.WaitForExitAsync(s_startTimeout));
        var stdout = await host.ReadStdoutToEndAsync(s_exitTimeout);
        Assert.Contains("--auth", stdout, StringComparison.Ordinal);
        Assert.Contains("--user <name:password[@db]>", stdout, StringComparison.Ordinal);
        Assert.Contains("authSource", stdout, StringComparison.Ordinal);
    }

    private static MongoClient NewClient(string connectionString)
    {
        var settings = MongoClientSettings.FromConnectionString(connectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(30);
        return new MongoClient(settings);
    }
}
