using System.Buffers.Binary;
using System.Net.Sockets;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Tests.Wire;

/// <summary>A raw TCP connection to one emulator member that sends hand-built frames and reads frames back.</summary>
internal sealed class WireTestClient : IDisposable
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private WireTestClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<WireTestClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = new CancellationTokenSource(s_defaultTimeout);
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return new WireTestClient(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async Task SendAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(s_defaultTimeout);
        await _stream.WriteAsync(bytes, timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>Tells the server this side will send nothing more (a TCP half-close).</summary>
    public void ShutdownSend() => _client.Client.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one whole frame, header included; fails the test if none arrives in time.</summary>
    public async Task<byte[]> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? s_defaultTimeout);
        var header = new byte[WireFrames.HeaderSize];
        await _stream.ReadExactlyAsync(header, cts.Token);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        Assert.InRange(length, WireFrames.HeaderSize, 48_000_000);
        var frame = new byte[length];
        header.CopyTo(frame, 0);
        await _stream.ReadExactlyAsync(frame.AsMemory(WireFrames.HeaderSize), cts.Token);
        return frame;
    }

    /// <summary>Sends <paramref name="command"/> as an OP_MSG and returns the reply, checking that it answers this request and carries no
    /// checksum.</summary>
    public async Task<BsonDocument> RunCommandAsync(BsonDocument command)
    {
        var requestId = WireFrames.NextRequestId();
        await SendAsync(WireFrames.Command(requestId, command));
        var reply = WireFrames.ParseMsg(await ReadFrameAsync());
        Assert.Equal(requestId, reply.Header.ResponseTo);
        Assert.Equal(0u, reply.Flags & WireFrames.ChecksumPresent);
        return reply.Document;
    }

    /// <summary>
    /// Waits until the server closes the connection (end of stream or a reset). Fails the test if the server sends a
    /// reply instead, or if the connection is still open after <paramref name="timeout"/>.
    /// </summary>
    public async Task AssertClosedByServerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? s_defaultTimeout);
        var buffer = new byte[1];
        int read;
        try
        {
            read = await _stream.ReadAsync(buffer, cts.Token);
        }
        catch (IOException)
        {
            return; // connection reset by the server
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The server kept the connection open for {timeout ?? s_defaultTimeout} after a malformed message.");
            return;
        }

        Assert.True(read == 0, "The server answered a malformed message instead of closing the connection.");
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
