using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Wire;

/// <summary>Well-formed frames a driver sends, checked byte for byte over raw TCP.</summary>
public sealed class WireProtocolTests(WireEmulatorFixture fixture) : IClassFixture<WireEmulatorFixture>
{
    [Fact]
    public async Task Legacy_op_query_isMaster_on_admin_cmd_is_answered_with_an_op_reply()
    {
        using var client = await WireTestClient.ConnectAsync(await fixture.PrimaryPortAsync());
        var requestId = WireFrames.NextRequestId();
        await client.SendAsync(WireFrames.Query(requestId, "admin.$cmd", new BsonDocument { { "isMaster", 1 }, { "helloOk", true } }));

        var frame = await client.ReadFrameAsync();
        var reply = WireFrames.ParseReply(frame);

        Assert.Equal(frame.Length, reply.Header.MessageLength);
        Assert.Equal(requestId, reply.Header.ResponseTo);
        Assert.Equal(0L, reply.CursorId);
        Assert.Equal(0, reply.StartingFrom);
        Assert.Equal(1, reply.NumberReturned);
        var document = Assert.Single(reply.Documents);
        Assert.True(document["ismaster"].AsBoolean);
        Assert.Equal(21, document["maxWireVersion"].ToInt32());
        Assert.Equal("rs0", document["setName"].AsString);
        Assert.True(document["helloOk"].AsBoolean);
        Assert.Equal(1.0, document["ok"].ToDouble());
    }

    [Fact]
    public async Task Legacy_op_query_isMaster_on_a_secondary_reports_a_secondary()
    {
        await fixture.PrimaryPortAsync();
        var secondary = fixture.Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);
        using var client = await WireTestClient.ConnectAsync(secondary.Port);
        var requestId = WireFrames.NextRequestId();
        await client.SendAsync(WireFrames.Query(requestId, "admin.$cmd", new BsonDocument("isMaster", 1)));

        var document = Assert.Single(WireFrames.ParseReply(await client.ReadFrameAsync()).Documents);

        Assert.False(document["ismaster"].AsBoolean);
        Assert.True(document["secondary"].AsBoolean);
        Assert.Equal(secondary.Host, document["me"].AsString);
    }

    [Fact]
    public async Task Op_msg_hello_is_answered_with_one_body_section_and_no_checksum()
    {
        using var client = await WireTestClient.ConnectAsync(await fixture.PrimaryPortAsync());
        var requestId = WireFrames.NextRequestId();
        await client.SendAsync(WireFrames.Command(requestId, new BsonDocument { { "hello", 1 }, { "$db", "admin" } }));

        var frame = await client.ReadFrameAsync();
        var reply = WireFrames.ParseMsg(frame);

        Assert.Equal(frame.Length, reply.Header.MessageLength);
        Assert.Equal(requestId, reply.Header.ResponseTo);
        Assert.Equal(0u, reply.Flags);
        Assert.True(reply.Document["isWritablePrimary"].AsBoolean);
        Assert.False(reply.Document.Contains("ismaster"));
        Assert.Equal(21, reply.Document["maxWireVersion"].ToInt32());
        Assert.Equal("rs0", reply.Document["setName"].AsString);
        Assert.Equal(3, reply.Document["hosts"].AsBsonArray.Count);
    }

    [Fact]
    public async Task Request_with_a_checksum_is_accepted_and_the_reply_has_none()
    {
        using var client = await WireTestClient.ConnectAsync(await fixture.PrimaryPortAsync());
        var requestId = WireFrames.NextRequestId();
        await client.SendAsync(
            WireFrames.Command(requestId, new BsonDocument { { "ping", 1 }, { "$db", "admin" } }, WireFrames.ChecksumPresent));

        var reply = WireFrames.ParseMsg(await client.ReadFrameAsync());

        Assert.Equal(requestId, reply.Header.ResponseTo);
        Assert.Equal(0u, reply.Flags & WireFrames.ChecksumPresent);
        Assert.Equal(1.0, reply.Document["ok"].ToDouble());
    }

    [Fact]
    public async Task Kind1_document_sequence_is_merged_into_the_insert_command()
    {
        var collection = "seq_" + ObjectId.GenerateNewId();
        using var client = await WireTestClient.ConnectAsync(await fixture.PrimaryPortAsync());
        var insertId = WireFrames.NextRequestId();
        await client.SendAsync(WireFrames.Msg(
            insertId,
            0,
            WireFrames.Body(new BsonDocument { { "insert", collection }, { "ordered", true }, { "$db", "wire" } }),
            WireFrames.Sequence("documents", new BsonDocument { { "_id", 1 }, { "n", "a" } },
                new BsonDocument { { "_id", 2 }, { "n", "b" } }, new BsonDocument { { "_id", 3 }, { "n", "c" } })));

        var insertReply = WireFrames.ParseMsg(await client.ReadFrameAsync());
        Assert.Equal(insertId, insertReply.Header.ResponseTo);
        Assert.Equal(1.0, insertReply.Document["ok"].ToDouble());
        Assert.Equal(3, insertReply.Document["n"].ToInt32());

        var find = await client.RunCommandAsync(new BsonDocument { { "find", collection }, { "$db", "wire" } });

        var batch = find["cursor"]["firstBatch"].AsBsonArray;
        Assert.Equal(["a", "b", "c"], batch.Select(d => d["n"].AsString).Order());
    }

    [Fact]
    public async Task More_to_come_insert_with_w0_gets_no_reply_but_the_document_is_stored()
    {
        var collection = "w0_" + ObjectId.GenerateNewId();
        using var client = await WireTestClient.ConnectAsync(await fixture.PrimaryPortAsync());
        var insertId = WireFrames.NextRequestId();
        await client.SendAsync(WireFrames.Command(
            insertId,
            new BsonDocument
            {
                { "insert", collection },
                { "documents", new BsonArray { new BsonDocument { { "_id", 7 }, { "fireAndForget", true } } } },
                { "writeConcern", new BsonDocument("w", 0) },
                { "$db", "wire" },
            },
            WireFrames.MoreToCome));

        // The collection is new, so an unfiltered find sees exactly what the insert stored.
        // The connection handles requests in order, so the next frame on it answers the find if the insert got none.
        var findId = WireFrames.NextRequestId();
        await client.SendAsync(WireFrames.Command(findId, new BsonDocument { { "find", collection }, { "$db", "wire" } }));
        var reply = WireFrames.ParseMsg(await client.ReadFrameAsync());

        Assert.Equal(findId, reply.Header.ResponseTo);
        var stored = Assert.Single(reply.Document["cursor"]["firstBatch"].AsBsonArray);
        Assert.Equal(7, stored["_id"].ToInt32());
        Assert.True(stored["fireAndForget"].AsBoolean);
    }

    [Fact]
    public async Task Raw_connections_and_the_driver_share_the_same_data()
    {
        var collection = "shared_" + ObjectId.GenerateNewId();
        using var client = await WireTestClient.ConnectAsync(await fixture.PrimaryPortAsync());
        var insert = await client.RunCommandAsync(new BsonDocument
        {
            { "insert", collection },
            { "documents", new BsonArray { new BsonDocument { { "_id", "raw" } } } },
            { "$db", "wire" },
        });
        Assert.Equal(1, insert["n"].ToInt32());

        var seen = await fixture.Client.GetDatabase("wire").GetCollection<BsonDocument>(collection)
            .Find(new BsonDocument()).ToListAsync();

        Assert.Equal("raw", Assert.Single(seen)["_id"].AsString);
    }
}
