using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Query.Aggregation;

namespace Tabernacle.MongoEmulator.Tests.Query.Aggregation;

/// <summary>
/// A pipeline that provably reads only some top-level fields ($group, an inclusion $project or $count after $match,
/// $sort, $skip, $limit) decodes only those from the stored BSON. Each pipeline here runs twice through the driver: as
/// written, and behind an always-true <c>$expr</c> on <c>$$ROOT</c>, which makes the same pipeline read whole
/// documents; the results must be equal, over documents with missing fields, nested paths, arrays in paths and
/// values of every type.
/// </summary>
public sealed class FieldSubsetReadTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    public static TheoryData<string> Pipelines =>
    [
        """[{ $group: { _id: "$g", total: { $sum: "$n" }, count: { $sum: 1 } } }]""",
        """[{ $group: { _id: "$a.b", seen: { $push: "$a.b" }, ns: { $addToSet: "$n" } } }]""",
        """[{ $group: { _id: { g: "$g", deep: "$d.e.f" }, first: { $first: "$missing" }, m: { $max: "$d" } } }]""",
        """[{ $match: { "a.b": { $gte: 1 } } }, { $group: { _id: null, top: { $max: "$n" }, ids: { $push: "$_id" } } }]""",
        """[{ $match: { $or: [{ n: { $gt: 2 } }, { "a.b": 2 }] } }, { $project: { arr: "$a.b", n: 1 } }]""",
        """[{ $project: { n: 1, "a.b": 1, missing: 1, x: { $concat: ["$s", "!"] } } }]""",
        """[{ $project: { _id: 0, d: { e: 1 }, k: { $cond: [{ $isArray: "$a" }, { $size: "$a" }, -1] } } }]""",
        """[{ $sort: { n: -1, _id: 1 } }, { $skip: 1 }, { $limit: 3 }, { $project: { _id: 0, n: 1, s: 1 } }]""",
        """[{ $match: { g: 1 } }, { $count: "k" }]""",
        """[{ $match: { $expr: { $gt: ["$n", "$g"] } } }, { $group: { _id: "$g", c: { $sum: 1 } } }]""",
        """[{ $group: { _id: "$g", best: { $top: { sortBy: { n: -1, _id: 1 }, output: ["$s", "$bin"] } } } }]""",
        """[{ $match: { tags: "x" } }, { $group: { _id: "$tags", r: { $push: "$re" }, dec: { $sum: "$dec" } } }]""",
        """[{ $match: { "a.b": { $exists: false } } }, { $project: { g: 1, when: 1, oid: 1 } }]""",
    ];

    [Theory]
    [MemberData(nameof(Pipelines))]
    public async Task A_pipeline_gives_what_it_gives_over_whole_documents(string json)
    {
        var items = Client.GetDatabase("subset").GetCollection<BsonDocument>("items");
        await items.InsertManyAsync(Documents());
        var pipeline = BsonSerializer(json);
        Assert.NotNull(PipelineDependencies.TopLevelFields(null, pipeline));

        var wholeDocuments = new List<BsonDocument> { Doc("""{ $match: { $expr: { $ne: ["$$ROOT", null] } } }""") };
        wholeDocuments.AddRange(pipeline);
        Assert.Null(PipelineDependencies.TopLevelFields(wholeDocuments[0]["$match"].AsBsonDocument, pipeline));

        var subset = await (await items.AggregateAsync<BsonDocument>(pipeline)).ToListAsync();
        var whole = await (await items.AggregateAsync<BsonDocument>(wholeDocuments)).ToListAsync();

        Assert.NotEmpty(whole);
        Assert.Equal(Canonical(whole), Canonical(subset));
    }

    [Fact]
    public void Pipelines_that_may_read_unnamed_fields_need_whole_documents()
    {
        string[] whole =
        [
            """[{ $group: { _id: "$$ROOT" } }]""",
            """[{ $group: { _id: null, all: { $push: "$$CURRENT.a" } } }]""",
            """[{ $group: { _id: { $getField: "a" } } }]""",
            """[{ $project: { a: 0 } }]""",
            """[{ $project: { a: { b: 0 } } }]""",
            """[{ $match: { a: 1 } }]""",
            """[{ $sort: { a: 1 } }, { $addFields: { b: 1 } }, { $group: { _id: "$b" } }]""",
            """[{ $match: { $where: "true" } }, { $count: "n" }]""",
            """[{ $sort: { score: { $meta: "textScore" } } }, { $count: "n" }]""",
        ];

        foreach (var json in whole)
        {
            Assert.True(PipelineDependencies.TopLevelFields(null, BsonSerializer(json)) is null, json);
        }
    }

    [Fact]
    public void The_fields_are_the_top_level_names_a_pipeline_reads()
    {
        var fields = PipelineDependencies.TopLevelFields(
            Doc("""{ "a.b": 1, $or: [{ c: 1 }, { $expr: { $eq: ["$d.e", 1] } }] }"""),
            BsonSerializer("""[{ $sort: { "f.g": 1 } }, { $group: { _id: "$h", t: { $top: { sortBy: { i: 1 }, output: "$j" } } } }]"""));

        Assert.Equal(["_id", "a", "c", "d", "f", "h", "i", "j"], fields!.Order(StringComparer.Ordinal));
    }

    private static List<BsonDocument> BsonSerializer(string json) =>
        MongoDB.Bson.Serialization.BsonSerializer.Deserialize<BsonArray>(json).Select(s => s.AsBsonDocument).ToList();

    private static List<string> Canonical(List<BsonDocument> documents) =>
        documents.Select(d => d.ToJson()).Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<BsonDocument> Documents()
    {
        for (var i = 0; i < 40; i++)
        {
            var document = new BsonDocument { { "_id", i } };
            if (i % 5 != 0)
            {
                document["g"] = i % 3;
            }

            if (i % 4 != 0)
            {
                document["n"] = i % 4 == 1 ? i : i % 4 == 2 ? (BsonValue)(long)i : i + 0.5;
            }

            document["s"] = $"s{i % 6}";

            // a.b: a document, an array of documents (an array in the path), an array of scalars, or missing.
            switch (i % 4)
            {
                case 0:
                    document["a"] = new BsonDocument("b", i % 3);
                    break;
                case 1:
                    document["a"] = new BsonArray { new BsonDocument("b", 1), new BsonDocument("b", 2), new BsonDocument("c", 3) };
                    break;
                case 2:
                    document["a"] = new BsonArray { 1, 2 };
                    break;
            }

            if (i % 3 == 0)
            {
                document["d"] = new BsonDocument { { "e", new BsonDocument("f", i % 2) }, { "x", "y" } };
            }

            // Values of the types a scan skips without decoding or decodes through the library.
            document["bin"] = new BsonBinaryData([(byte)i, 2, 3]);
            if (i % 7 == 0)
            {
                // A type whose length a scan does not skip: such a document is decoded whole.
                document["re"] = new BsonRegularExpression($"^a{i % 2}", "i");
            }

            document["dec"] = new BsonDecimal128(i / 4m);
            document["when"] = new BsonDateTime(1_700_000_000_000 + i);
            document["oid"] = ObjectId.Parse($"6553f100000000000000{i:x4}");
            document["tags"] = i % 2 == 0 ? new BsonArray { "x", "y" } : new BsonArray { "z" };
            document["ts"] = new BsonTimestamp(i, 1);
            document["nil"] = BsonNull.Value;
            document["flag"] = i % 2 == 0;
            document["js"] = new BsonJavaScript("function() {}");
            document["min"] = BsonMinKey.Value;
            document["last"] = i;
            yield return document;
        }
    }
}
