using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace Tabernacle.MongoEmulator.Replication.Persistence;

/// <summary>
/// The record framing shared by journals and checkpoints: a 4-byte length, a 4-byte CRC-32C of the payload, then the
/// payload, one BSON document. Little-endian, as BSON itself.
/// </summary>
internal static class RecordFile
{
    public const int HeaderSize = 8;

    // Larger than any oplog entry can be (16 MB documents, a transaction's applyOps up to MongoDB's 16 MB too), so a
    // longer length can only be garbage.
    public const int MaxPayload = 64 * 1024 * 1024;

    public static byte[] Frame(BsonDocument payload)
    {
        var bson = payload.ToBson();
        var record = new byte[HeaderSize + bson.Length];
        BinaryPrimitives.WriteInt32LittleEndian(record, bson.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32C.Compute(bson));
        bson.CopyTo(record, HeaderSize);
        return record;
    }

    /// <summary>
    /// Reads every record of <paramref name="bytes"/>. A bad record that reaches the end of the data is a torn tail
    /// (a write the process or machine did not finish): reading stops before it and <paramref name="validLength"/> says
    /// where. A bad record with data after it is corruption, which no crash produces in an append-only file.
    /// </summary>
    public static List<BsonDocument> ReadAll(string path, byte[] bytes, out long validLength, out string? tornReason)
    {
        var records = new List<BsonDocument>();
        var offset = 0;
        tornReason = null;
        while (offset < bytes.Length)
        {
            var problem = TryRead(bytes, offset, out var payload, out var next);
            if (problem is null)
            {
                records.Add(payload!);
                offset = (int)next;
                continue;
            }

            if (next >= bytes.Length || IsZeroFilled(bytes, offset))
            {
                tornReason = $"{problem} at offset {offset}";
                break;
            }

            throw new InvalidDataException(
                $"The emulator's data file '{path}' is corrupt: {problem} at offset {offset}, with {bytes.Length - next} "
                + "more bytes after it. Restore the data directory from a copy, or delete it to start empty.");
        }

        validLength = offset;
        return records;
    }

    // Returns null when a whole, valid record starts at offset; else why not, with next at the end the record claims.
    private static string? TryRead(byte[] bytes, int offset, out BsonDocument? payload, out long next)
    {
        payload = null;
        if (bytes.Length - offset < HeaderSize)
        {
            next = bytes.Length;
            return "a record header cut short";
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
        if (length is < 5 or > MaxPayload)
        {
            // A crash leaves our own bytes cut short, or zeroes; it never writes a garbage length.
            next = offset + HeaderSize;
            return $"an impossible record length {length}";
        }

        next = (long)offset + HeaderSize + length;
        if (next > bytes.Length)
        {
            return $"a record of {length} bytes cut short";
        }

        var body = bytes.AsSpan(offset + HeaderSize, length);
        if (Crc32C.Compute(body) != checksum)
        {
            return "a record whose checksum does not match";
        }

        try
        {
            using var stream = new MemoryStream(bytes, offset + HeaderSize, length, writable: false);
            using var reader = new BsonBinaryReader(stream);
            payload = BsonSerializer.Deserialize<BsonDocument>(reader);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or BsonSerializationException)
        {
            return "a record that is not a BSON document";
        }
    }

    private static bool IsZeroFilled(byte[] bytes, int offset) => bytes.AsSpan(offset).IndexOfAnyExcept((byte)0) < 0;
}
