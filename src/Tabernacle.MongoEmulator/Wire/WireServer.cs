using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>
/// One member's TCP listener and connection loops. Each connection reads a message, hands it to the request handler
/// and writes the reply; a malformed message closes that connection only.
/// </summary>
internal sealed class WireServer : IAsyncDisposable
{
    /// <summary>MongoDB's <c>maxMessageSizeBytes</c>.</summary>
    public const int MaxMessageSize = 48_000_000;

    private static long s_nextConnectionId;
    private static int s_nextReplyId;

    private readonly IRequestHandler _handler;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, TcpClient> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TcpListener _listener;
    private Task? _acceptLoop;

    private WireServer(TcpListener listener, IRequestHandler handler, ILogger logger)
    {
        _listener = listener;
        _handler = handler;
        _logger = logger;
    }

    /// <summary>The port the listener is bound to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Binds to <paramref name="address"/>:<paramref name="port"/> (0 = ephemeral) and starts accepting.</summary>
    public static WireServer Start(IPAddress address, int port, IRequestHandler handler, ILogger logger)
    {
        var listener = new TcpListener(address, port);

        // Neither ReuseAddress nor ExclusiveAddressUse = false: on Linux .NET turns both into SO_REUSEPORT, which let a
        // second emulator listen on a port this one holds (clients were split between two sets). A restart still
        // rebinds over TIME_WAIT, since .NET sets SO_REUSEADDR on Unix listeners itself.
        if (OperatingSystem.IsWindows())
        {
            listener.ExclusiveAddressUse = true;
        }

        listener.Start(backlog: 512);
        var server = new WireServer(listener, handler, logger);
        server._acceptLoop = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    /// <summary>The number of open client connections.</summary>
    public int ConnectionCount => _connections.Count;

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning(ex, "Accept failed on port {Port}", Port);
                continue;
            }

            client.NoDelay = true;
            var id = Interlocked.Increment(ref s_nextConnectionId);
            _connections[id] = client;
            _ = Task.Run(() => ServeAsync(id, client));
        }
    }

    private async Task ServeAsync(long id, TcpClient client)
    {
        var connection = new ClientConnection(id, client.Client.RemoteEndPoint?.ToString() ?? "?");
        _handler.ConnectionOpened(connection);
        var stream = client.GetStream();
        var headerBytes = new byte[MessageHeader.Size];
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (!await ReadExactlyOrEndAsync(stream, headerBytes, _stopping.Token).ConfigureAwait(false))
                {
                    return;
                }

                var header = MessageHeader.Read(headerBytes);
                if (header.MessageLength < MessageHeader.Size || header.MessageLength > MaxMessageSize)
                {
                    throw new WireProtocolException($"message length {header.MessageLength} is outside 16..{MaxMessageSize}");
                }

                var bodyLength = header.MessageLength - MessageHeader.Size;
                var body = ArrayPool<byte>.Shared.Rent(bodyLength);
                WireRequest request;
                try
                {
                    if (!await ReadExactlyOrEndAsync(stream, body.AsMemory(0, bodyLength), _stopping.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    request = MessageCodec.Decode(header, body.AsSpan(0, bodyLength));
                }
                catch (WireErrorReplyException ex)
                {
                    // Read whole but not runnable: answer with the error and keep the connection, as mongod does.
                    var rejection = header.OpCode == (int)OpCode.Query
                        ? MessageCodec.EncodeLegacyReply(Interlocked.Increment(ref s_nextReplyId), header.RequestId, ex.ToReply())
                        : MessageCodec.EncodeMsgReply(Interlocked.Increment(ref s_nextReplyId), header.RequestId, ex.ToReply());
                    await stream.WriteAsync(rejection, _stopping.Token).ConfigureAwait(false);
                    continue;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(body);
                }

                var reply = await _handler.HandleAsync(request, connection, _stopping.Token).ConfigureAwait(false);
                if (connection.CloseRequested)
                {
                    return;
                }

                if (request.MoreToCome)
                {
                    continue;
                }

                if (request.OpCode == OpCode.Query)
                {
                    var legacy = MessageCodec.EncodeLegacyReply(Interlocked.Increment(ref s_nextReplyId), request.RequestId, reply);
                    await stream.WriteAsync(legacy, _stopping.Token).ConfigureAwait(false);
                    continue;
                }

                if (!await StreamRepliesAsync(stream, connection, request, reply).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (WireProtocolException ex)
        {
            _logger.LogWarning("Closing connection {ConnectionId} from {Remote}: {Reason}", id, connection.RemoteEndPoint, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the member is stopping.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Connection {ConnectionId} failed", id);
        }
        finally
        {
            _connections.TryRemove(id, out _);
            _handler.ConnectionClosed(connection);
            client.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="reply"/> and, while the handler continues an exhaust stream (the streaming <c>hello</c> of
    /// server monitoring), every following reply with <c>moreToCome</c> set, each answering the previous one as OP_MSG
    /// requires. A client that cannot stream gets one reply, as before. Returns <c>false</c> when the connection must close.
    /// </summary>
    private async Task<bool> StreamRepliesAsync(NetworkStream stream, ClientConnection connection, WireRequest request, BsonDocument reply)
    {
        var responseTo = request.RequestId;
        while (true)
        {
            var next = request.ExhaustAllowed ? _handler.NextStreamedRequest(request, reply) : null;
            var replyId = Interlocked.Increment(ref s_nextReplyId);
            var bytes = MessageCodec.EncodeMsgReply(replyId, responseTo, reply, moreToCome: next is not null);
            await stream.WriteAsync(bytes, _stopping.Token).ConfigureAwait(false);
            if (next is null)
            {
                return true;
            }

            reply = await _handler.HandleAsync(next, connection, _stopping.Token).ConfigureAwait(false);
            if (connection.CloseRequested)
            {
                return false;
            }

            request = next;
            responseTo = replyId;
        }
    }

    private static async ValueTask<bool> ReadExactlyOrEndAsync(NetworkStream stream, Memory<byte> buffer,
        CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new WireProtocolException($"connection closed in the middle of a message ({read} of {buffer.Length} bytes)");
            }

            read += n;
        }

        return true;
    }

    /// <summary>Closes every open client connection but keeps listening (what a stepping-down member does to some clients).</summary>
    public void DropConnections()
    {
        foreach (var (_, client) in _connections)
        {
            client.Dispose();
        }
    }

    /// <summary>Stops listening and closes every connection; the port is free when this returns.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _listener.Dispose();
        DropConnections();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
