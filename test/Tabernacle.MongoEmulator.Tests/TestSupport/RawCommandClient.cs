using System.Buffers.Binary;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Tabernacle.MongoEmulator.Tests.TestSupport;

/// <summary>
/// Sends OP_MSG commands over a plain socket, exactly as written: no driver adds <c>$readPreference</c>, sessions or
/// retries, so tests can see how a member answers a bare command.
/// </summary>
internal sealed class RawCommandClient : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private int _requestId;

    private RawCommandClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawCommandClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new RawCommandClient(client);
    }

    /// <summary>Runs <paramref name="command"/> against <paramref name="database"/> and returns the reply document.</summary>
    public async Task<BsonDocument> RunAsync(BsonDocument command, string database = "admin", TimeSpan? timeout = null)
    {
        var body = new BsonDocument(command) { { "$db", database } }.ToBson();
        var length = 16 + 4 + 1 + body.Length;
        var frame = new byte[length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, length);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), Interlocked.Increment(ref _requestId));
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(12), 2013);
        body.CopyTo(frame, 21);
        await _stream.WriteAsync(frame);

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var header = new byte[16];
        await _stream.ReadExactlyAsync(header, cts.Token);
        var replyLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        var reply = new byte[replyLength - 16];
        await _stream.ReadExactlyAsync(reply, cts.Token);
        return BsonSerializer.Deserialize<BsonDocument>(reply.AsSpan(5).ToArray());
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
