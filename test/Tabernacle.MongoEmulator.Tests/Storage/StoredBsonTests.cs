using MongoDB.Bson;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Tests.Storage;

/// <summary>
/// Stored documents are raw BSON decoded on each read: every BSON type comes back as it went in (element order, types,
/// duplicate names, the bits of -0.0 and NaN), and each read gets its own tree.
/// </summary>
public sealed class StoredBsonTests
{
    private static BsonDocument EveryType() => new(allowDuplicateNames: true)
    {
        { "_id", ObjectId.Parse("65a1b2c3d4e5f60718293a4b") },
        { "double", 1.5 },
        { "negativeZero", new BsonDouble(-0.0) },
        { "nan", double.NaN },
        { "string", "héllo wörld" },
        { "empty", "" },
        { "document", new BsonDocument { { "a", 1 }, { "b", new BsonArray { 1, "two", new BsonDocument("c", 3L) } } } },
        { "array", new BsonArray { 1, 2.5, new BsonArray(), new BsonDocument() } },
        { "binary", new BsonBinaryData([1, 2, 3], BsonBinarySubType.Binary) },
        { "uuid", new BsonBinaryData(Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"), GuidRepresentation.Standard) },
        { "undefined", BsonUndefined.Value },
        { "true", true },
        { "false", false },
        { "date", new BsonDateTime(1_700_000_000_123) },
        { "null", BsonNull.Value },
        { "regex", new BsonRegularExpression("^a.*z$", "im") },
        { "code", new BsonJavaScript("function() { return 1; }") },
        { "symbol", (BsonSymbol)"sym" },
        { "codeWithScope", new BsonJavaScriptWithScope("x", new BsonDocument("x", 1)) },
        { "int", 42 },
        { "bigInt", int.MinValue },
        { "timestamp", new BsonTimestamp(7, 9) },
        { "long", 1L << 40 },
        { "decimal", new BsonDecimal128(Decimal128.Parse("-1234.5678E-10")) },
        { "min", BsonMinKey.Value },
        { "max", BsonMaxKey.Value },
        { "int", "a duplicate name" },
    };

    [Fact]
    public void Every_bson_type_reads_back_with_the_same_bytes_order_and_types()
    {
        var original = EveryType();
        var bytes = StoredBson.Encode(original);

        var decoded = StoredBson.Decode(bytes);

        Assert.Equal(bytes, decoded.ToBson());
        Assert.Equal(original.Names, decoded.Names);
        Assert.Equal(original.Values.Select(v => v.BsonType), decoded.Values.Select(v => v.BsonType));
        Assert.True(double.IsNegative(decoded["negativeZero"].AsDouble), "-0.0 keeps its sign");
        Assert.True(double.IsNaN(decoded["nan"].AsDouble));
        Assert.Equal("héllo wörld", decoded["string"].AsString);
        Assert.Equal(Decimal128.Parse("-1234.5678E-10"), decoded["decimal"].AsDecimal128);
        Assert.Equal(2, decoded.Elements.Count(e => e.Name == "int"));
    }

    [Fact]
    public void The_fast_path_alone_reads_the_common_types_and_keeps_negative_zero()
    {
        var original = new BsonDocument
        {
            { "_id", 1 }, { "z", new BsonDouble(-0.0) }, { "s", "x" },
            { "n", new BsonDocument("a", new BsonArray { 1L, true, BsonNull.Value }) },
            { "d", new BsonDateTime(5) }, { "t", new BsonTimestamp(1, 2) }, { "m", new BsonDecimal128(Decimal128.Parse("0.1")) },
        };

        var decoded = StoredBson.Decode(StoredBson.Encode(original));

        Assert.Equal(original, decoded);
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(decoded["z"].AsDouble));
    }

    [Fact]
    public void Names_read_back_exactly_when_many_different_names_share_the_decoders_name_cache()
    {
        // 5,000 names for about a thousand cache slots: colliding names must never come back as each other.
        var documents = Enumerable.Range(0, 5_000).Select(i => new BsonDocument
        {
            { $"f{i}", i }, { "shared", i }, { $"nämé{i % 7}", "x" }, { new string('n', 70 + (i % 3)), 1 },
        }).ToList();
        var stored = documents.Select(StoredBson.Encode).ToList();

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < documents.Count; i++)
            {
                Assert.Equal(documents[i].Names, StoredBson.Decode(stored[i]).Names);
            }
        }
    }

    [Fact]
    public void Each_read_gets_its_own_tree_so_a_reader_changing_it_changes_nothing_stored()
    {
        var bytes = StoredBson.Encode(new BsonDocument { { "_id", 1 }, { "n", new BsonDocument("v", 1) } });

        var first = StoredBson.Decode(bytes);
        first["n"]["v"] = 99;
        var second = StoredBson.Decode(bytes);

        Assert.NotSame(first, second);
        Assert.Equal(1, second["n"]["v"].AsInt32);
    }
}
