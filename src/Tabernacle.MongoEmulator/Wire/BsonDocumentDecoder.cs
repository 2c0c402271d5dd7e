using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>
/// Reads a BSON document into a <see cref="BsonDocument"/> exactly as sent. MongoDB.Bson's own deserializer maps
/// every double through <c>BsonDouble.Create</c>, which returns a cached +0.0 for -0.0; mongod keeps a double's bits,
/// so the emulator builds doubles itself and leaves every other type to the library.
/// </summary>
internal static class BsonDocumentDecoder
{
    public static BsonDocument ReadDocument(IBsonReader reader)
    {
        var document = new BsonDocument(allowDuplicateNames: true);
        reader.ReadStartDocument();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            var name = reader.ReadName();
            document.Add(name, ReadValue(reader));
        }

        reader.ReadEndDocument();
        return document;
    }

    private static BsonArray ReadArray(IBsonReader reader)
    {
        var array = new BsonArray();
        reader.ReadStartArray();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            array.Add(ReadValue(reader));
        }

        reader.ReadEndArray();
        return array;
    }

    private static BsonValue ReadValue(IBsonReader reader) => reader.CurrentBsonType switch
    {
        BsonType.Document => ReadDocument(reader),
        BsonType.Array => ReadArray(reader),
        BsonType.Double => new BsonDouble(reader.ReadDouble()),
        _ => BsonValueSerializer.Instance.Deserialize(BsonDeserializationContext.CreateRoot(reader)),
    };
}
