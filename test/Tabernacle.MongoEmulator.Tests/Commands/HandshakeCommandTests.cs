using System.Diagnostics;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>Handshake and diagnostics: hello/isMaster, awaitable hello, ping, buildInfo, getParameter, serverStatus, replSet* and reply
/// envelopes.</summary>
public sealed class HandshakeCommandTests : CommandTestBase
{
    protected override ReplicaSetEmulatorOptions Options
    {
        get
        {
            var options = new ReplicaSetEmulatorOptions { Members = 3 };
            options.MemberOptions.Add(new EmulatorMemberOptions { Priority = 2 });
            options.MemberOptions.Add(new EmulatorMemberOptions());
            var tagged = new EmulatorMemberOptions();
            tagged.Tags["dc"] = "reports";
            options.MemberOptions.Add(tagged);
            return options;
        }
    }

    // mongodb://h1,h2,h3/?replicaSet=rs0
    private string[] ConnectionStringHosts => Emulator.ConnectionString["mongodb://".Length..].Split('/')[0].Split(',');

    [Fact]
    public async Task Hello_on_the_primary_describes_the_set_and_the_member()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        Assert.Equal(0, primary.Id);
        var hello = await RunOnAsync(primary, "{ hello: 1 }");

        AssertOk(hello);
        Assert.True(hello["isWritablePrimary"].AsBoolean);
        Assert.False(hello.Contains("ismaster"), "hello answers isWritablePrimary, not the legacy ismaster");
        Assert.False(hello["secondary"].AsBoolean);
        Assert.Equal("rs0", hello["setName"].AsString);
        Assert.Equal(BsonType.Int32, hello["setVersion"].BsonType);
        Assert.Equal(1, hello["setVersion"].AsInt32);
        Assert.Equal(ConnectionStringHosts.Order(), hello["hosts"].AsBsonArray.Select(h => h.AsString).Order());
        Assert.Equal(primary.Host, hello["primary"].AsString);
        Assert.Equal(primary.Host, hello["me"].AsString);
        Assert.Contains(hello["me"].AsString, ConnectionStringHosts);
        Assert.Equal(BsonType.ObjectId, hello["electionId"].BsonType);
        Assert.False(hello.Contains("tags"), "a member without tags reports none");

        var topologyVersion = hello["topologyVersion"].AsBsonDocument;
        Assert.Equal(BsonType.ObjectId, topologyVersion["processId"].BsonType);
        Assert.Equal(BsonType.Int64, topologyVersion["counter"].BsonType);

        var lastWrite = hello["lastWrite"].AsBsonDocument;
        Assert.Equal(BsonType.Timestamp, lastWrite["opTime"]["ts"].BsonType);
        Assert.Equal(BsonType.Int64, lastWrite["opTime"]["t"].BsonType);
        Assert.Equal(BsonType.DateTime, lastWrite["lastWriteDate"].BsonType);
        Assert.Equal(BsonType.Timestamp, lastWrite["majorityOpTime"]["ts"].BsonType);
        Assert.True(lastWrite["majorityOpTime"]["ts"].AsBsonTimestamp.CompareTo(lastWrite["opTime"]["ts"].AsBsonTimestamp) <= 0);

        Assert.Equal(30, hello["logicalSessionTimeoutMinutes"].ToInt32());
        Assert.True(hello["connectionId"].IsNumeric && hello["connectionId"].ToInt64() > 0);
        Assert.Equal(BsonType.DateTime, hello["localTime"].BsonType);
        Assert.InRange(hello["localTime"].ToUniversalTime(), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(16 * 1024 * 1024, hello["maxBsonObjectSize"].AsInt32);
        Assert.Equal(48_000_000, hello["maxMessageSizeBytes"].AsInt32);
        Assert.Equal(100_000, hello["maxWriteBatchSize"].AsInt32);
        Assert.Equal(0, hello["minWireVersion"].AsInt32);
        Assert.Equal(21, hello["maxWireVersion"].AsInt32);
    }

    [Fact]
    public async Task Legacy_isMaster_on_a_secondary_uses_ismaster_and_names_the_primary()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var tagged = Emulator.Members[2];
        Assert.Equal(EmulatorMemberRole.Secondary, tagged.Role);

        var reply = await RunOnAsync(tagged, "{ isMaster: 1 }");

        AssertOk(reply);
        Assert.False(reply["ismaster"].AsBoolean);
        Assert.False(reply.Contains("isWritablePrimary"), "isMaster answers the legacy ismaster field");
        Assert.True(reply["secondary"].AsBoolean);
        Assert.Equal(primary.Host, reply["primary"].AsString);
        Assert.Equal(tagged.Host, reply["me"].AsString);
        Assert.False(reply.Contains("electionId"), "only the primary reports an electionId");
        Assert.Equal(new BsonDocument("dc", "reports"), reply["tags"].AsBsonDocument);
        Assert.Equal("rs0", reply["setName"].AsString);
        Assert.Equal(21, reply["maxWireVersion"].AsInt32);
    }

    [Fact]
    public async Task Each_connection_gets_its_own_connectionId()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var first = await RunOnAsync(primary, "{ hello: 1 }");
        var second = await RunOnAsync(primary, "{ hello: 1 }");
        Assert.NotEqual(first["connectionId"], second["connectionId"]);
    }

    [Fact]
    public async Task Hello_omits_primary_while_the_set_has_none()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        foreach (var secondary in Emulator.Members.Where(m => m != primary))
        {
            AssertOk(await RunOnAsync(secondary, "{ replSetFreeze: 60 }"));
        }

        AssertOk(await RunOnAsync(primary, "{ replSetStepDown: 60, secondaryCatchUpPeriodSecs: 0, force: true }"));

        foreach (var member in Emulator.Members)
        {
            var hello = await RunOnAsync(member, "{ hello: 1 }");
            AssertOk(hello);
            Assert.False(hello.Contains("primary"), $"{member.Host} still names a primary: {hello.ToJson()}");
            Assert.False(hello["isWritablePrimary"].AsBoolean);
            Assert.False(hello.Contains("electionId"));
            Assert.Equal("rs0", hello["setName"].AsString);
        }
    }

    [Fact]
    public async Task Awaitable_hello_holds_its_answer_until_maxAwaitTimeMS_when_nothing_changes()
    {
        var secondary = FirstSecondary;
        using var raw = await RawCommandClient.ConnectAsync(secondary.Port);
        var first = await raw.RunAsync(Doc("{ hello: 1 }"));
        var version = first["topologyVersion"].AsBsonDocument;

        const int maxAwaitMs = 700;
        var clock = Stopwatch.StartNew();
        var awaited =
            await raw.RunAsync(new BsonDocument { { "hello", 1 }, { "topologyVersion", version }, { "maxAwaitTimeMS", maxAwaitMs } });
        clock.Stop();

        AssertOk(awaited);
        Assert.True(clock.ElapsedMilliseconds >= maxAwaitMs - 50,
            $"the awaitable hello answered after {clock.ElapsedMilliseconds} ms, before its {maxAwaitMs} ms wait ended");
        Assert.Equal(version, awaited["topologyVersion"].AsBsonDocument);
    }

    [Fact]
    public async Task Awaitable_hello_answers_early_with_a_bumped_counter_when_the_primary_steps_down()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        using var raw = await RawCommandClient.ConnectAsync(primary.Port);
        var first = await raw.RunAsync(Doc("{ hello: 1 }"));
        var version = first["topologyVersion"].AsBsonDocument;
        Assert.True(first["isWritablePrimary"].AsBoolean);

        var awaiting = raw.RunAsync(
            new BsonDocument { { "hello", 1 }, { "topologyVersion", version }, { "maxAwaitTimeMS", 120_000 } },
            timeout: TimeSpan.FromMinutes(3));

        // Something else must happen first: a plain hello on another connection round-trips while the awaitable one still waits.
        AssertOk(await RunOnAsync(primary, "{ hello: 1 }"));
        Assert.False(awaiting.IsCompleted, "the awaitable hello answered although nothing had changed");

        AssertOk(await RunOnAsync(primary, "{ replSetStepDown: 30, secondaryCatchUpPeriodSecs: 10 }"));

        var finished = await Task.WhenAny(awaiting, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == awaiting, "the awaitable hello did not answer after the primary stepped down");
        var reply = await awaiting;
        AssertOk(reply);
        Assert.False(reply["isWritablePrimary"].AsBoolean);
        Assert.Equal(version["processId"], reply["topologyVersion"]["processId"]);
        Assert.True(reply["topologyVersion"]["counter"].ToInt64() > version["counter"].ToInt64(),
            $"counter not bumped: {reply["topologyVersion"].ToJson()}");
    }

    [Fact]
    public async Task Ping_answers_ok_on_every_member()
    {
        foreach (var member in Emulator.Members)
        {
            var reply = await RunOnAsync(member, "{ ping: 1 }");
            AssertOk(reply);
        }
    }

    [Fact]
    public async Task BuildInfo_reports_MongoDB_7_0_with_a_matching_versionArray()
    {
        var reply = await RunOnAsync(FirstSecondary, "{ buildInfo: 1 }");
        AssertOk(reply);
        var version = reply["version"].AsString;
        Assert.StartsWith("7.0.", version, StringComparison.Ordinal);
        var parts = version.Split('.').Select(int.Parse).ToArray();
        var array = reply["versionArray"].AsBsonArray.Select(v => v.ToInt32()).ToArray();
        Assert.Equal(4, array.Length);
        Assert.Equal(parts, array.Take(3));
    }

    [Fact]
    public async Task GetParameter_returns_the_featureCompatibilityVersion_and_rejects_unknown_parameters()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var reply = await RunOnAsync(primary, "{ getParameter: 1, featureCompatibilityVersion: 1 }");
        AssertOk(reply);
        Assert.Equal("7.0", reply["featureCompatibilityVersion"]["version"].AsString);

        var unknown = await RunOnAsync(primary, "{ getParameter: 1, noSuchParameterAnywhere: 1 }");
        AssertError(unknown, 72, "InvalidOptions");
    }

    [Fact]
    public async Task ServerStatus_counts_operations_and_reports_the_repl_section()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var before = await RunOnAsync(primary, "{ serverStatus: 1 }");
        AssertOk(before);

        AssertOk(await RunOnAsync(primary, "{ insert: 'c', documents: [ { a: 1 }, { a: 2 } ] }", "status"));
        AssertOk(await RunOnAsync(primary, "{ find: 'c' }", "status"));
        AssertOk(await RunOnAsync(primary, "{ update: 'c', updates: [ { q: {}, u: { $set: { b: 1 } }, multi: true } ] }", "status"));
        AssertOk(await RunOnAsync(primary, "{ delete: 'c', deletes: [ { q: { a: 1 }, limit: 1 } ] }", "status"));

        var after = await RunOnAsync(primary, "{ serverStatus: 1 }");
        var delta = (string field) => after["opcounters"][field].ToInt64() - before["opcounters"][field].ToInt64();
        Assert.Equal(2, delta("insert"));
        Assert.Equal(1, delta("query"));
        Assert.Equal(1, delta("update"));
        Assert.Equal(1, delta("delete"));
        Assert.True(delta("command") >= 1, "serverStatus itself is a command");

        var repl = after["repl"].AsBsonDocument;
        Assert.Equal("rs0", repl["setName"].AsString);
        Assert.True(repl["isWritablePrimary"].AsBoolean);
        Assert.Equal(primary.Host, repl["primary"].AsString);
        Assert.Equal(primary.Host, repl["me"].AsString);
        Assert.Equal(3, repl["hosts"].AsBsonArray.Count);
        Assert.Equal(primary.Host, after["host"].AsString);
        Assert.StartsWith("7.0.", after["version"].AsString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplSetGetStatus_lists_every_member_with_one_primary_and_self()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var secondary = FirstSecondary;
        var reply = await RunOnAsync(secondary, "{ replSetGetStatus: 1 }");
        AssertOk(reply);
        Assert.Equal("rs0", reply["set"].AsString);
        Assert.Equal(2, reply["myState"].ToInt32());
        var members = reply["members"].AsBsonArray.Select(m => m.AsBsonDocument).ToList();
        Assert.Equal(3, members.Count);
        var primaries = members.Where(m => m["stateStr"].AsString == "PRIMARY").ToList();
        Assert.Single(primaries);
        Assert.Equal(primary.Host, primaries[0]["name"].AsString);
        Assert.Equal(1, primaries[0]["state"].ToInt32());
        Assert.Equal(2, members.Count(m => m["stateStr"].AsString == "SECONDARY"));
        var self = Assert.Single(members, m => m.GetValue("self", false).ToBoolean());
        Assert.Equal(secondary.Host, self["name"].AsString);

        AssertError(await RunOnAsync(secondary, "{ replSetGetStatus: 1 }", "app"), 13, "Unauthorized");
    }

    [Fact]
    public async Task ReplSetGetConfig_runs_only_against_admin()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var reply = await RunOnAsync(primary, "{ replSetGetConfig: 1 }");
        AssertOk(reply);
        var config = reply["config"].AsBsonDocument;
        Assert.Equal("rs0", config["_id"].AsString);
        Assert.Equal(1, config["version"].ToInt32());
        Assert.Equal(ConnectionStringHosts.Order(), config["members"].AsBsonArray.Select(m => m["host"].AsString).Order());
        Assert.Equal(new BsonDocument("dc", "reports"), config["members"][2]["tags"].AsBsonDocument);

        AssertError(await RunOnAsync(primary, "{ replSetGetConfig: 1 }", "app"), 13, "Unauthorized");
    }

    [Fact]
    public async Task Unknown_commands_answer_CommandNotFound()
    {
        var reply = await RunOnAsync(FirstSecondary, "{ noSuchCommandEver: 1 }", "app");
        Assert.Equal(0.0, reply["ok"].ToDouble());
        Assert.Equal(59, reply["code"].ToInt32());
        Assert.Equal("CommandNotFound", reply["codeName"].AsString);
        Assert.Contains("noSuchCommandEver", reply["errmsg"].AsString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_reply_carries_clusterTime_and_operationTime_including_errors()
    {
        var primary = await Emulator.WaitForPrimaryAsync();
        var secondary = FirstSecondary;
        var replies = new List<(string What, BsonDocument Reply)>
        {
            ("hello", await RunOnAsync(primary, "{ hello: 1 }")),
            ("insert", await RunOnAsync(primary, "{ insert: 'c', documents: [ { _id: 1 } ] }", "envelope")),
            ("duplicate insert", await RunOnAsync(primary, "{ insert: 'c', documents: [ { _id: 1 } ] }", "envelope")),
            ("find", await RunOnAsync(primary, "{ find: 'c' }", "envelope")),
            ("unknown command", await RunOnAsync(primary, "{ noSuchCommandEver: 1 }")),
            ("write on a secondary", await RunOnAsync(secondary, "{ insert: 'c', documents: [ { _id: 2 } ] }", "envelope")),
            ("bad argument", await RunOnAsync(primary, "{ find: 'c', filter: 5 }", "envelope")),
        };

        foreach (var (what, reply) in replies)
        {
            Assert.True(reply.Contains("$clusterTime"), $"{what}: no $clusterTime in {reply.ToJson()}");
            Assert.Equal(BsonType.Timestamp, reply["$clusterTime"]["clusterTime"].BsonType);
            Assert.Equal(BsonType.Document, reply["$clusterTime"]["signature"].BsonType);
            Assert.True(reply.Contains("operationTime"), $"{what}: no operationTime in {reply.ToJson()}");
            Assert.Equal(BsonType.Timestamp, reply["operationTime"].BsonType);
        }

        // The insert's operationTime is its own write, which the cluster time has reached.
        var insert = replies[1].Reply;
        Assert.True(insert["operationTime"].AsBsonTimestamp.CompareTo(insert["$clusterTime"]["clusterTime"].AsBsonTimestamp) <= 0);
        Assert.True(insert["operationTime"].AsBsonTimestamp.CompareTo(replies[0].Reply["operationTime"].AsBsonTimestamp) > 0,
            "a write advances the operationTime");
    }
}
