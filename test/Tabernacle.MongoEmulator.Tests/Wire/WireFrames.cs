using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Tabernacle.MongoEmulator.Tests.Wire;

/// <summary>
/// Builds and parses raw MongoDB wire protocol frames (OP_QUERY, OP_MSG, OP_REPLY), independently of the emulator's
/// own codec, so the tests check the bytes a driver really exchanges with the server.
/// </summary>
internal static class WireFrames
{
    public const int HeaderSize = 16;
    public const int OpReply = 1;
    public const int OpQuery = 2004;
    public const int OpMsg = 2013;
    public const uint ChecksumPresent = 1;
    public const uint MoreToCome = 1 << 1;

    private static int s_nextRequestId = 1000;

    /// <summary>A fresh request id, unique within the test run.</summary>
    public static int NextRequestId() => Interlocked.Increment(ref s_nextRequestId);

    /// <summary>A 16-byte header followed by <paramref name="body"/>; the length is computed unless <paramref name="lengthOverride"/> is
    /// given.</summary>
    public static byte[] Frame(int requestId, int opCode, ReadOnlySpan<byte> body, int? lengthOverride = null)
    {
        var bytes = new byte[HeaderSize + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, lengthOverride ?? bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), requestId);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), opCode);
        body.CopyTo(bytes.AsSpan(HeaderSize));
        return bytes;
    }

    /// <summary>A legacy OP_QUERY of <paramref name="query"/> on <paramref name="fullCollectionName"/> (such as
    /// <c>admin.$cmd</c>).</summary>
    public static byte[] Query(int requestId, string fullCollectionName, BsonDocument query, int flags = 0)
    {
        using var body = new MemoryStream();
        Span<byte> int32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(int32, flags);
        body.Write(int32);
        body.Write(Encoding.UTF8.GetBytes(fullCollectionName));
        body.WriteByte(0);
        BinaryPrimitives.WriteInt32LittleEndian(int32, 0); // numberToSkip
        body.Write(int32);
        BinaryPrimitives.WriteInt32LittleEndian(int32, -1); // numberToReturn: commands use -1
        body.Write(int32);
        body.Write(query.ToBson());
        return Frame(requestId, OpQuery, body.ToArray());
    }

    /// <summary>A kind-0 (body) section.</summary>
    public static byte[] Body(BsonDocument command) => [0, .. command.ToBson()];

    /// <summary>A kind-1 (document sequence) section: size, identifier, then the documents back to back.</summary>
    public static byte[] Sequence(string identifier, params BsonDocument[] documents)
    {
        var name = Encoding.UTF8.GetBytes(identifier);
        var docs = documents.SelectMany(d => d.ToBson()).ToArray();
        var size = 4 + name.Length + 1 + docs.Length;
        var section = new byte[1 + size];
        section[0] = 1;
        BinaryPrimitives.WriteInt32LittleEndian(section.AsSpan(1), size);
        name.CopyTo(section, 5);
        docs.CopyTo(section, 5 + name.Length + 1);
        return section;
    }

    /// <summary>An OP_MSG with the given flag bits and sections; <see cref="ChecksumPresent"/> appends a real CRC-32C.</summary>
    public static byte[] Msg(int requestId, uint flags, params byte[][] sections)
    {
        var checksum = (flags & ChecksumPresent) != 0;
        var body = new byte[4 + sections.Sum(s => s.Length) + (checksum ? 4 : 0)];
        BinaryPrimitives.WriteUInt32LittleEndian(body, flags);
        var position = 4;
        foreach (var section in sections)
        {
            section.CopyTo(body, position);
            position += section.Length;
        }

        var frame = Frame(requestId, OpMsg, body);
        if (checksum)
        {
            var crc = Crc32C(frame.AsSpan(0, frame.Length - 4));
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(frame.Length - 4), crc);
        }

        return frame;
    }

    /// <summary>An OP_MSG holding one command document.</summary>
    public static byte[] Command(int requestId, BsonDocument command, uint flags = 0) => Msg(requestId, flags, Body(command));

    /// <summary>Parses an OP_REPLY frame (header included).</summary>
    public static OpReplyMessage ParseReply(byte[] frame)
    {
        var header = ReadHeader(frame);
        Assert.Equal(OpReply, header.OpCode);
        var body = frame.AsSpan(HeaderSize);
        var flags = BinaryPrimitives.ReadInt32LittleEndian(body);
        var cursorId = BinaryPrimitives.ReadInt64LittleEndian(body[4..]);
        var startingFrom = BinaryPrimitives.ReadInt32LittleEndian(body[12..]);
        var numberReturned = BinaryPrimitives.ReadInt32LittleEndian(body[16..]);
        var documents = new List<BsonDocument>();
        var position = 20;
        while (position < body.Length)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(body[position..]);
            documents.Add(BsonSerializer.Deserialize<BsonDocument>(body.Slice(position, length).ToArray()));
            position += length;
        }

        Assert.Equal(body.Length, position);
        return new OpReplyMessage(header, flags, cursorId, startingFrom, numberReturned, documents);
    }

    /// <summary>Parses an OP_MSG reply frame that holds a single kind-0 section.</summary>
    public static OpMsgMessage ParseMsg(byte[] frame)
    {
        var header = ReadHeader(frame);
        Assert.Equal(OpMsg, header.OpCode);
        var body = frame.AsSpan(HeaderSize);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(body);
        Assert.Equal(0, body[4]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(body[5..]);
        Assert.Equal(body.Length, 5 + length);
        var document = BsonSerializer.Deserialize<BsonDocument>(body.Slice(5, length).ToArray());
        return new OpMsgMessage(header, flags, document);
    }

    public static FrameHeader ReadHeader(ReadOnlySpan<byte> frame) => new(
        BinaryPrimitives.ReadInt32LittleEndian(frame),
        BinaryPrimitives.ReadInt32LittleEndian(frame[4..]),
        BinaryPrimitives.ReadInt32LittleEndian(frame[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(frame[12..]));

    /// <summary>CRC-32C (Castagnoli), the OP_MSG checksum.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}

internal readonly record struct FrameHeader(int MessageLength, int RequestId, int ResponseTo, int OpCode);

internal sealed record OpReplyMessage(FrameHeader Header, int ResponseFlags, long CursorId, int StartingFrom, int NumberReturned,
    IReadOnlyList<BsonDocument> Documents);

internal sealed record OpMsgMessage(FrameHeader Header, uint Flags, BsonDocument Document);
