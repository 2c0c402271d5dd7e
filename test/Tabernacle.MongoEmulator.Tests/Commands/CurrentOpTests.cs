using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>
/// <c>currentOp</c>, <c>$currentOp</c> and <c>killOp</c> on operations really in flight, and serverStatus's
/// <c>opcounters</c>, <c>connections</c>, <c>repl</c> and <c>mem</c> in mongod 7.0's shape, through the C# driver.
/// </summary>
public sealed class CurrentOpTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    [Fact]
    public async Task CurrentOp_shows_a_find_in_flight_and_killOp_ends_it_with_Interrupted()
    {
        var admin = Client.GetDatabase("admin");
        await Client.GetDatabase("cur").GetCollection<BsonDocument>("items").InsertOneAsync(new BsonDocument("_id", 1));

        // The find blocks inside the server (failCommand's blockConnection) until it is killed.
        await admin.RunCommandAsync<BsonDocument>(Doc(
            "{configureFailPoint: 'failCommand', mode: {times: 1}, data: {failCommands: ['find'], blockConnection: true, " +
            "blockTimeMS: 60000, appName: 'slowApp'}}"));
        using var slowClient = CreateClient(s =>
        {
            s.ApplicationName = "slowApp";
            s.RetryReads = false;
        });
        var items = slowClient.GetDatabase("cur").GetCollection<BsonDocument>("items");
        var find = items.Find(new BsonDocument("_id", 1), new FindOptions { Comment = "slow-find" }).ToListAsync();

        BsonDocument? op = null;
        await WaitUntilAsync(async () =>
        {
            var reply = await admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1, 'command.comment': 'slow-find'}"));
            op = reply["inprog"].AsBsonArray.Select(v => v.AsBsonDocument).SingleOrDefault();
            return op is not null;
        }, because: "the blocked find shows in currentOp");

        Assert.Equal("op", op!["type"].AsString);
        Assert.Equal("query", op["op"].AsString);
        Assert.Equal("cur.items", op["ns"].AsString);
        Assert.True(op["active"].AsBoolean);
        Assert.Equal("items", op["command"]["find"].AsString);
        Assert.Equal("slowApp", op["appName"].AsString);
        Assert.Equal(BsonType.Int32, op["opid"].BsonType);
        Assert.Equal(BsonType.Int64, op["secs_running"].BsonType);
        Assert.Equal(BsonType.Int64, op["microsecs_running"].BsonType);
        Assert.StartsWith("conn", op["desc"].AsString);
        Assert.Contains(":", op["client"].AsString);
        Assert.Equal(BsonBinarySubType.UuidStandard, op["lsid"]["id"].AsBsonBinaryData.SubType);
        Assert.Equal(32, op["lsid"]["uid"].AsBsonBinaryData.Bytes.Length);
        Assert.Equal("slowApp", op["clientMetadata"]["application"]["name"].AsString);

        // The aggregation stage sees the same operation (and itself).
        var staged = await admin.Aggregate<BsonDocument>(new EmptyPipelineDefinition<NoPipelineInput>()
            .AppendStage<NoPipelineInput, NoPipelineInput, BsonDocument>(Doc("{$currentOp: {}}"))).ToListAsync();
        Assert.Contains(staged, s => s["opid"] == op["opid"]);
        Assert.Contains(staged, s => s["op"] == "command" && s["command"].AsBsonDocument.Contains("aggregate"));

        var killed = await admin.RunCommandAsync<BsonDocument>(new BsonDocument { { "killOp", 1 }, { "op", op["opid"] } });
        Assert.Equal("attempting to kill op", killed["info"].AsString);

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => find);
        Assert.Equal(11601, error.Code);
        Assert.Equal("Interrupted", error.CodeName);

        var after = await admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1, 'command.comment': 'slow-find'}"));
        Assert.Empty(after["inprog"].AsBsonArray);
    }

    [Fact]
    public async Task CurrentOp_with_all_lists_idle_connections_and_the_commands_refuse_what_mongod_refuses()
    {
        var admin = Client.GetDatabase("admin");
        await admin.RunCommandAsync<BsonDocument>(Doc("{ping: 1}"));

        var all = await admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1, $all: true}"));
        var reports = all["inprog"].AsBsonArray.Select(v => v.AsBsonDocument).ToList();
        Assert.Contains(reports, r => !r["active"].AsBoolean && r.Contains("connectionId"));
        Assert.Contains(reports, r => r["active"].AsBoolean && r["command"].AsBsonDocument.Contains("currentOp"));

        var active = await admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1}"));
        Assert.All(active["inprog"].AsBsonArray, r => Assert.True(r["active"].AsBoolean));

        var notAdmin = await Assert.ThrowsAsync<MongoCommandException>(
            () => Client.GetDatabase("cur").RunCommandAsync<BsonDocument>(Doc("{currentOp: 1}")));
        Assert.Equal(13, notAdmin.Code);

        var onCollection = await Assert.ThrowsAsync<MongoCommandException>(() => Client.GetDatabase("cur").RunCommandAsync<BsonDocument>(
            Doc("{aggregate: 'items', pipeline: [{$currentOp: {}}], cursor: {}}")));
        Assert.Equal(73, onCollection.Code);

        var notFirst = await Assert.ThrowsAsync<MongoCommandException>(() => admin.RunCommandAsync<BsonDocument>(
            Doc("{aggregate: 1, pipeline: [{$match: {}}, {$currentOp: {}}], cursor: {}}")));
        Assert.Equal(40602, notFirst.Code);

        var badOption = await Assert.ThrowsAsync<MongoCommandException>(() => admin.RunCommandAsync<BsonDocument>(
            Doc("{aggregate: 1, pipeline: [{$currentOp: {idleConnections: 1}}], cursor: {}}")));
        Assert.Equal(9, badOption.Code);

        var noOp = await Assert.ThrowsAsync<MongoCommandException>(() => admin.RunCommandAsync<BsonDocument>(Doc("{killOp: 1}")));
        Assert.Equal(4, noOp.Code);

        // An id no operation has: mongod answers the same as for a running one.
        var unknown = await admin.RunCommandAsync<BsonDocument>(Doc("{killOp: 1, op: 2000000000}"));
        Assert.Equal("attempting to kill op", unknown["info"].AsString);
    }

    [Fact]
    public async Task ServerStatus_reports_opcounters_connections_repl_and_mem_in_mongods_shape()
    {
        var admin = Client.GetDatabase("admin");
        var items = Client.GetDatabase("cur").GetCollection<BsonDocument>("items");
        var before = await admin.RunCommandAsync<BsonDocument>(Doc("{serverStatus: 1}"));
        await items.InsertManyAsync(Enumerable.Range(0, 5).Select(i => new BsonDocument("_id", i)));
        await items.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();

        // The driver's monitor streams hello, so one awaitable hello waits on the member.
        BsonDocument status = before;
        await WaitUntilAsync(async () =>
        {
            status = await admin.RunCommandAsync<BsonDocument>(Doc("{serverStatus: 1}"));
            return status["connections"]["awaitingTopologyChanges"].AsInt32 >= 1;
        }, because: "the driver's streaming monitor waits in an awaitable hello");

        Assert.Equal(5, status["opcounters"]["insert"].ToInt64() - before["opcounters"]["insert"].ToInt64());
        Assert.True(status["opcounters"]["query"].ToInt64() > before["opcounters"]["query"].ToInt64());
        var connections = status["connections"].AsBsonDocument;
        Assert.Equal(
            ["current", "available", "totalCreated", "rejected", "active", "threaded", "exhaustIsMaster", "exhaustHello",
             "awaitingTopologyChanges", "loadBalanced"],
            connections.Names);
        Assert.All(connections.Values, v => Assert.Equal(BsonType.Int32, v.BsonType));
        Assert.True(connections["current"].AsInt32 >= 2, connections.ToJson());
        Assert.True(connections["totalCreated"].AsInt32 >= connections["current"].AsInt32);
        Assert.True(connections["active"].AsInt32 >= 1, "serverStatus itself is running");
        Assert.True(connections["exhaustHello"].AsInt32 >= 1, connections.ToJson());

        var repl = status["repl"].AsBsonDocument;
        Assert.True(repl["isWritablePrimary"].AsBoolean);
        Assert.Equal(repl["me"], repl["primary"]);
        Assert.True(repl.Contains("setName") && repl.Contains("hosts") && repl.Contains("lastWrite"));

        var mem = status["mem"].AsBsonDocument;
        Assert.Equal(64, mem["bits"].AsInt32);
        Assert.True(mem["resident"].AsInt32 > 0);
        Assert.True(mem["virtual"].AsInt32 >= mem["resident"].AsInt32);
        Assert.True(mem["supported"].AsBoolean);

        var allocator = status["tcmalloc"]["generic"].AsBsonDocument;
        Assert.True(allocator["current_allocated_bytes"].ToInt64() > 0, allocator.ToJson());
        Assert.True(allocator["heap_size"].ToInt64() >= allocator["current_allocated_bytes"].ToInt64(), allocator.ToJson());
    }

    [Fact]
    public async Task CurrentOp_answers_while_another_operation_holds_the_storage_lock()
    {
        var admin = Client.GetDatabase("admin");
        await admin.RunCommandAsync<BsonDocument>(Doc("{ping: 1}"));
        var storage = Emulator.Members[0].Member.Storage;
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        // A long scan holds the member's storage lock; a thread of our own stands in for it.
        var holder = new Thread(() =>
        {
            lock (storage.SyncRoot)
            {
                held.Set();
                release.Wait();
            }
        });
        holder.Start();
        held.Wait();
        try
        {
            var command = admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1}"));
            var stage = admin.Aggregate<BsonDocument>(new EmptyPipelineDefinition<NoPipelineInput>()
                .AppendStage<NoPipelineInput, NoPipelineInput, BsonDocument>(Doc("{$currentOp: {}}"))).ToListAsync();

            // Bounded only so that a regression fails instead of hanging the run.
            var reply = await command.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(reply["inprog"].AsBsonArray, r => r["command"].AsBsonDocument.Contains("currentOp"));
            Assert.Contains(await stage.WaitAsync(TimeSpan.FromSeconds(30)), r => r["command"].AsBsonDocument.Contains("aggregate"));
        }
        finally
        {
            release.Set();
            holder.Join();
        }
    }

    [Fact]
    public async Task CurrentOp_shows_a_transaction_left_open_between_commands_as_an_idle_session()
    {
        var admin = Client.GetDatabase("admin");
        var items = Client.GetDatabase("cur").GetCollection<BsonDocument>("items");
        await items.InsertOneAsync(new BsonDocument("_id", 0));
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await items.InsertOneAsync(session, new BsonDocument("_id", 1));
        var id = session.ServerSession.Id["id"];

        var reply = await admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1, type: 'idleSession'}"));
        var idle = Assert.Single(reply["inprog"].AsBsonArray.Select(v => v.AsBsonDocument), r => r["lsid"]["id"] == id);
        Assert.False(idle["active"].AsBoolean);
        Assert.Equal(session.ServerSession.Id["id"], idle["lsid"]["id"]);
        Assert.Equal(BsonType.Int64, idle["transaction"]["parameters"]["txnNumber"].BsonType);
        Assert.False(idle["transaction"]["parameters"]["autocommit"].AsBoolean);
        Assert.True(idle["transaction"]["timeOpenMicros"].AsInt64 >= 0);

        await session.CommitTransactionAsync();
        var after = await admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1, type: 'idleSession'}"));
        Assert.DoesNotContain(after["inprog"].AsBsonArray, r => r["lsid"]["id"] == id);
    }
}

/// <summary>serverStatus's <c>opcountersRepl</c> on a secondary of a three-member set.</summary>
public sealed class ServerStatusReplicationTests : EmulatorTestBase
{
    [Fact]
    public async Task ServerStatus_on_a_secondary_counts_what_it_applied_in_opcountersRepl()
    {
        var items = Client.GetDatabase("cur").GetCollection<BsonDocument>("items").WithWriteConcern(new WriteConcern(3));
        await items.InsertManyAsync(Enumerable.Range(0, 4).Select(i => new BsonDocument("_id", i)));
        await items.UpdateOneAsync(Doc("{ _id: 0 }"), Doc("{ $set: { x: 1 } }"));
        await items.DeleteOneAsync(Doc("{ _id: 1 }"));

        var secondary = Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        using var direct = CreateClient(s =>
        {
            s.DirectConnection = true;
            s.Server = new MongoServerAddress("127.0.0.1", secondary.Port);
            s.ReplicaSetName = null;
            s.ReadPreference = ReadPreference.SecondaryPreferred;
        });
        var status = await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(Doc("{serverStatus: 1}"));
        var repl = status["opcountersRepl"].AsBsonDocument;
        Assert.Equal(4, repl["insert"].ToInt64());
        Assert.Equal(1, repl["update"].ToInt64());
        Assert.Equal(1, repl["delete"].ToInt64());
        Assert.True(repl["command"].ToInt64() >= 1, "the collection's create was applied");
        Assert.Equal(0, status["opcounters"]["insert"].ToInt64());
    }
}

/// <summary>With authentication on, <c>$currentOp</c> without <c>allUsers</c> shows only the caller's own operations.</summary>
public sealed class CurrentOpUsersTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new()
    {
        Members = 1,
        Authentication = new EmulatorAuthenticationOptions
        {
            Users = { new EmulatorUser("ops", "ops-Passw0rd", "admin"), new EmulatorUser("app", "app-Passw0rd", "admin") },
        },
    };

    private MongoClient ClientAs(string user, string password) => CreateClient(s =>
        s.Credential = MongoCredential.CreateCredential("admin", user, password));

    [Fact]
    public async Task CurrentOp_without_allUsers_shows_only_the_callers_operations_with_their_effective_user()
    {
        using var ops = ClientAs("ops", "ops-Passw0rd");
        using var app = ClientAs("app", "app-Passw0rd");
        var items = app.GetDatabase("cur").GetCollection<BsonDocument>("items");
        await items.InsertOneAsync(new BsonDocument("_id", 1));
        using var session = await app.StartSessionAsync();
        session.StartTransaction();
        await items.InsertOneAsync(session, new BsonDocument("_id", 2));

        var admin = ops.GetDatabase("admin");
        async Task<List<BsonDocument>> StageAsync(string spec) => await admin.Aggregate<BsonDocument>(
                new EmptyPipelineDefinition<NoPipelineInput>().AppendStage<NoPipelineInput, NoPipelineInput, BsonDocument>(Doc(spec)))
            .ToListAsync();

        var own = await StageAsync("{$currentOp: {}}");
        var mine = Assert.Single(own, r => r["active"].AsBoolean && r["command"].AsBsonDocument.Contains("aggregate"));
        Assert.Equal(Doc("{user: 'ops', db: 'admin'}"), mine["effectiveUsers"][0]);
        Assert.DoesNotContain(own, r => r["type"] == "idleSession");

        var everyone = await StageAsync("{$currentOp: {allUsers: true}}");
        var idle = Assert.Single(everyone, r => r["type"] == "idleSession");
        Assert.Equal(session.ServerSession.Id["id"], idle["lsid"]["id"]);

        var command = await admin.RunCommandAsync<BsonDocument>(Doc("{currentOp: 1, $ownOps: true, type: 'idleSession'}"));
        Assert.Empty(command["inprog"].AsBsonArray);
        await session.AbortTransactionAsync();
    }
}
