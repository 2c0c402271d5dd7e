using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// How a member keeps a stored document: its raw BSON bytes, decoded into a fresh <see cref="BsonDocument"/> on each
/// read. A <see cref="BsonDocument"/> tree costs about six times its BSON size (an object per element, value, name and
/// list); the bytes cost their length. The bytes are immutable, so one array is shared by the collection, the version
/// history and a member copied by an initial sync, and every reader gets its own tree to keep or change.
/// </summary>
internal static class StoredBson
{
    public static byte[] Encode(BsonDocument document) => document.ToBson();

    /// <summary>
    /// Decodes a stored document. Doubles keep their bits (-0.0 stays -0.0, as mongod keeps it, where MongoDB.Bson's
    /// deserializer would hand back its cached +0.0); the types documents rarely hold go through the library's reader.
    /// </summary>
    public static BsonDocument Decode(byte[] bytes)
    {
        var position = 0;
        return ReadDocument(bytes, ref position) ?? DecodeWithReader(bytes);
    }

    /// <summary>
    /// Decodes only the top-level fields named in <paramref name="fields"/> (whole, nested documents and arrays
    /// included), in their stored order, skipping the others' bytes: for a read that provably looks at no other field
    /// (a pipeline that starts with <c>$group</c>, say). Falls back to <see cref="Decode"/> for a type the fast path
    /// leaves to the library.
    /// </summary>
    public static BsonDocument DecodeFields(byte[] bytes, IReadOnlySet<string> fields)
    {
        var position = 0;
        return ReadDocument(bytes, ref position, fields) ?? Decode(bytes);
    }

    // Moves past a value without decoding it; false for a type whose length this does not know (then decode it all).
    private static bool Skip(byte[] bytes, BsonType type, ref int position)
    {
        int Int32At(int at) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        switch (type)
        {
            case BsonType.Double or BsonType.DateTime or BsonType.Timestamp or BsonType.Int64:
                position += 8;
                return true;
            case BsonType.String or BsonType.JavaScript or BsonType.Symbol:
                position += 4 + Int32At(position);
                return true;
            case BsonType.Document or BsonType.Array or BsonType.JavaScriptWithScope:
                position += Int32At(position);
                return true;
            case BsonType.Binary:
                position += 4 + 1 + Int32At(position);
                return true;
            case BsonType.ObjectId:
                position += 12;
                return true;
            case BsonType.Boolean:
                position += 1;
                return true;
            case BsonType.Int32:
                position += 4;
                return true;
            case BsonType.Decimal128:
                position += 16;
                return true;
            case BsonType.Null or BsonType.Undefined or BsonType.MinKey or BsonType.MaxKey:
                return true;
            default:
                return false;
        }
    }

    // Null when the document holds a type this fast path leaves to the library (the caller then decodes it all there).
    // With fields, only those elements are decoded; the others' bytes are skipped.
    private static BsonDocument? ReadDocument(byte[] bytes, ref int position, IReadOnlySet<string>? fields = null)
    {
        var end = position + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
        position += 4;
        var document = new BsonDocument(allowDuplicateNames: true);
        while (position < end - 1)
        {
            var type = (BsonType)bytes[position++];
            var name = ReadCString(bytes, ref position);
            if (fields is not null && !fields.Contains(name))
            {
                if (!Skip(bytes, type, ref position))
                {
                    return null;
                }

                continue;
            }

            var value = ReadValue(bytes, type, ref position);
            if (value is null)
            {
                return null;
            }

            document.Add(name, value);
        }

        position = end;
        return document;
    }

    private static BsonArray? ReadArray(byte[] bytes, ref int position)
    {
        var end = position + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
        position += 4;
        var array = new BsonArray();
        while (position < end - 1)
        {
            var type = (BsonType)bytes[position++];
            while (bytes[position] != 0)
            {
                position++;
            }

            position++;
            var value = ReadValue(bytes, type, ref position);
            if (value is null)
            {
                return null;
            }

            array.Add(value);
        }

        position = end;
        return array;
    }

    private static BsonValue? ReadValue(byte[] bytes, BsonType type, ref int position)
    {
        var span = bytes.AsSpan(position);
        switch (type)
        {
            case BsonType.Double:
                position += 8;
                return new BsonDouble(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(span)));
            case BsonType.String:
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(span);
                var value = length == 1 ? BsonString.Empty : new BsonString(Encoding.UTF8.GetString(bytes, position + 4, length - 1));
                position += 4 + length;
                return value;
            }

            case BsonType.Document:
                return ReadDocument(bytes, ref position);
            case BsonType.Array:
                return ReadArray(bytes, ref position);
            case BsonType.ObjectId:
                position += 12;
                return new BsonObjectId(new ObjectId(span[..12].ToArray()));
            case BsonType.Boolean:
                position += 1;
                return (BsonBoolean)(span[0] != 0);
            case BsonType.DateTime:
                position += 8;
                return new BsonDateTime(BinaryPrimitives.ReadInt64LittleEndian(span));
            case BsonType.Null:
                return BsonNull.Value;
            case BsonType.Int32:
                position += 4;
                return (BsonInt32)BinaryPrimitives.ReadInt32LittleEndian(span);
            case BsonType.Timestamp:
                position += 8;
                return new BsonTimestamp(BinaryPrimitives.ReadInt64LittleEndian(span));
            case BsonType.Int64:
                position += 8;
                return (BsonInt64)BinaryPrimitives.ReadInt64LittleEndian(span);
            case BsonType.Decimal128:
                position += 16;
                return new BsonDecimal128(Decimal128.FromIEEEBits(
                    BinaryPrimitives.ReadUInt64LittleEndian(span[8..]), BinaryPrimitives.ReadUInt64LittleEndian(span)));
            case BsonType.MinKey:
                return BsonMinKey.Value;
            case BsonType.MaxKey:
                return BsonMaxKey.Value;
            default:
                // Binary data, regular expressions, code, symbols, undefined and DBPointers: the library's reader.
                return null;
        }
    }

    // Element names repeat across a collection's documents: a small cache of ASCII names (by a hash of their bytes)
    // spares a scan the decoding and allocation of each name once per document. Slots are replaced racily, which is
    // safe: a slot holds a whole immutable string or nothing, and a miss only decodes the name again.
    private static readonly string?[] NameCache = new string?[1024];

    private static string ReadCString(byte[] bytes, ref int position)
    {
        var start = position;
        var hash = 2166136261u;
        var ascii = true;
        while (bytes[position] != 0)
        {
            hash = (hash ^ bytes[position]) * 16777619u;
            ascii &= bytes[position] < 0x80;
            position++;
        }

        var length = position - start;
        position++;
        if (!ascii || length > 64)
        {
            return Encoding.UTF8.GetString(bytes, start, length);
        }

        var slot = (int)(hash & (uint)(NameCache.Length - 1));
        var cached = NameCache[slot];
        if (cached is not null && cached.Length == length && SameAscii(cached, bytes, start))
        {
            return cached;
        }

        var name = Encoding.ASCII.GetString(bytes, start, length);
        NameCache[slot] = name;
        return name;
    }

    private static bool SameAscii(string name, byte[] bytes, int start)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != bytes[start + i])
            {
                return false;
            }
        }

        return true;
    }

    private static BsonDocument DecodeWithReader(byte[] bytes)
    {
        using var reader = new BsonBinaryReader(new MemoryStream(bytes, writable: false));
        return ReadWithReader(reader);
    }

    private static BsonDocument ReadWithReader(IBsonReader reader)
    {
        var document = new BsonDocument(allowDuplicateNames: true);
        reader.ReadStartDocument();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            var name = reader.ReadName();
            document.Add(name, ReadValueWithReader(reader));
        }

        reader.ReadEndDocument();
        return document;
    }

    private static BsonValue ReadValueWithReader(IBsonReader reader)
    {
        switch (reader.CurrentBsonType)
        {
            case BsonType.Document:
                return ReadWithReader(reader);
            case BsonType.Array:
                var array = new BsonArray();
                reader.ReadStartArray();
                while (reader.ReadBsonType() != BsonType.EndOfDocument)
                {
                    array.Add(ReadValueWithReader(reader));
                }

                reader.ReadEndArray();
                return array;
            case BsonType.Double:
                return new BsonDouble(reader.ReadDouble());
            default:
                return BsonValueSerializer.Instance.Deserialize(BsonDeserializationContext.CreateRoot(reader));
        }
    }
}
