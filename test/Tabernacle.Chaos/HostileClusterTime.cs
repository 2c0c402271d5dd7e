using System.Buffers.Binary;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Tabernacle.Chaos;

/// <summary>
/// Sends hostile cluster times as raw OP_MSG frames, so no driver fills in, checks or replaces them. They must be
/// refused or harmless; the outcome goes into the fault log, and the heal step then proves the set still works.
/// </summary>
internal static class HostileClusterTime
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Timestamp(0xFFFFFFFF, 0xFFFFFFFF): every bit set.</summary>
    private static readonly BsonTimestamp EndOfTime = new(unchecked((long)ulong.MaxValue));

    /// <summary>A find that asks to wait for the end of time.</summary>
    public static Task<string> SendAfterClusterTimeAsync(string host, string database) =>
        SendAsync(host, new BsonDocument
        {
            { "find", Schema.Inserts },
            { "filter", new BsonDocument() },
            { "limit", 1 },
            { "maxTimeMS", 2000 },
            { "readConcern", new BsonDocument { { "level", "local" }, { "afterClusterTime", EndOfTime } } },
            { "$readPreference", new BsonDocument("mode", "primaryPreferred") },
            { "$db", database },
        }, forged: EndOfTime);

    /// <summary>A find gossiping a $clusterTime about 50 years ahead, with a signature of zeros.</summary>
    public static Task<string> SendForgedGossipAsync(string host, string database)
    {
        var forged = new BsonTimestamp((int)(DateTimeOffset.UtcNow.AddYears(50).ToUnixTimeSeconds()), 1);
        return SendAsync(host, new BsonDocument
        {
            { "find", Schema.Inserts },
            { "filter", new BsonDocument() },
            { "limit", 1 },
            { "maxTimeMS", 2000 },
            {
                "$clusterTime", new BsonDocument
                {
                    { "clusterTime", forged },
                    { "signature", new BsonDocument { { "hash", new BsonBinaryData(new byte[20]) }, { "keyId", 0L } } },
                }
            },
            { "$readPreference", new BsonDocument("mode", "primaryPreferred") },
            { "$db", database },
        }, forged);
    }

    /// <summary>
    /// The same forged $clusterTime through the C# driver: advanced into a session, which gossips it with its next
    /// command, as an application passing a client's header into its session would.
    /// </summary>
    public static async Task<string> SendForgedGossipThroughDriverAsync(IMongoClient direct, string host, string database)
    {
        var forged = new BsonTimestamp((int)DateTimeOffset.UtcNow.AddYears(50).ToUnixTimeSeconds(), 1);
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var session = await direct.StartSessionAsync(cancellationToken: timeout.Token);
        session.AdvanceClusterTime(new BsonDocument
        {
            { "clusterTime", forged },
            { "signature", new BsonDocument { { "hash", new BsonBinaryData(new byte[20]) }, { "keyId", 0L } } },
        });
        try
        {
            await direct.GetDatabase(database).GetCollection<BsonDocument>(Schema.Inserts)
                .WithReadPreference(ReadPreference.SecondaryPreferred)
                .Find(session, FilterDefinition<BsonDocument>.Empty).Limit(1).ToListAsync(timeout.Token);
            var echoed = session.OperationTime is { } t && unchecked((ulong)t.Value) >= unchecked((ulong)forged.Value);
            return $"{host} (driver session): answered ok{(echoed ? "; the answer CARRIES THE FORGED TIME" : "")}";
        }
        catch (MongoCommandException ex)
        {
            return $"{host} (driver session): refused {ex.CodeName} {ex.Code}";
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or MongoException)
        {
            return $"{host} (driver session): no answer ({ex.GetType().Name})";
        }
    }

    /// <summary>Sends the command and describes the answer: refused (code), answered, or no answer in time.</summary>
    private static async Task<string> SendAsync(string host, BsonDocument command, BsonTimestamp forged)
    {
        var (name, port) = Split(host);
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(name, port, timeout.Token);
            var stream = tcp.GetStream();
            var body = command.ToBson();
            var frame = new byte[21 + body.Length];
            BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length);
            BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), 1);
            BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(12), 2013); // OP_MSG, flags 0, one kind-0 section
            body.CopyTo(frame, 21);
            await stream.WriteAsync(frame, timeout.Token);

            var header = new byte[16];
            await stream.ReadExactlyAsync(header, timeout.Token);
            var reply = new byte[BinaryPrimitives.ReadInt32LittleEndian(header) - 16];
            await stream.ReadExactlyAsync(reply, timeout.Token);
            var answer = BsonSerializer.Deserialize<BsonDocument>(reply.AsSpan(5).ToArray());
            return Describe(host, answer, forged);
        }
        catch (OperationCanceledException)
        {
            return $"{host}: NO ANSWER within {AnswerTimeout.TotalSeconds:F0} s";
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return $"{host}: connection failed ({ex.GetType().Name}), the member may be down";
        }
    }

    private static string Describe(string host, BsonDocument answer, BsonTimestamp forged)
    {
        // Timestamps compare as unsigned 64-bit numbers (seconds in the high half).
        bool AtLeastForged(BsonValue? value) => value is BsonTimestamp t && unchecked((ulong)t.Value) >= unchecked((ulong)forged.Value);
        var adopted = AtLeastForged(answer.GetValue("operationTime", BsonNull.Value))
            || (answer.GetValue("$clusterTime", BsonNull.Value) is BsonDocument d
                && AtLeastForged(d.GetValue("clusterTime", BsonNull.Value)));
        var echo = adopted ? "; the answer CARRIES THE FORGED TIME" : "";
        return answer.GetValue("ok", 0).ToDouble() == 1
            ? $"{host}: answered ok{echo}"
            : $"{host}: refused {answer.GetValue("codeName", "?")} {answer.GetValue("code", "?")}{echo}";
    }

    public static (string Host, int Port) Split(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon < 0
            ? (host, 27017)
            : (host[..colon], int.Parse(host[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
