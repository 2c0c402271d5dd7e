using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>Decodes OP_MSG and OP_QUERY requests and encodes OP_MSG and OP_REPLY replies.</summary>
internal static class MessageCodec
{
    private const uint ChecksumPresent = 1;
    private const uint MoreToComeFlag = 1 << 1;
    private const uint ExhaustAllowedFlag = 1 << 16;
    private const uint KnownMsgFlags = ChecksumPresent | MoreToComeFlag | ExhaustAllowedFlag;
    private const int QuerySecondaryOkFlag = 1 << 2;

    /// <summary>MongoDB's limit for one BSON document in a command (16 MiB plus the 16 KiB allowance for command overhead).</summary>
    public const int MaxCommandDocumentSize = (16 * 1024 * 1024) + (16 * 1024);

    /// <summary>Decodes one message body (the bytes after the header).</summary>
    public static WireRequest Decode(MessageHeader header, ReadOnlySpan<byte> body) => header.OpCode switch
    {
        (int)OpCode.Msg => DecodeMsg(header, body),
        (int)OpCode.Query => DecodeQuery(header, body),
        (int)OpCode.Compressed => throw new WireProtocolException("OP_COMPRESSED was sent but the emulator advertises no compressors"),
        _ => throw new WireProtocolException($"unsupported opcode {header.OpCode}"),
    };

    private static WireRequest DecodeMsg(MessageHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < 5)
        {
            throw new WireProtocolException("OP_MSG is too short to hold flags and a section");
        }

        var flags = BinaryPrimitives.ReadUInt32LittleEndian(body);
        if ((flags & 0xFFFF & ~KnownMsgFlags) != 0)
        {
            // Unknown required bits (0-15) must make the server close the connection, per the OP_MSG specification.
            throw new WireProtocolException($"OP_MSG has unknown required flag bits 0x{flags:x8}");
        }

        var end = body.Length - ((flags & ChecksumPresent) != 0 ? 4 : 0);
        var position = 4;
        BsonDocument? command = null;
        List<(string Identifier, BsonArray Documents)>? sequences = null;
        while (position < end)
        {
            var kind = body[position++];
            switch (kind)
            {
                case 0:
                    if (command is not null)
                    {
                        throw new WireProtocolException("OP_MSG has more than one kind-0 section");
                    }

                    command = ReadDocument(body[position..end], out var used);
                    position += used;
                    break;
                case 1:
                    if (end - position < 4)
                    {
                        throw new WireProtocolException("OP_MSG kind-1 section is truncated");
                    }

                    var size = BinaryPrimitives.ReadInt32LittleEndian(body[position..]);
                    if (size < 5 || size > end - position)
                    {
                        throw new WireProtocolException($"OP_MSG kind-1 section size {size} is out of range");
                    }

                    var section = body.Slice(position + 4, size - 4);
                    var nul = section.IndexOf((byte)0);
                    if (nul < 0)
                    {
                        throw new WireProtocolException("OP_MSG kind-1 identifier is not terminated");
                    }

                    var identifier = Encoding.UTF8.GetString(section[..nul]);
                    var documents = new BsonArray();
                    var offset = nul + 1;
                    while (offset < section.Length)
                    {
                        documents.Add(ReadDocument(section[offset..], out var docLength));
                        offset += docLength;
                    }

                    (sequences ??= []).Add((identifier, documents));
                    position += size;
                    break;
                default:
                    throw new WireProtocolException($"OP_MSG has unknown section kind {kind}");
            }
        }

        if (command is null)
        {
            throw new WireProtocolException("OP_MSG has no kind-0 section");
        }

        if (sequences is not null)
        {
            foreach (var (identifier, documents) in sequences)
            {
                if (command.Contains(identifier))
                {
                    throw new WireProtocolException($"OP_MSG field '{identifier}' appears both in the body and as a document sequence");
                }

                command[identifier] = documents;
            }
        }

        return new WireRequest(header.RequestId, OpCode.Msg, command, null, (flags & MoreToComeFlag) != 0,
            (flags & ExhaustAllowedFlag) != 0, false);
    }

    private static WireRequest DecodeQuery(MessageHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < 4)
        {
            throw new WireProtocolException("OP_QUERY is too short");
        }

        var flags = BinaryPrimitives.ReadInt32LittleEndian(body);
        var nameEnd = body[4..].IndexOf((byte)0);
        if (nameEnd < 0)
        {
            throw new WireProtocolException("OP_QUERY collection name is not terminated");
        }

        var fullName = Encoding.UTF8.GetString(body.Slice(4, nameEnd));
        var position = 4 + nameEnd + 1 + 8; // skip numberToSkip and numberToReturn
        if (position > body.Length)
        {
            throw new WireProtocolException("OP_QUERY is truncated");
        }

        var query = ReadDocument(body[position..], out _);
        if (!fullName.EndsWith(".$cmd", StringComparison.Ordinal))
        {
            throw new WireProtocolException($"legacy OP_QUERY on '{fullName}' is not supported; only commands on <db>.$cmd are");
        }

        // Drivers wrap commands as {$query: {...}, $readPreference: {...}} when they send read preferences over OP_QUERY.
        if (query.TryGetValue("$query", out var inner) && inner is BsonDocument wrapped)
        {
            var merged = new BsonDocument(wrapped);
            if (query.TryGetValue("$readPreference", out var readPreference))
            {
                merged["$readPreference"] = readPreference;
            }

            query = merged;
        }

        var database = fullName[..^".$cmd".Length];
        return new WireRequest(header.RequestId, OpCode.Query, query, database, false, false, (flags & QuerySecondaryOkFlag) != 0);
    }

    private static BsonDocument ReadDocument(ReadOnlySpan<byte> bytes, out int length)
    {
        if (bytes.Length < 5)
        {
            throw new WireProtocolException("BSON document is truncated");
        }

        length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length < 5 || length > bytes.Length)
        {
            throw new WireProtocolException($"BSON document length {length} is out of range (at most {bytes.Length} bytes remain)");
        }

        if (length > MaxCommandDocumentSize)
        {
            throw new WireProtocolException($"BSON document of {length} bytes exceeds the {MaxCommandDocumentSize}-byte limit");
        }

        if (bytes[length - 1] != 0)
        {
            throw new WireProtocolException("BSON document does not end with a zero byte");
        }

        // Checked before the (recursive) deserializer runs, so no nesting can exhaust the stack.
        if (!BsonDepthScanner.IsWithinDepth(bytes[..length]))
        {
            throw new WireErrorReplyException(Errors.ErrorCodes.Overflow,
                $"BSONObj exceeded maximum nested object depth: {BsonDepthScanner.MaxAllowableDepth}");
        }

        try
        {
            var buffer = new ByteArrayBuffer(bytes[..length].ToArray(), isReadOnly: true);
            using var stream = new ByteBufferStream(buffer);
            using var reader = new BsonBinaryReader(stream, new BsonBinaryReaderSettings { MaxDocumentSize = MaxCommandDocumentSize });
            var document = BsonDocumentDecoder.ReadDocument(reader);
            if (stream.Position != length)
            {
                throw new WireProtocolException("BSON document length does not match its contents");
            }

            return document;
        }
        catch (Exception ex) when (ex is not WireProtocolException)
        {
            throw new WireProtocolException($"invalid BSON: {ex.Message}", ex);
        }
    }

    // Replies wrap stored documents (up to 100 levels) in cursors and envelopes, deeper than the writer's default limit of
    // 100; they can never be deeper than a request the wire accepted (200) plus that wrapping.
    private static readonly BsonBinaryWriterSettings ReplyWriterSettings =
        new() { MaxSerializationDepth = BsonDepthScanner.MaxAllowableDepth + 100 };

    /// <summary>Encodes an OP_MSG reply with a single kind-0 section (never with a checksum).</summary>
    public static byte[] EncodeMsgReply(int requestId, int responseTo, BsonDocument reply, bool moreToCome = false)
    {
        var document = reply.ToBson(writerSettings: ReplyWriterSettings);
        var length = MessageHeader.Size + 4 + 1 + document.Length;
        var bytes = new byte[length];
        new MessageHeader(length, requestId, responseTo, (int)OpCode.Msg).Write(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(MessageHeader.Size), moreToCome ? MoreToComeFlag : 0);
        bytes[MessageHeader.Size + 4] = 0;
        document.CopyTo(bytes, MessageHeader.Size + 5);
        return bytes;
    }

    /// <summary>Encodes an OP_REPLY holding one document, the answer to a legacy OP_QUERY command.</summary>
    public static byte[] EncodeLegacyReply(int requestId, int responseTo, BsonDocument reply)
    {
        var document = reply.ToBson(writerSettings: ReplyWriterSettings);
        var length = MessageHeader.Size + 20 + document.Length;
        var bytes = new byte[length];
        new MessageHeader(length, requestId, responseTo, (int)OpCode.Reply).Write(bytes);
        var span = bytes.AsSpan(MessageHeader.Size);
        BinaryPrimitives.WriteInt32LittleEndian(span, 0);      // responseFlags (AwaitCapable is irrelevant for commands)
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], 0); // cursorID
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], 0); // startingFrom
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 1); // numberReturned
        document.CopyTo(bytes, MessageHeader.Size + 20);
        return bytes;
    }
}
