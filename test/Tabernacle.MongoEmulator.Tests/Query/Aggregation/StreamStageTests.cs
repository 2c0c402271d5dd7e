using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using static Tabernacle.MongoEmulator.Tests.Query.Aggregation.PipelineTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Aggregation;

public class StreamStageTests
{
    private static readonly string[] Scores =
    [
        "{_id: 1, subject: 'History', score: 88}",
        "{_id: 2, subject: 'History', score: 92}",
        "{_id: 3, subject: 'History', score: 97}",
        "{_id: 4, subject: 'History', score: 71}",
        "{_id: 5, subject: 'History', score: 79}",
        "{_id: 6, subject: 'History', score: 83}",
    ];

    [Fact]
    public void Match_filters_with_query_operators() =>
        AssertOutput(Run("[{$match: {score: {$gt: 80, $lt: 90}}}]", Scores), Scores[0], Scores[5]);

    [Fact]
    public void Match_with_expr_compares_fields()
    {
        var output =
            Run("[{$match: {$expr: {$gt: ['$spent', '$budget']}}}]", "{_id: 1, budget: 400, spent: 450}",
                "{_id: 2, budget: 100, spent: 150}", "{_id: 3, budget: 100, spent: 50}");
        AssertOutput(output, "{_id: 1, budget: 400, spent: 450}", "{_id: 2, budget: 100, spent: 150}");
    }

    [Fact]
    public void Match_combines_query_and_expr() =>
        AssertOutput(Run("[{$match: {score: {$gt: 80}, $expr: {$lt: ['$score', 90]}}}]", Scores), Scores[0], Scores[5]);

    [Fact]
    public void Match_uses_the_collation() =>
        AssertOutput(Run("[{$match: {s: 'abc'}}]", Documents("{s: 'ABC'}", "{s: 'abd'}"), collation: new Collation("en", 2)), "{s: 'ABC'}");

    [Fact]
    public void Match_sees_pipeline_let_variables() =>
        AssertOutput(Run("[{$match: {$expr: {$gte: ['$score', '$$min']}}}]", Documents(Scores), variables: BsonDocument.Parse("{min: 92}")),
            Scores[1], Scores[2]);

    [Fact]
    public void Match_rejects_non_objects() => AssertError(15959, "[{$match: 1}]", "{}");

    [Fact]
    public void Count_after_match_follows_the_manual() =>
        AssertOutput(Run("[{$match: {score: {$gt: 80}}}, {$count: 'passing_scores'}]", Scores), "{passing_scores: 4}");

    [Fact]
    public void Count_of_nothing_outputs_nothing() => Assert.Empty(Run("[{$count: 'n'}]"));

    [Theory]
    [InlineData(40156, "[{$count: 1}]")]
    [InlineData(40157, "[{$count: ''}]")]
    [InlineData(40158, "[{$count: '$n'}]")]
    [InlineData(40160, "[{$count: 'a.b'}]")]
    public void Count_errors(int code, string pipeline) => AssertError(code, pipeline, "{}");

    [Fact]
    public void Sort_skip_and_limit()
    {
        AssertOutput(Run("[{$sort: {score: -1}}, {$skip: 1}, {$limit: 2}]", Scores), Scores[1], Scores[0]);
        AssertOutput(Run("[{$sort: {score: 1}}, {$limit: 2}]", Scores), Scores[3], Scores[4]);
        AssertOutput(Run("[{$skip: 5}]", Scores), Scores[5]);
        AssertOutput(Run("[{$limit: 1}]", Scores), Scores[0]);
    }

    [Fact]
    public void Sort_is_stable_and_uses_the_collation()
    {
        var output =
            Run("[{$sort: {k: 1}}]", Documents("{_id: 1, k: 'b'}", "{_id: 2, k: 'a'}", "{_id: 3, k: 'A'}", "{_id: 4, k: 'B'}"),
                collation: new Collation("en", 2));
        Assert.Equal([2, 3, 1, 4], output.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public void Limit_stops_pulling_from_an_endless_input()
    {
        static IEnumerable<BsonDocument> Endless()
        {
            for (var i = 0; ; i++)
            {
                yield return new BsonDocument("i", i);
            }
        }

        var output = Run("[{$project: {_id: 0, j: {$multiply: ['$i', 2]}}}, {$limit: 3}]", Endless());
        AssertOutput(output, "{j: 0}", "{j: 2}", "{j: 4}");
    }

    [Theory]
    [InlineData(15976, "[{$sort: {}}]")]
    [InlineData(15973, "[{$sort: 1}]")]
    [InlineData(15975, "[{$sort: {a: 2}}]")]
    [InlineData(15958, "[{$limit: 0}]")]
    [InlineData(15957, "[{$limit: 'a'}]")]
    [InlineData(15956, "[{$skip: -1}]")]
    [InlineData(15972, "[{$skip: 'a'}]")]
    public void Sort_skip_limit_errors(int code, string pipeline) => AssertError(code, pipeline, "{}");

    private static readonly string[] Inventory =
    [
        "{_id: 1, item: 'ABC', price: NumberDecimal('80'), sizes: ['S', 'M', 'L']}",
        "{_id: 2, item: 'EFG', price: NumberDecimal('120'), sizes: []}",
        "{_id: 3, item: 'IJK', price: NumberDecimal('160'), sizes: 'M'}",
        "{_id: 4, item: 'LMN', price: NumberDecimal('10')}",
        "{_id: 5, item: 'XYZ', price: NumberDecimal('5.75'), sizes: null}",
    ];

    [Fact]
    public void Unwind_outputs_one_document_per_element_and_passes_scalars_through()
    {
        var output = Run("[{$unwind: '$sizes'}, {$project: {price: 0}}]", Inventory);
        AssertOutput(output, "{_id: 1, item: 'ABC', sizes: 'S'}", "{_id: 1, item: 'ABC', sizes: 'M'}", "{_id: 1, item: 'ABC', sizes: 'L'}",
            "{_id: 3, item: 'IJK', sizes: 'M'}");
    }

    [Fact]
    public void Unwind_can_preserve_null_missing_and_empty_arrays()
    {
        var output = Run("[{$unwind: {path: '$sizes', preserveNullAndEmptyArrays: true}}, {$project: {price: 0}}]", Inventory);
        AssertOutput(
            output,
            "{_id: 1, item: 'ABC', sizes: 'S'}",
            "{_id: 1, item: 'ABC', sizes: 'M'}",
            "{_id: 1, item: 'ABC', sizes: 'L'}",
            "{_id: 2, item: 'EFG'}",
            "{_id: 3, item: 'IJK', sizes: 'M'}",
            "{_id: 4, item: 'LMN'}",
            "{_id: 5, item: 'XYZ', sizes: null}");
    }

    [Fact]
    public void Unwind_can_include_the_array_index()
    {
        var output = Run("[{$unwind: {path: '$sizes', includeArrayIndex: 'arrayIndex'}}, {$project: {price: 0}}]", Inventory);
        AssertOutput(
            output,
            "{_id: 1, item: 'ABC', sizes: 'S', arrayIndex: NumberLong(0)}",
            "{_id: 1, item: 'ABC', sizes: 'M', arrayIndex: NumberLong(1)}",
            "{_id: 1, item: 'ABC', sizes: 'L', arrayIndex: NumberLong(2)}",
            "{_id: 3, item: 'IJK', sizes: 'M', arrayIndex: null}");
    }

    [Fact]
    public void Unwind_reaches_embedded_arrays() =>
        AssertOutput(Run("[{$unwind: '$a.b'}]", "{_id: 1, a: {b: [1, 2], c: 3}}"), "{_id: 1, a: {b: 1, c: 3}}",
            "{_id: 1, a: {b: 2, c: 3}}");

    [Theory]
    [InlineData(28818, "[{$unwind: 'sizes'}]")]
    [InlineData(28811, "[{$unwind: {path: '$sizes', foo: 1}}]")]
    [InlineData(28812, "[{$unwind: {includeArrayIndex: 'i'}}]")]
    [InlineData(28809, "[{$unwind: {path: '$sizes', preserveNullAndEmptyArrays: 1}}]")]
    [InlineData(28822, "[{$unwind: {path: '$sizes', includeArrayIndex: '$i'}}]")]
    public void Unwind_errors(int code, string pipeline) => AssertError(code, pipeline, "{}");

    [Fact]
    public void Unknown_stage_and_unsupported_writes_are_rejected()
    {
        var error = AssertError(40324, "[{$foo: {}}]", "{}");
        Assert.Equal("Unrecognized pipeline stage name: '$foo'", error.Message);
        // The engine never runs a write stage: the aggregate command runs a final one itself.
        Assert.Equal("$out can only be the final stage in the pipeline", AssertError(40601, "[{$out: 'x'}]", "{}").Message);
        AssertError(40601, "[{$merge: {into: 'x'}}]", "{}");
        AssertError(40323, "[{$match: {}, $limit: 1}]", "{}");
    }

    [Fact]
    public void Sample_returns_distinct_input_documents_of_the_requested_size()
    {
        var output = Run("[{$sample: {size: 3}}]", Scores);
        Assert.Equal(3, output.Count);
        Assert.Equal(3, output.Select(d => d["_id"].AsInt32).Distinct().Count());
        Assert.All(output, d => Assert.Contains(d.ToJson(), Scores.Select(s => BsonDocument.Parse(s).ToJson())));
        Assert.Equal(6, Run("[{$sample: {size: 100}}]", Scores).Count);
        AssertError(28747, "[{$sample: {size: -1}}]", "{}");
        AssertError(28749, "[{$sample: {}}]", "{}");
    }

    [Fact]
    public void Redact_keeps_prunes_and_descends()
    {
        const string document =
            "{_id: 1, tags: ['G', 'STLW'], year: 2014, subsections: [{subtitle: 'Section 1', tags: ['SI', 'G'], content: 'one'}, " +
                "{subtitle: 'Section 2', tags: ['STLW'], content: 'two'}, {subtitle: 'Section 3', tags: ['TK'], content: {text: 'three', " +
                    "tags: ['SI']}}]}";
        var output =
            Run("[{$redact: {$cond: {if: {$gt: [{$size: {$setIntersection: ['$tags', ['STLW', 'G']]}}, 0]}, then: '$$DESCEND', else: " +
                "'$$PRUNE'}}}]", document);
        AssertOutput(output,
            "{_id: 1, tags: ['G', 'STLW'], year: 2014, subsections: [{subtitle: 'Section 1', tags: ['SI', 'G'], content: 'one'}, " +
                "{subtitle: 'Section 2', tags: ['STLW'], content: 'two'}]}");
        Assert.Empty(Run("[{$redact: '$$PRUNE'}]", document));
        AssertOutput(Run("[{$redact: '$$KEEP'}]", "{a: {b: 1}}"), "{a: {b: 1}}");
        AssertError(17053, "[{$redact: 'keepit'}]", "{}");
    }
}
