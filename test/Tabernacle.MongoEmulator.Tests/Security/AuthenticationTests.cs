using System.Reflection;
using System.Text;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Servers;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Security;

/// <summary>Authentication on: SCRAM with MongoDB.Driver 3.14 and on raw sockets, the auth gate, and what must never leak.</summary>
public sealed class AuthenticationTests : EmulatorTestBase
{
    private const string Password = "s3cret-Passw0rd";
    // a soft hyphen (mapped to nothing) and an em space (mapped to a space)
    private const string ReporterPassword = "I\u00ADX\u2003caf\u00E9";

    protected override ReplicaSetEmulatorOptions Options => new()
    {
        Members = 3,
        Authentication = new EmulatorAuthenticationOptions
        {
            Users =
            {
                new EmulatorUser("app", Password, "admin"),
                new EmulatorUser("reporter", ReporterPassword, "reports", [EmulatorAuthenticationMechanism.ScramSha256]),
            },
        },
    };

    private string Hosts => string.Join(",", Emulator.Members.Select(m => m.Host));

    private MongoClient ClientFor(string connectionString)
    {
        var settings = MongoClientSettings.FromConnectionString(connectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        settings.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
        return new MongoClient(settings);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&authMechanism=SCRAM-SHA-256")]
    [InlineData("&authMechanism=SCRAM-SHA-1")]
    public async Task Driver_authenticates_writes_and_reads_and_discovers_every_member(string mechanism)
    {
        using var client = ClientFor($"mongodb://app:{Password}@{Hosts}/?replicaSet=rs0&authSource=admin{mechanism}");
        var collection = client.GetDatabase("shop").GetCollection<BsonDocument>("orders").WithWriteConcern(WriteConcern.WMajority);

        await collection.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "item", "tent" } });
        var found = await collection.Find(new BsonDocument("_id", 1)).SingleAsync();
        Assert.Equal("tent", found["item"].AsString);

        var status = await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("connectionStatus", 1));
        var user = Assert.Single(status["authInfo"]["authenticatedUsers"].AsBsonArray).AsBsonDocument;
        Assert.Equal("app", user["user"].AsString);
        Assert.Equal("admin", user["db"].AsString);

        await WaitUntilAsync(
            () => client.Cluster.Description.Servers.Count(s => s.State == ServerState.Connected) == 3,
            because: "the driver discovers all three members with authentication on");
        var servers = client.Cluster.Description.Servers;
        Assert.Equal(ClusterType.ReplicaSet, client.Cluster.Description.Type);
        Assert.Single(servers, s => s.Type == ServerType.ReplicaSetPrimary);
        Assert.Equal(2, servers.Count(s => s.Type == ServerType.ReplicaSetSecondary));

        // A secondary read authenticates a connection to a secondary too.
        var fromSecondary = collection.WithReadPreference(ReadPreference.Secondary);
        await WaitUntilAsync(async () =>
            await fromSecondary.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty) == 1, because: "the insert replicates");
    }

    [Fact]
    public void Connection_string_helper_builds_the_same_uri_with_escaped_credentials()
    {
        Assert.Equal($"mongodb://app:{Password}@{Hosts}/?replicaSet=rs0&authSource=admin", Emulator.GetConnectionString("app", Password));
        Assert.Contains("a%40b:p%3Aw%2Fd@", Emulator.GetConnectionString("a@b", "p:w/d"), StringComparison.Ordinal);
        Assert.EndsWith("&authSource=reports&authMechanism=SCRAM-SHA-1", Emulator.GetConnectionString("x", "y", "reports", "SCRAM-SHA-1"),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_of_another_database_authenticates_only_with_that_authSource_and_a_saslprepped_password()
    {
        using (var client = ClientFor(Emulator.GetConnectionString("reporter", ReporterPassword, "reports")))
        {
            var result = await client.GetDatabase("reports").RunCommandAsync<BsonDocument>(new BsonDocument("listCollections", 1));
            Assert.Equal(1.0, result["ok"].ToDouble());
        }

        // SASLprep: the soft hyphen is dropped and the em space is a plain space.
        using (var client = ClientFor(Emulator.GetConnectionString("reporter", "IX caf\u0065\u0301", "reports")))
        {
            var result = await client.GetDatabase("reports").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1));
            Assert.Equal(1.0, result["ok"].ToDouble());
            await client.GetDatabase("reports").GetCollection<BsonDocument>("r").InsertOneAsync(new BsonDocument("x", 1));
        }

        using (var wrongSource = ClientFor(Emulator.GetConnectionString("reporter", ReporterPassword, "admin")))
        {
            var ex = await Assert.ThrowsAnyAsync<MongoException>(() =>
                wrongSource.GetDatabase("reports").GetCollection<BsonDocument>("r").InsertOneAsync(new BsonDocument("x", 2)));
            Assert.Contains("Authentication failed", Describe(ex), StringComparison.Ordinal);
        }

        // The user has SCRAM-SHA-256 credentials only.
        using var sha1 = ClientFor(Emulator.GetConnectionString("reporter", ReporterPassword, "reports", "SCRAM-SHA-1"));
        await Assert.ThrowsAnyAsync<MongoAuthenticationException>(() =>
            sha1.GetDatabase("reports").RunCommandAsync<BsonDocument>(new BsonDocument("listCollections", 1)));
    }

    [Theory]
    [InlineData("app", "SCRAM-SHA-256")]
    [InlineData("app", "SCRAM-SHA-1")]
    [InlineData("nobody", "SCRAM-SHA-256")]
    public async Task Wrong_password_or_unknown_user_fails_with_AuthenticationFailed_and_the_message_never_holds_the_password(string user,
        string mechanism)
    {
        const string wrong = "not-the-Passw0rd-xyzzy";
        using var client = ClientFor($"mongodb://{user}:{wrong}@{Hosts}/?replicaSet=rs0&authSource=admin&authMechanism={mechanism}");

        var ex = await Assert.ThrowsAnyAsync<MongoException>(() =>
            client.GetDatabase("shop").GetCollection<BsonDocument>("orders").InsertOneAsync(new BsonDocument("x", 1)));

        var text = Describe(ex);
        Assert.Contains("Authentication failed", text, StringComparison.Ordinal);
        var command = FindInner<MongoCommandException>(ex);
        Assert.NotNull(command);
        Assert.Equal(18, command.Code);
        Assert.Equal("AuthenticationFailed", command.CodeName);
        Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_conversation_and_the_same_error()
    {
        var primary = Emulator.Primary!.Port;
        async Task<(BsonDocument Start, BsonDocument Final)> AttemptAsync(string user)
        {
            using var raw = await RawCommandClient.ConnectAsync(primary);
            var scram = new ScramTestClient(user, "wrong", "SCRAM-SHA-256");
            var start = await raw.RunAsync(scram.SaslStart());
            var final = await raw.RunAsync(ScramTestClient.Continue(start, scram.ClientFinal(start["payload"].AsByteArray)));
            return (start, final);
        }

        var known = await AttemptAsync("app");
        var unknown = await AttemptAsync("ghost");
        var unknownAgain = await AttemptAsync("ghost");

        foreach (var attempt in new[] { known, unknown })
        {
            Assert.Equal(1.0, attempt.Start["ok"].ToDouble());
            Assert.False(attempt.Start["done"].AsBoolean);
            Assert.Equal(0.0, attempt.Final["ok"].ToDouble());
            Assert.Equal(18, attempt.Final["code"].ToInt32());
            Assert.Equal("AuthenticationFailed", attempt.Final["codeName"].AsString);
            Assert.Equal("Authentication failed.", attempt.Final["errmsg"].AsString);
        }

        // A decoy user's salt is stable between attempts, like a real user's.
        Assert.Equal(Salt(unknown.Start), Salt(unknownAgain.Start));
        Assert.Equal(Salt(known.Start).Length, Salt(unknown.Start).Length);

        static string Salt(BsonDocument start) =>
            Encoding.UTF8.GetString(start["payload"].AsByteArray).Split(',').Single(p => p.StartsWith("s=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("find", "{ find: 'orders' }")]
    [InlineData("insert", "{ insert: 'orders', documents: [{ x: 1 }] }")]
    [InlineData("listDatabases", "{ listDatabases: 1 }")]
    [InlineData("configureFailPoint", "{ configureFailPoint: 'failCommand', mode: 'off' }")]
    [InlineData("endSessions", "{ endSessions: [] }")]
    [InlineData("replSetGetStatus", "{ replSetGetStatus: 1 }")]
    public async Task Unauthenticated_commands_get_13_Unauthorized(string name, string json)
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);

        var reply = await raw.RunAsync(Doc(json), "shop");

        Assert.Equal(0.0, reply["ok"].ToDouble());
        Assert.Equal(13, reply["code"].ToInt32());
        Assert.Equal("Unauthorized", reply["codeName"].AsString);
        Assert.Equal($"Command {name} requires authentication", reply["errmsg"].AsString);
    }

    [Theory]
    [InlineData("{ hello: 1 }")]
    [InlineData("{ isMaster: 1 }")]
    [InlineData("{ ping: 1 }")]
    [InlineData("{ buildInfo: 1 }")]
    [InlineData("{ connectionStatus: 1 }")]
    [InlineData("{ logout: 1 }")]
    public async Task Handshake_probes_and_auth_commands_run_unauthenticated(string json)
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);

        var reply = await raw.RunAsync(Doc(json));

        Assert.Equal(1.0, reply["ok"].ToDouble());
    }

    [Fact]
    public async Task Unknown_command_is_still_59_before_authentication()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);

        var reply = await raw.RunAsync(Doc("{ noSuchThing: 1 }"));

        Assert.Equal(59, reply["code"].ToInt32());
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-1")]
    public async Task Raw_conversation_with_the_final_empty_step_authenticates_the_connection_until_logout(string mechanism)
    {
        foreach (var member in Emulator.Members)
        {
            using var raw = await RawCommandClient.ConnectAsync(member.Port);
            var scram = new ScramTestClient("app", Password, mechanism);

            var start = await raw.RunAsync(scram.SaslStart(skipEmptyExchange: false));
            Assert.Equal(1, start["conversationId"].ToInt32());
            Assert.False(start["done"].AsBoolean);
            Assert.Equal(13, (await raw.RunAsync(Doc("{ find: 'c' }"), "shop"))["code"].ToInt32()); // not yet

            var second = await raw.RunAsync(ScramTestClient.Continue(start, scram.ClientFinal(start["payload"].AsByteArray)));
            Assert.Equal(1.0, second["ok"].ToDouble());
            Assert.False(second["done"].AsBoolean);
            scram.VerifyServerFinal(second["payload"].AsByteArray);

            var third = await raw.RunAsync(ScramTestClient.Continue(second, []));
            Assert.Equal(1.0, third["ok"].ToDouble());
            Assert.True(third["done"].AsBoolean);
            Assert.Empty(third["payload"].AsByteArray);

            var find = await raw.RunAsync(Doc("{ find: 'c', $readPreference: { mode: 'secondaryPreferred' } }"), "shop");
            Assert.Equal(1.0, find["ok"].ToDouble());

            Assert.Equal(1.0, (await raw.RunAsync(Doc("{ logout: 1 }")))["ok"].ToDouble());
            Assert.Equal(13, (await raw.RunAsync(Doc("{ find: 'c' }"), "shop"))["code"].ToInt32());
        }
    }

    [Fact]
    public async Task Hello_answers_saslSupportedMechs_and_starts_speculative_authentication()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var scram = new ScramTestClient("app", Password, "SCRAM-SHA-256");
        var speculative = scram.SaslStart();
        speculative["db"] = "admin";

        var hello =
            await raw.RunAsync(
                new BsonDocument { { "hello", 1 }, { "saslSupportedMechs", "admin.app" }, { "speculativeAuthenticate", speculative } });

        Assert.Equal(new BsonArray { "SCRAM-SHA-1", "SCRAM-SHA-256" }, hello["saslSupportedMechs"]);
        var started = hello["speculativeAuthenticate"].AsBsonDocument;
        Assert.False(started["done"].AsBoolean);
        var final = await raw.RunAsync(ScramTestClient.Continue(started, scram.ClientFinal(started["payload"].AsByteArray)));
        Assert.True(final["done"].AsBoolean);
        scram.VerifyServerFinal(final["payload"].AsByteArray);
        Assert.Equal(1.0, (await raw.RunAsync(Doc("{ listDatabases: 1 }")))["ok"].ToDouble());

        var reporter = await raw.RunAsync(Doc("{ hello: 1, saslSupportedMechs: 'reports.reporter' }"));
        Assert.Equal(new BsonArray { "SCRAM-SHA-256" }, reporter["saslSupportedMechs"]);
    }

    [Fact]
    public async Task Sasl_protocol_errors_are_answered_and_leave_the_connection_unauthenticated()
    {
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);

        Assert.Equal(17, (await raw.RunAsync(Doc("{ saslContinue: 1, conversationId: 1, payload: BinData(0, '') }")))["code"].ToInt32());
        Assert.Equal(334,
            (await raw.RunAsync(Doc("{ saslStart: 1, mechanism: 'PLAIN', payload: BinData(0, 'AGFwcABzZWNyZXQ=') }")))["code"].ToInt32());
        Assert.Equal(334, (await raw.RunAsync(Doc("{ authenticate: 1, mechanism: 'MONGODB-X509' }")))["code"].ToInt32());

        var scram = new ScramTestClient("app", Password, "SCRAM-SHA-256");
        var start = await raw.RunAsync(scram.SaslStart());
        var mismatched =
            new BsonDocument { { "saslContinue", 1 }, { "conversationId", 7 },
                { "payload", new BsonBinaryData(scram.ClientFinal(start["payload"].AsByteArray)) } };
        Assert.Equal(17, (await raw.RunAsync(mismatched))["code"].ToInt32());

        foreach (var garbage in new[] { "", "n,,", "p=tls-unique,,n=app,r=abc", "n,,n=app", "n,,n=a=5Fb,r=x", "\u00ff\u00fe" })
        {
            var reply =
                await raw.RunAsync(
                    new BsonDocument { { "saslStart", 1 }, { "mechanism", "SCRAM-SHA-256" },
                        { "payload", new BsonBinaryData(Encoding.Latin1.GetBytes(garbage)) } });
            Assert.Equal(18, reply["code"].ToInt32());
        }

        Assert.Equal(13, (await raw.RunAsync(Doc("{ find: 'c' }"), "shop"))["code"].ToInt32());
    }

    [Fact]
    public async Task Mutated_sasl_messages_never_authenticate_and_never_break_the_member()
    {
        const int seed = 4242;
        var random = new Random(seed);
        using var raw = await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);
        var codes = new Dictionary<int, int>();
        for (var i = 0; i < 300; i++)
        {
            var scram = new ScramTestClient("app", Password, random.Next(2) == 0 ? "SCRAM-SHA-256" : "SCRAM-SHA-1");
            var mutateFirst = random.Next(2) == 0;
            var first = scram.ClientFirst();
            var start =
                await raw.RunAsync(
                    new BsonDocument { { "saslStart", 1 }, { "mechanism", scram.Mechanism },
                        { "payload", new BsonBinaryData(mutateFirst ? Mutate(random, first) : first) },
                            { "options", new BsonDocument("skipEmptyExchange", true) } });
            var reply = start;
            if (start["ok"].ToDouble() == 1.0 && !mutateFirst)
            {
                reply = await raw.RunAsync(
                    ScramTestClient.Continue(start, Mutate(random, scram.ClientFinal(start["payload"].AsByteArray))));
            }

            if (reply["ok"].ToDouble() == 0.0)
            {
                var code = reply["code"].ToInt32();
                codes[code] = codes.GetValueOrDefault(code) + 1;
                Assert.Equal(18, code);
                Assert.Equal("Authentication failed.", reply["errmsg"].AsString);
            }

            // A mutated first message may still be well formed (a changed nonce, for example): it is answered, but nothing
            // is continued, so no attempt here may ever end authenticated.
            var status = await raw.RunAsync(Doc("{ connectionStatus: 1 }"));
            Assert.Empty(status["authInfo"]["authenticatedUsers"].AsBsonArray);
        }

        Assert.True(codes.GetValueOrDefault(18) > 150,
            $"seed {seed}: expected most mutated conversations to fail, got {string.Join(", ", codes)}");
        Assert.Equal(13, (await raw.RunAsync(Doc("{ find: 'c' }"), "shop"))["code"].ToInt32());
        Assert.Equal(1.0, (await raw.RunAsync(Doc("{ ping: 1 }")))["ok"].ToDouble());

        static byte[] Mutate(Random random, byte[] message)
        {
            var copy = (byte[])message.Clone();
            switch (random.Next(3))
            {
                case 0:
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                    return copy;
                case 1:
                    return copy[..random.Next(copy.Length)];
                default:
                    var extra = new byte[random.Next(1, 8)];
                    random.NextBytes(extra);
                    return [.. copy, .. extra];
            }
        }
    }

    [Fact]
    public async Task Restarted_member_still_requires_authentication()
    {
        var secondary = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        await secondary.StopAsync();
        await secondary.StartAsync();

        using var raw = await RawCommandClient.ConnectAsync(secondary.Port);
        var reply = await raw.RunAsync(Doc("{ find: 'c', $readPreference: { mode: 'secondaryPreferred' } }"), "shop");
        Assert.Equal(13, reply["code"].ToInt32());

        await new ScramTestClient("app", Password, "SCRAM-SHA-1").AuthenticateAsync(raw);
        Assert.Equal(1.0,
            (await raw.RunAsync(Doc("{ find: 'c', $readPreference: { mode: 'secondaryPreferred' } }"), "shop"))["ok"].ToDouble());
    }

    [Fact]
    public void Users_keep_no_password_in_memory_and_print_without_it()
    {
        var user = new EmulatorUser("app", "pa55-Unique-Needle", "admin");

        Assert.Equal("app@admin", user.ToString());
        Assert.Equal([EmulatorAuthenticationMechanism.ScramSha1, EmulatorAuthenticationMechanism.ScramSha256], user.Mechanisms);
        Assert.False(HoldsString(user, "pa55-Unique-Needle", new HashSet<object>(ReferenceEqualityComparer.Instance)),
            "the password must not be kept");
    }

    [Fact]
    public async Task Authentication_without_users_or_with_duplicates_is_rejected_at_start()
    {
        var none =
            await Assert.ThrowsAsync<ArgumentException>(() =>
                MongoReplicaSetEmulator.StartAsync(new() { Members = 1, Authentication = new() }));
        Assert.Contains("Authentication.Users", none.Message, StringComparison.Ordinal);

        var twice = new EmulatorAuthenticationOptions { Users = { new EmulatorUser("a", "x"), new EmulatorUser("a", "y") } };
        var duplicate =
            await Assert.ThrowsAsync<ArgumentException>(() =>
                MongoReplicaSetEmulator.StartAsync(new() { Members = 1, Authentication = twice }));
        Assert.Contains("'a'", duplicate.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => new EmulatorUser("a", "x", "bad.db"));
        Assert.Throws<ArgumentException>(() => new EmulatorUser("a", "x", "admin", []));
    }

    private static bool HoldsString(object value, string needle, HashSet<object> seen)
    {
        if (value is string s)
        {
            return s.Contains(needle, StringComparison.Ordinal);
        }

        if (value is byte[] bytes)
        {
            return Encoding.UTF8.GetString(bytes).Contains(needle, StringComparison.Ordinal);
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || !seen.Add(value))
        {
            return false;
        }

        if (value is System.Collections.IEnumerable items)
        {
            foreach (var item in items)
            {
                if (item is not null && HoldsString(item, needle, seen))
                {
                    return true;
                }
            }
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(
                BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.GetValue(value) is { } child && HoldsString(child, needle, seen))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Describe(Exception ex)
    {
        var text = new StringBuilder();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            text.AppendLine(e.GetType().Name + ": " + e.Message);
        }

        return text.ToString();
    }

    private static T? FindInner<T>(Exception ex)
        where T : Exception
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
