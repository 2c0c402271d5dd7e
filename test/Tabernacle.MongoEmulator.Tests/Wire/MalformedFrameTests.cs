using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Tests.Wire;

/// <summary>
/// A malformed message closes the connection that sent it, and only that one: another raw connection opened before
/// it, a new connection and the driver's pooled connections keep working.
/// </summary>
public sealed class MalformedFrameTests(WireEmulatorFixture fixture) : IClassFixture<WireEmulatorFixture>
{
    public static TheoryData<string> Cases() =>
    [
        "garbage-http-request",
        "garbage-all-ones",
        "length-below-header-size",
        "unknown-opcode",
        "op-compressed-without-compressors",
        "unknown-section-kind",
        "unknown-required-flag-bit",
        "no-body-section",
        "invalid-bson-element-type",
        "bson-length-past-end-of-message",
        "oversized-message-length",
        "int32-max-message-length",
        "truncated-frame",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_message_closes_only_its_own_connection(string malformation)
    {
        var port = await fixture.PrimaryPortAsync();
        using var bystander = await WireTestClient.ConnectAsync(port);
        Assert.Equal(1.0, (await bystander.RunCommandAsync(Hello()))["ok"].ToDouble());
        using var victim = await WireTestClient.ConnectAsync(port);
        Assert.Equal(1.0, (await victim.RunCommandAsync(Hello()))["ok"].ToDouble());

        await victim.SendAsync(Build(malformation));
        if (malformation == "truncated-frame")
        {
            victim.ShutdownSend();
        }

        await victim.AssertClosedByServerAsync();

        var stillThere = await bystander.RunCommandAsync(Hello());
        Assert.True(stillThere["isWritablePrimary"].AsBoolean);
        using var newcomer = await WireTestClient.ConnectAsync(port);
        Assert.Equal(1.0, (await newcomer.RunCommandAsync(new BsonDocument { { "ping", 1 }, { "$db", "admin" } }))["ok"].ToDouble());
        await fixture.AssertDriverWorksAsync("after_" + malformation.Replace('-', '_'));
    }

    private static BsonDocument Hello() => new() { { "hello", 1 }, { "$db", "admin" } };

    private static byte[] Build(string malformation)
    {
        var id = WireFrames.NextRequestId();
        var ping = new BsonDocument { { "ping", 1 }, { "$db", "admin" } };
        switch (malformation)
        {
            case "garbage-http-request":
                // What a browser pointed at the port sends; read as a header its length is about 542 million.
                return Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n");
            case "garbage-all-ones":
                return Enumerable.Repeat((byte)0xFF, 64).ToArray();
            case "length-below-header-size":
                return WireFrames.Frame(id, WireFrames.OpMsg, [0, 0, 0, 0, 0, .. ping.ToBson()], lengthOverride: 10);
            case "unknown-opcode":
                return WireFrames.Frame(id, 9999, [0, 0, 0, 0, 0, .. ping.ToBson()]);
            case "op-compressed-without-compressors":
                return WireFrames.Frame(id, 2012, [.. BitConverter.GetBytes(WireFrames.OpMsg), 0, 0, 0, 0, 0, .. ping.ToBson()]);
            case "unknown-section-kind":
                return WireFrames.Msg(id, 0, WireFrames.Body(ping), [7, .. ping.ToBson()]);
            case "unknown-required-flag-bit":
                return WireFrames.Command(id, ping, flags: 1 << 3);
            case "no-body-section":
                return WireFrames.Msg(id, 0, WireFrames.Sequence("documents", new BsonDocument("_id", 1)));
            case "invalid-bson-element-type":
            {
                // { <type 0x99> "a": 4 bytes } : a well-sized document with an element type BSON does not have.
                byte[] document = [12, 0, 0, 0, 0x99, (byte)'a', 0, 1, 2, 3, 4, 0];
                return WireFrames.Msg(id, 0, [0, .. document]);
            }

            case "bson-length-past-end-of-message":
            {
                var document = ping.ToBson();
                BinaryPrimitives.WriteInt32LittleEndian(document, 1000);
                return WireFrames.Msg(id, 0, [0, .. document]);
            }

            case "oversized-message-length":
                // Just past maxMessageSizeBytes: the server must refuse it from the header, without waiting for 48 MB.
                return WireFrames.Frame(id, WireFrames.OpMsg, [0, 0, 0, 0, 0, .. ping.ToBson()], lengthOverride: 48_000_001);
            case "int32-max-message-length":
                return WireFrames.Frame(id, WireFrames.OpMsg, [0, 0, 0, 0, 0, .. ping.ToBson()], lengthOverride: int.MaxValue);
            case "truncated-frame":
            {
                // The header promises more than is sent before the client half-closes.
                var frame = WireFrames.Command(id, ping);
                BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length + 100);
                return frame;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(malformation), malformation, "no such malformation");
        }
    }
}
