using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.Wire;
using Xunit.Abstractions;

namespace Tabernacle.MongoEmulator.Tests.Security;

/// <summary>
/// Hostile input against a running set: seeded random bytes, mutated OP_MSG/OP_QUERY frames, lying lengths, broken
/// BSON, nesting bombs, documents around the 16 MiB limit and unknown operators, stages and commands. Afterwards every
/// member must answer <c>ping</c> and the data written before (w:majority) must be intact on every member.
/// The short form is bounded by count and time; TABERNACLE_FUZZ_SEED, TABERNACLE_FUZZ_INPUTS and
/// TABERNACLE_FUZZ_SECONDS make longer runs.
/// </summary>
public sealed class WireFuzzTests : EmulatorTestBase
{
    private const int DefaultSeed = 0x5EC_2024;
    private static readonly TimeSpan s_inputTimeout = TimeSpan.FromSeconds(10);

    private readonly ITestOutputHelper _output;
    private readonly Figures _figures = new();

    private readonly ErrorLog _errors = new();

    public WireFuzzTests(ITestOutputHelper output) => _output = output;

    protected override ReplicaSetEmulatorOptions Options => new() { Members = 3, LoggerFactory = _errors };

    [Fact]
    public async Task Hostile_input_never_crashes_or_hangs_a_member_and_leaves_the_data_intact()
    {
        var seed = EnvInt("TABERNACLE_FUZZ_SEED", DefaultSeed);
        // A fixed number of inputs, so the same seed tries the same inputs on a fast or a loaded machine; the time
        // cap only bounds a pathological run (it stops the loop, it does not fail the test).
        var randomInputs = EnvInt("TABERNACLE_FUZZ_INPUTS", 400);
        var cap = TimeSpan.FromSeconds(EnvInt("TABERNACLE_FUZZ_SECONDS", 60));
        _output.WriteLine(
            $"fuzz seed {seed} (set TABERNACLE_FUZZ_SEED={seed} to replay), {randomInputs} random inputs, stopping early after " +
                $"{cap.TotalSeconds} s");

        var baseline = Client.GetDatabase("baseline").GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.WMajority);
        var expected =
            Enumerable.Range(1, 50).Select(i =>
                new BsonDocument { { "_id", i }, { "name", $"item {i}" }, { "tags", new BsonArray { i % 3, "t" } } }).ToList();
        await baseline.InsertManyAsync(expected);

        var random = new Random(seed);
        var ports = Emulator.Members.Select(m => m.Port).ToArray();
        var clock = Stopwatch.StartNew();

        // Deterministic edges first: nesting and size limits, then the seeded random inputs.
        await NestingLimitsAsync(ports[0]);
        try
        {
            await SizeLimitsAsync(Emulator.Primary!.Port);
        }
        catch
        {
            _output.WriteLine(string.Join("\n", _errors.Messages));
            throw;
        }

        var tried = 0;
        for (; tried < randomInputs && clock.Elapsed < cap; tried++)
        {
            var kind = random.Next(8);
            var bytes = kind switch
            {
                0 => RandomBytes(random),
                1 => FlipBits(random, ValidFrame(random)),
                2 => Truncate(random, ValidFrame(random)),
                3 => LieAboutLength(random, ValidFrame(random)),
                4 => FlipBits(random, ValidQuery(random)),
                5 => CorruptInnerLength(random, ValidFrame(random)),
                6 => WireFrames.Command(random.Next(), UnknownOperatorCommand(random)),
                _ => WireFrames.Command(random.Next(), RandomCommand(random)),
            };
            await SendAsync(ports[random.Next(ports.Length)], bytes, $"kind {kind}");
        }

        // Every member is alive and answers on fresh connections.
        foreach (var port in ports)
        {
            using var client = await WireTestClient.ConnectAsync(port);
            Assert.Equal(1.0, (await client.RunCommandAsync(new BsonDocument { { "ping", 1 }, { "$db", "admin" } }))["ok"].ToDouble());
        }

        // The data written before is intact on every member, and the driver still writes with w:majority.
        await Emulator.WaitForReplicationAsync();
        foreach (var member in Emulator.Members)
        {
            Assert.Equal(expected, member.GetDocuments("baseline", "items"));
        }

        await baseline.InsertOneAsync(new BsonDocument("_id", 51));
        Assert.Equal(51, await baseline.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));

        _output.WriteLine(
            $"inputs tried {_figures.Inputs} in {clock.Elapsed.TotalSeconds:F1} s: {_figures.OkReplies} answered ok, " +
                $"{_figures.ErrorReplies} answered with an error, " +
            $"{_figures.Closed} connections closed by the member without a reply; error codes seen: {string.Join(", ", _figures.Codes.OrderBy(c => c.Key).Select(c => $"{c.Key}×{c.Value}"))}");
        Assert.True(_figures.OkReplies + _figures.ErrorReplies > tried / 4,
            "most inputs were closed without a reply: the generator no longer reaches the command layer");
        Assert.True(_errors.Messages.IsEmpty, "the members logged unexpected errors:\n" + string.Join("\n", _errors.Messages));
        Assert.True(_figures.Closed > 0 && _figures.ErrorReplies > 0,
            "the mix should include both inputs that close the connection and inputs answered with errors");
    }

    private async Task NestingLimitsAsync(int port)
    {
        using var client = await WireTestClient.ConnectAsync(Emulator.Primary!.Port);

        // Stored documents: 100 levels are accepted, 101 are Overflow, as mongod's fixDocumentForInsert.
        var atLimit = await RunDeepAsync(client, Insert("nest", NestedDocument(99)));
        Assert.Equal(1, atLimit["n"].ToInt32());
        var overLimit = await RunDeepAsync(client, Insert("nest", NestedDocument(100)));
        var writeError = Assert.Single(overLimit["writeErrors"].AsBsonArray).AsBsonDocument;
        Assert.Equal(15, writeError["code"].ToInt32());
        Assert.Equal("cannot insert document because it exceeds 100 levels of nesting", writeError["errmsg"].AsString);
        var nestedArrays = await RunDeepAsync(client, Insert("nest", new BsonDocument("a", NestedArray(100))));
        Assert.True(nestedArrays.Contains("writeErrors"), nestedArrays.ToString());
        Assert.Equal(15, nestedArrays["writeErrors"][0]["code"].ToInt32());

        // The stored 100-level document comes back whole inside a cursor reply (deeper than the BSON writer's default limit).
        var found =
            await RunDeepAsync(client,
                new BsonDocument { { "find", "nest" }, { "filter", new BsonDocument("_id", 99) }, { "$db", "fuzz" } });
        Assert.Equal(NestedDocument(99), found["cursor"]["firstBatch"][0]);
        var update =
            await RunDeepAsync(client,
                new BsonDocument { { "update", "nest" },
                    { "updates",
                        new BsonArray { new BsonDocument { { "q", new BsonDocument("_id", 99) },
                            { "u", NestedDocument(100).Set("_id", 99) } } } }, { "$db", "fuzz" } });
        Assert.Equal(15, update["writeErrors"][0]["code"].ToInt32());
        Count(atLimit);
        Count(overLimit);
        Count(found);
        Count(update);

        // Messages: 200 levels pass the wire; 201 and a 200,000-level bomb (1.6 MB) are answered with 15 Overflow and the connection stays
        // usable.
        using var raw = await WireTestClient.ConnectAsync(port);
        foreach (var (levels, type) in new[] { (199, (byte)0x03), (200, (byte)0x03), (200, (byte)0x04), (200_000, (byte)0x03),
            (200_000, (byte)0x04) })
        {
            var requestId = WireFrames.NextRequestId();
            await raw.SendAsync(WireFrames.Msg(requestId, 0, [0, .. PingWithNesting(levels, type)]));
            var frame = WireFrames.ParseMsg(await raw.ReadFrameAsync());
            Assert.Equal(requestId, frame.Header.ResponseTo);
            var reply = frame.Document;
            if (levels < 200)
            {
                Assert.Equal(1.0, reply["ok"].ToDouble());
            }
            else
            {
                Assert.Equal(0.0, reply["ok"].ToDouble());
                Assert.Equal(15, reply["code"].ToInt32());
                Assert.Equal("Overflow", reply["codeName"].AsString);
                Assert.Equal("BSONObj exceeded maximum nested object depth: 200", reply["errmsg"].AsString);
            }

            Count(reply);
        }

        // Code with scope counts two levels and is scanned too.
        var scopeBomb = CodeWithScopeBomb(100_000);
        await raw.SendAsync(WireFrames.Msg(WireFrames.NextRequestId(), 0, [0, .. scopeBomb]));
        Assert.Equal(15, WireFrames.ParseMsg(await raw.ReadFrameAsync()).Document["code"].ToInt32());
        Assert.Equal(1.0, (await raw.RunCommandAsync(new BsonDocument { { "ping", 1 }, { "$db", "admin" } }))["ok"].ToDouble());
        _figures.Inputs += 6;
    }

    private async Task SizeLimitsAsync(int primaryPort)
    {
        const int limit = 16 * 1024 * 1024;
        using var client = await WireTestClient.ConnectAsync(primaryPort);

        // A string that makes the document exactly 16 MiB is accepted; one byte more is BSONObjectTooLarge.
        foreach (var (size, accepted) in new[] { (limit, true), (limit + 1, false) })
        {
            var document = new BsonDocument { { "_id", size }, { "s", "" } };
            var padding = size - document.ToBson().Length;
            document["s"] = new string('x', padding);
            Assert.Equal(size, document.ToBson().Length);
            var reply = await InsertAsSequenceAsync(client, "big", document);
            if (accepted)
            {
                Assert.Equal(1, reply["n"].ToInt32());
            }
            else
            {
                Assert.Equal(10334, reply["writeErrors"][0]["code"].ToInt32());
            }

            Count(reply);
        }

        // An array of int32 that fills the document to the limit is accepted; one element more is BSONObjectTooLarge.
        var fitting = LargestArrayWithin(limit);
        foreach (var (count, accepted) in new[] { (fitting, true), (fitting + 1, false) })
        {
            var document = new BsonDocument { { "_id", -count }, { "a", new BsonArray(Enumerable.Repeat(1, count)) } };
            var size = document.ToBson().Length;
            Assert.True(accepted ? size <= limit && size > limit - 16 : size > limit && size < limit + 16,
                $"array document of {count} elements is {size} bytes");
            var reply = await InsertAsSequenceAsync(client, "big", document);
            if (accepted)
            {
                Assert.Equal(1, reply["n"].ToInt32());
            }
            else
            {
                Assert.Equal(10334, reply["writeErrors"][0]["code"].ToInt32());
            }

            Count(reply);
        }

        // A document beyond the wire's 16 MiB + 16 KiB allowance is refused by the wire layer: the connection closes.
        using var over = await WireTestClient.ConnectAsync(primaryPort);
        var huge = new BsonDocument { { "_id", "huge" }, { "s", new string('y', limit + (32 * 1024)) } };
        await over.SendAsync(
            WireFrames.Msg(WireFrames.NextRequestId(), 0, WireFrames.Body(new BsonDocument { { "insert", "big" }, { "$db", "fuzz" } }),
                WireFrames.Sequence("documents", huge)));
        await over.AssertClosedByServerAsync();
        _figures.Closed++;
        _figures.Inputs += 5;
        Assert.Equal(1.0, (await client.RunCommandAsync(new BsonDocument { { "ping", 1 }, { "$db", "admin" } }))["ok"].ToDouble());
    }

    /// <summary>The most int32 elements an array field <c>a</c> of <c>{_id: int, a: [...]}</c> can hold within <paramref name="limit"/>
    /// bytes.</summary>
    private static int LargestArrayWithin(int limit)
    {
        var size = new BsonDocument { { "_id", 0 }, { "a", new BsonArray() } }.ToBson().Length;
        var count = 0;
        while (size + 6 + Digits(count) <= limit)
        {
            size += 6 + Digits(count); // type, decimal key, NUL, int32
            count++;
        }

        return count;

        static int Digits(int n) => n.ToString(CultureInfo.InvariantCulture).Length;
    }

    /// <summary>Runs a command deeper than the BSON writer's default limit of 100 levels.</summary>
    private static async Task<BsonDocument> RunDeepAsync(WireTestClient client, BsonDocument command)
    {
        var requestId = WireFrames.NextRequestId();
        var bytes = command.ToBson(writerSettings: new MongoDB.Bson.IO.BsonBinaryWriterSettings { MaxSerializationDepth = 300 });
        await client.SendAsync(WireFrames.Msg(requestId, 0, [0, .. bytes]));
        var reply = WireFrames.ParseMsg(await client.ReadFrameAsync());
        Assert.Equal(requestId, reply.Header.ResponseTo);
        return reply.Document;
    }

    private static async Task<BsonDocument> InsertAsSequenceAsync(WireTestClient client, string collection, BsonDocument document)
    {
        var requestId = WireFrames.NextRequestId();
        await client.SendAsync(
            WireFrames.Msg(requestId, 0, WireFrames.Body(new BsonDocument { { "insert", collection }, { "$db", "fuzz" } }),
                WireFrames.Sequence("documents", document)));
        var reply = WireFrames.ParseMsg(await client.ReadFrameAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(requestId, reply.Header.ResponseTo);
        return reply.Document;
    }

    /// <summary>Sends one input on a fresh connection, half-closes it, and reads replies until the member closes; a member that neither
    /// answers nor closes in time fails the test.</summary>
    private async Task SendAsync(int port, byte[] bytes, string what)
    {
        _figures.Inputs++;
        using var tcp = new TcpClient { NoDelay = true };
        using var timeout = new CancellationTokenSource(s_inputTimeout);
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(bytes, timeout.Token);
            tcp.Client.Shutdown(SocketShutdown.Send);
        }
        catch (IOException)
        {
            // The member closed the connection while we were still writing: that is a close.
        }

        var replies = 0;
        var header = new byte[16];
        try
        {
            while (true)
            {
                if (!await ReadExactlyAsync(stream, header, timeout.Token))
                {
                    break;
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(header);
                Assert.InRange(length, 16, 48_000_000);
                var body = new byte[length - 16];
                Assert.True(await ReadExactlyAsync(stream, body, timeout.Token), "the member sent a truncated reply");
                var opCode = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
                var document = opCode == WireFrames.OpMsg
                    ? BsonSerializer.Deserialize<BsonDocument>(body.AsSpan(5).ToArray())
                    : BsonSerializer.Deserialize<BsonDocument>(body.AsSpan(20).ToArray());
                Count(document);
                replies++;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail(
                $"The member on port {port} neither answered nor closed within {s_inputTimeout} after input #{_figures.Inputs} ({what}): " +
                    $"{Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 96)))}");
        }
        catch (IOException)
        {
            // Reset by the member.
        }

        if (replies == 0)
        {
            _figures.Closed++;
        }
    }

    private void Count(BsonDocument reply)
    {
        if (reply.TryGetValue("ok", out var ok) && ok.ToDouble() == 1.0 && !reply.Contains("writeErrors"))
        {
            _figures.OkReplies++;
            return;
        }

        _figures.ErrorReplies++;
        var code = reply.TryGetValue("code", out var c) ? c.ToInt32()
            : reply.TryGetValue("writeErrors", out var w) && w is BsonArray { Count: > 0 } errors ? errors[0]["code"].ToInt32()
            : 0;
        _figures.Codes[code] = _figures.Codes.GetValueOrDefault(code) + 1;
    }

    private static async Task<bool> ReadExactlyAsync(NetworkStream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    // ---- generators ----

    private static readonly string[] s_commandNames =
        ["find", "aggregate", "insert", "update", "delete", "count", "distinct", "findAndModify", "createIndexes", "listCollections",
            "listIndexes", "getMore", "killCursors", "hello", "ping", "buildInfo", "bogusCommand", "saslStart", "saslContinue",
                "connectionStatus"];

    private static readonly string[] s_fieldNames =
        ["a", "b", "_id", "x.y", "$gt", "$in", "$and", "$or", "$nor", "$not", "$expr", "$elemMatch", "$size", "$type", "$exists", "$regex",
            "$mod", "$all", "$bogus", "$set", "$inc", "$push", "$unset", "$match", "$group", "$project", "$sort", "$limit", "$skip",
                "$unwind", "$lookup", "$facet", "$bucket", "$bogusStage", "$sum", "$concat", "$$ROOT", "", "cursor", "batchSize", "filter",
                    "pipeline"];

    private static readonly string[] s_safePatterns = ["^a", "b$", "[0-9]+", "x|y", "(", "a{2,3}", "\\"];

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 600)];
        random.NextBytes(bytes);
        if (bytes.Length >= 16 && random.Next(2) == 0)
        {
            // Often a plausible header, so the body parsers see the garbage too.
            BinaryPrimitives.WriteInt32LittleEndian(bytes, bytes.Length);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), random.Next(2) == 0 ? WireFrames.OpMsg : WireFrames.OpQuery);
        }

        return bytes;
    }

    private static byte[] ValidFrame(Random random) =>
        WireFrames.Command(random.Next(), random.Next(3) == 0 ? UnknownOperatorCommand(random) : RandomCommand(random));

    private static byte[] ValidQuery(Random random) =>
        WireFrames.Query(random.Next(), random.Next(2) == 0 ? "admin.$cmd" : "fuzz.things",
            new BsonDocument { { "isMaster", 1 }, { "helloOk", true },
                { "client", new BsonDocument("application", new BsonDocument("name", "fuzz")) } });

    private static byte[] FlipBits(Random random, byte[] frame)
    {
        var flips = random.Next(1, 9);
        for (var i = 0; i < flips; i++)
        {
            var at = random.Next(frame.Length);
            frame[at] ^= (byte)(1 << random.Next(8));
        }

        return frame;
    }

    private static byte[] Truncate(Random random, byte[] frame) => frame[..random.Next(frame.Length)];

    private static byte[] LieAboutLength(Random random, byte[] frame)
    {
        int[] lies =
            [0, -1, 15, 16, 17, frame.Length - 1, frame.Length + 1, frame.Length * 2, 48_000_000, 48_000_001, int.MaxValue, int.MinValue,
                random.Next()];
        BinaryPrimitives.WriteInt32LittleEndian(frame, lies[random.Next(lies.Length)]);
        return frame;
    }

    private static byte[] CorruptInnerLength(Random random, byte[] frame)
    {
        // The body document starts after the header (16), flags (4) and section kind (1); corrupt it or an inner length.
        var at = random.Next(2) == 0 ? 21 : 21 + (random.Next(Math.Max(1, frame.Length - 25)) & ~0);
        if (at + 4 <= frame.Length)
        {
            int[] values = [0, 4, 5, -5, int.MaxValue, frame.Length, frame.Length - 21 + 1, random.Next(1, 64)];
            BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(at), values[random.Next(values.Length)]);
        }

        return frame;
    }

    private static BsonDocument UnknownOperatorCommand(Random random)
    {
        BsonDocument[] commands =
        [
            new() { { "find", "things" }, { "filter", new BsonDocument("a", new BsonDocument("$bogus", 1)) } },
            new() { { "find", "things" }, { "filter", new BsonDocument("$where", "sleep(100000)") } },
            new() { { "find", "things" },
                { "filter", new BsonDocument("a", new BsonDocument("$regex", s_safePatterns[random.Next(s_safePatterns.Length)])) } },
            new() { { "aggregate", "things" }, { "pipeline", new BsonArray { new BsonDocument("$bogusStage", new BsonDocument()) } },
                { "cursor", new BsonDocument() } },
            new() { { "aggregate", "things" },
                { "pipeline",
                    new BsonArray { new BsonDocument("$project", new BsonDocument("x", new BsonDocument("$bogusExpression", 1))) } },
                        { "cursor", new BsonDocument() } },
            new() { { "aggregate", "things" },
                { "pipeline",
                    new BsonArray { new BsonDocument("$group",
                        new BsonDocument { { "_id", 1 }, { "n", new BsonDocument("$bogusAccumulator", 1) } }) } },
                            { "cursor", new BsonDocument() } },
            new() { { "update", "things" },
                { "updates",
                    new BsonArray { new BsonDocument { { "q", new BsonDocument() },
                        { "u", new BsonDocument("$bogus", new BsonDocument("a", 1)) } } } } },
            new() { { "noSuchCommand" + random.Next(1000), 1 } },
            new() { { "insert", "things" }, { "documents", new BsonArray { RandomDocument(random, 3) } } },
            new() { { "getMore", random.NextInt64() }, { "collection", "things" } },
            new() { { "killCursors", "things" }, { "cursors", new BsonArray { random.NextInt64() } } },
        ];
        var command = commands[random.Next(commands.Length)];
        command["$db"] = "fuzz";
        return command;
    }

    private static BsonDocument RandomCommand(Random random)
    {
        var command =
            new BsonDocument(s_commandNames[random.Next(s_commandNames.Length)], random.Next(3) == 0 ? RandomValue(random, 2) : "things");
        var fields = random.Next(0, 5);
        for (var i = 0; i < fields; i++)
        {
            command[s_fieldNames[random.Next(s_fieldNames.Length)]] = RandomValue(random, 3);
        }

        command["$db"] = random.Next(10) == 0 ? RandomValue(random, 0) : "fuzz";
        return command;
    }

    private static BsonDocument RandomDocument(Random random, int depth)
    {
        var document = new BsonDocument();
        var count = random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            document[s_fieldNames[random.Next(s_fieldNames.Length)]] = RandomValue(random, depth - 1);
        }

        return document;
    }

    private static BsonValue RandomValue(Random random, int depth) => random.Next(depth > 0 ? 18 : 16) switch
    {
        0 => random.Next(),
        1 => random.NextInt64() * (random.Next(2) == 0 ? 1 : -1),
        2 => random.NextDouble() * (random.Next(2) == 0 ? 1e300 : -1) is var d && random.Next(8) == 0 ? double.NaN : d,
        3 => new string((char)random.Next('a', 'z' + 1), random.Next(0, 20)),
        4 => random.Next(2) == 0,
        5 => BsonNull.Value,
        6 => ObjectId.GenerateNewId(),
        7 => new BsonDateTime(random.NextInt64(-62135596800000, 253402300799999)),
        8 => new BsonBinaryData(RandomBuffer(random, 16)),
        9 => new BsonRegularExpression(s_safePatterns[random.Next(s_safePatterns.Length)], "i"),
        10 => new BsonTimestamp(random.NextInt64()),
        11 => new BsonDecimal128(new Decimal128((decimal)random.NextDouble())),
        12 => BsonMinKey.Value,
        13 => BsonMaxKey.Value,
        14 => int.MinValue,
        15 => s_fieldNames[random.Next(s_fieldNames.Length)],
        16 => RandomDocument(random, depth),
        _ => new BsonArray(Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, depth - 1))),
    };

    private static byte[] RandomBuffer(Random random, int max)
    {
        var bytes = new byte[random.Next(max)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static BsonDocument Insert(string collection, BsonDocument document) =>
        new() { { "insert", collection }, { "documents", new BsonArray { document } }, { "$db", "fuzz" } };

    /// <summary>A document whose total depth is <paramref name="nestedLevels"/> + 1: {_id, a: {a: ... {a: 1}}}.</summary>
    private static BsonDocument NestedDocument(int nestedLevels)
    {
        BsonValue value = 1;
        for (var i = 0; i < nestedLevels; i++)
        {
            value = new BsonDocument("a", value);
        }

        return new BsonDocument { { "_id", nestedLevels }, { "a", value } };
    }

    private static BsonArray NestedArray(int levels)
    {
        var array = new BsonArray { 1 };
        for (var i = 1; i < levels; i++)
        {
            array = [array];
        }

        return array;
    }

    /// <summary>
    /// Raw bytes of <c>{ping: 1, $db: "admin", a: &lt;levels&gt;}</c> where the value nests <paramref name="levels"/>
    /// documents or arrays (type 0x03/0x04), so the whole command is <paramref name="levels"/> + 1 deep. Built by hand:
    /// serializing such a tree with the driver would itself recurse that deep.
    /// </summary>
    private static byte[] PingWithNesting(int levels, byte type)
    {
        using var body = new MemoryStream();
        body.Write([0x10, .. "ping"u8, 0, 1, 0, 0, 0]);
        body.Write([0x02, .. "$db"u8, 0, 6, 0, 0, 0, .. "admin"u8, 0]);
        var key = type == 0x04 ? "0"u8.ToArray() : "a"u8.ToArray();
        body.Write([0x03, .. "a"u8, 0]);
        WriteNested(body, levels, type, key);
        return Document(body.ToArray());
    }

    private static byte[] CodeWithScopeBomb(int levels)
    {
        using var scope = new MemoryStream();
        WriteNested(scope, levels, 0x03, "a"u8.ToArray());
        var code = "x"u8.ToArray();
        using var element = new MemoryStream();
        var total = 4 + 4 + code.Length + 1 + (int)scope.Length;
        element.Write([0x0F, .. "f"u8, 0]);
        element.Write(Int(total));
        element.Write(Int(code.Length + 1));
        element.Write([.. code, 0]);
        element.Write(scope.ToArray());
        return Document([0x10, .. "ping"u8, 0, 1, 0, 0, 0, 0x02, .. "$db"u8, 0, 6, 0, 0, 0, .. "admin"u8, 0, .. element.ToArray()]);
    }

    /// <summary>Writes <paramref name="levels"/> nested documents of one element each, the innermost empty: lengths are 5 + 8k from the
    /// inside out (with one-byte keys).</summary>
    private static void WriteNested(Stream stream, int levels, byte type, byte[] key)
    {
        var step = 4 + 1 + key.Length + 1 + 1;
        for (var level = levels - 1; level >= 1; level--)
        {
            stream.Write(Int(5 + (step * level)));
            stream.Write([type, .. key, 0]);
        }

        stream.Write(Int(5));
        stream.WriteByte(0);
        for (var level = 1; level < levels; level++)
        {
            stream.WriteByte(0);
        }
    }

    private static byte[] Document(byte[] elements) => [.. Int(4 + elements.Length + 1), .. elements, 0];

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
            : fallback;

    /// <summary>Collects what the members log at Error level or above: an input that gets there found a bug.</summary>
    private sealed class ErrorLog : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILoggerProvider,
        Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Enqueue(
                    $"{formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message} " +
                        $"{exception?.StackTrace?.Split('\n').FirstOrDefault()}");
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class Figures
    {
        public int Inputs { get; set; }

        public int OkReplies { get; set; }

        public int ErrorReplies { get; set; }

        public int Closed { get; set; }

        public Dictionary<int, int> Codes { get; } = [];
    }
}
