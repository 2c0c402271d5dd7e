using MongoDB.Bson;
using MongoDB.Bson.IO;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Projection;

namespace Tabernacle.MongoEmulator.Tests.Query.Projection;

public class QueryProjectionTests
{
    private const string Inventory =
        "{_id: 1, item: 'journal', status: 'A', size: {h: 14, w: 21, uom: 'cm'}, instock: [{warehouse: 'A', qty: 5}, {warehouse: 'C', " +
            "qty: 15}]}";

    private static readonly JsonWriterSettings Shell = new() { OutputMode = JsonOutputMode.Shell };

    private static string Project(string document, string projection, string? filter = null)
    {
        var input = BsonDocument.Parse(document);
        MatchDetails? details = null;
        if (filter is not null)
        {
            details = new MatchDetails();
            Assert.True(QueryFilter.Compile(BsonDocument.Parse(filter)).Matches(input, details));
        }

        return QueryProjection.Compile(BsonDocument.Parse(projection)).Apply(input, details).ToJson(Shell);
    }

    private static string Canonical(string json) => BsonDocument.Parse(json).ToJson(Shell);

    private static MongoErrorException CompileError(string projection) =>
        Assert.Throws<MongoErrorException>(() => QueryProjection.Compile(BsonDocument.Parse(projection)));

    [Theory]
    [InlineData(Inventory, "{}", Inventory)]
    [InlineData(Inventory, "{item: 1, status: 1}", "{_id: 1, item: 'journal', status: 'A'}")]
    [InlineData(Inventory, "{status: 1, item: 1}", "{_id: 1, item: 'journal', status: 'A'}")]
    [InlineData(Inventory, "{item: 1, status: 1, _id: 0}", "{item: 'journal', status: 'A'}")]
    [InlineData(Inventory, "{item: true, missing: 1}", "{_id: 1, item: 'journal'}")]
    [InlineData(Inventory, "{_id: 1}", "{_id: 1}")]
    [InlineData("{a: 1, _id: 2}", "{a: 1}", "{_id: 2, a: 1}")]
    [InlineData(Inventory, "{item: 1, status: 1, 'size.uom': 1}", "{_id: 1, item: 'journal', status: 'A', size: {uom: 'cm'}}")]
    [InlineData(Inventory, "{item: 1, size: {uom: 1}}", "{_id: 1, item: 'journal', size: {uom: 'cm'}}")]
    [InlineData(Inventory, "{'instock.qty': 1}", "{_id: 1, instock: [{qty: 5}, {qty: 15}]}")]
    [InlineData("{_id: 1, a: [{b: 1, c: 2}, 3, {c: 1}, [{b: 4, c: 5}]]}", "{'a.b': 1}", "{_id: 1, a: [{b: 1}, {}, [{b: 4}]]}")]
    [InlineData("{_id: 1, a: 5}", "{'a.b': 1}", "{_id: 1}")]
    [InlineData("{_id: 1, a: {c: 1}}", "{'a.b': 1}", "{_id: 1, a: {}}")]
    [InlineData("{_id: 1, a: {b: {c: 1, d: 2}}}", "{'a.b.c': 1}", "{_id: 1, a: {b: {c: 1}}}")]
    public void Inclusion(string document, string projection, string expected) =>
        Assert.Equal(Canonical(expected), Project(document, projection));

    [Theory]
    [InlineData(Inventory, "{status: 0, instock: 0}", "{_id: 1, item: 'journal', size: {h: 14, w: 21, uom: 'cm'}}")]
    [InlineData(Inventory, "{_id: 0}",
        "{item: 'journal', status: 'A', size: {h: 14, w: 21, uom: 'cm'}, instock: [{warehouse: 'A', qty: 5}, {warehouse: 'C', qty: 15}]}")]
    [InlineData(Inventory, "{'size.uom': 0, 'instock.warehouse': 0}",
        "{_id: 1, item: 'journal', status: 'A', size: {h: 14, w: 21}, instock: [{qty: 5}, {qty: 15}]}")]
    [InlineData("{_id: 1, a: [{b: 1, c: 2}, 3]}", "{'a.b': 0}", "{_id: 1, a: [{c: 2}, 3]}")]
    [InlineData("{_id: 1, a: 5}", "{'a.b': 0}", "{_id: 1, a: 5}")]
    [InlineData("{_id: 1, a: 5, b: 6}", "{a: false, _id: 1}", "{_id: 1, b: 6}")]
    public void Exclusion(string document, string projection, string expected) =>
        Assert.Equal(Canonical(expected), Project(document, projection));

    [Theory]
    [InlineData("{_id: 1, a: [1, 2, 3, 4, 5], b: 1}", "{a: {$slice: 2}}", "{_id: 1, a: [1, 2], b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3, 4, 5], b: 1}", "{a: {$slice: -2}}", "{_id: 1, a: [4, 5], b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3, 4, 5], b: 1}", "{a: {$slice: [1, 2]}}", "{_id: 1, a: [2, 3], b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3, 4, 5], b: 1}", "{a: {$slice: [-2, 1]}}", "{_id: 1, a: [4], b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3, 4, 5], b: 1}", "{a: {$slice: [10, 1]}}", "{_id: 1, a: [], b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3, 4, 5], b: 1}", "{a: {$slice: [-10, 2]}}", "{_id: 1, a: [1, 2], b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3], b: 1}", "{a: {$slice: 10}}", "{_id: 1, a: [1, 2, 3], b: 1}")]
    [InlineData("{_id: 1, a: 'x', b: 1}", "{a: {$slice: 1}}", "{_id: 1, a: 'x', b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3], b: 1, c: 2}", "{a: {$slice: 1}, b: 1}", "{_id: 1, a: [1], b: 1}")]
    [InlineData("{_id: 1, a: [1, 2, 3], b: 1, c: 2}", "{a: {$slice: 1}, b: 0}", "{_id: 1, a: [1], c: 2}")]
    [InlineData("{_id: 1, x: {a: [1, 2, 3]}}", "{'x.a': {$slice: -1}}", "{_id: 1, x: {a: [3]}}")]
    public void Slice(string document, string projection, string expected) =>
        Assert.Equal(Canonical(expected), Project(document, projection));

    [Theory]
    [InlineData(
        "{_id: 1, zipcode: '63109', students: [{name: 'john', school: 102, age: 10}, {name: 'jess', school: 102, age: 11}, {name: " +
            "'jeff', school: 108, age: 15}]}",
        "{students: {$elemMatch: {school: 102}}}", "{_id: 1, students: [{name: 'john', school: 102, age: 10}]}")]
    [InlineData("{_id: 3, zipcode: '63109', students: [{name: 'ajax', school: 100, age: 7}]}",
        "{students: {$elemMatch: {school: 102}}}", "{_id: 3}")]
    [InlineData("{_id: 1, zipcode: '63109', students: [{name: 'john', school: 102, age: 10}, {name: 'jess', school: 102, age: 11}]}",
        "{zipcode: 1, students: {$elemMatch: {school: 102, age: {$gt: 10}}}}",
            "{_id: 1, zipcode: '63109', students: [{name: 'jess', school: 102, age: 11}]}")]
    [InlineData("{_id: 1, a: [1, 5, 9]}", "{a: {$elemMatch: {$gt: 4}}}", "{_id: 1, a: [5]}")]
    [InlineData("{_id: 1, a: 5}", "{a: {$elemMatch: {$gt: 4}}}", "{_id: 1}")]
    public void Elem_match(string document, string projection, string expected) =>
        Assert.Equal(Canonical(expected), Project(document, projection));

    [Theory]
    [InlineData("{_id: 1, semester: 1, grades: [70, 87, 90]}", "{semester: 1, grades: {$gte: 85}}", "{'grades.$': 1}",
        "{_id: 1, grades: [87]}")]
    [InlineData("{_id: 7, grades: [{grade: 80, mean: 75}, {grade: 85, mean: 90}, {grade: 90, mean: 85}]}", "{'grades.mean': {$gt: 70}}",
        "{'grades.$': 1}",
        "{_id: 7, grades: [{grade: 80, mean: 75}]}")]
    [InlineData("{_id: 0, a: [1, 2, 3], z: [11, 12, 13]}", "{z: 13}", "{a: {$slice: 2}, 'z.$': 1}", "{_id: 0, a: [1, 2], z: [13]}")]
    [InlineData("{_id: 1, a: {b: [5, 6]}}", "{'a.b': 6}", "{'a.b.$': 1}", "{_id: 1, a: {b: [6]}}")]
    public void Positional(string document, string filter, string projection, string expected) =>
        Assert.Equal(Canonical(expected), Project(document, projection, filter));

    [Fact]
    public void Positional_without_a_match_fails()
    {
        var error =
            Assert.Throws<MongoErrorException>(() =>
                QueryProjection.Compile(BsonDocument.Parse("{'a.$': 1}")).Apply(BsonDocument.Parse("{a: [1]}")));
        Assert.Equal(51246, error.Code);
    }

    [Theory]
    [InlineData("{_id: 1, a: 1}", "{b: 'hello'}", "{_id: 1, b: 'hello'}")]
    [InlineData("{_id: 1, a: 1}", "{a: 1, b: {$literal: 1}}", "{_id: 1, a: 1, b: 1}")]
    [InlineData("{_id: 1, a: 1}", "{b: {$literal: '$a'}}", "{_id: 1, b: '$a'}")]
    [InlineData("{_id: 1, a: 1}", "{'x.y': {$literal: 5}}", "{_id: 1, x: {y: 5}}")]
    [InlineData("{_id: 1, a: 1, b: 2}", "{b: {$literal: 9}, a: 1}", "{_id: 1, a: 1, b: 9}")]
    [InlineData("{_id: 1, x: [{c: 1}, 2]}", "{'x.y': {$literal: 5}}", "{_id: 1, x: [{y: 5}, {y: 5}]}")]
    public void Literals_compute_fields(string document, string projection, string expected) =>
        Assert.Equal(Canonical(expected), Project(document, projection));

    [Theory]
    [InlineData("{_id: 1, a: 1, b: 2}", "{sum: {$add: ['$a', '$b']}}", "{_id: 1, sum: 3}")]
    [InlineData("{_id: 1, a: {b: 5}}", "{c: '$a.b'}", "{_id: 1, c: 5}")]
    [InlineData("{_id: 1, a: 1}", "{c: '$missing'}", "{_id: 1}")]
    public void Expressions_compute_fields(string document, string projection, string expected) =>
        Assert.Equal(Canonical(expected), Project(document, projection));

    [Theory]
    [InlineData("{a: 1, b: 0}", 31254, "Cannot do exclusion on field b in inclusion projection")]
    [InlineData("{a: 0, b: 1}", 31253, "Cannot do inclusion on field b in exclusion projection")]
    [InlineData("{a: 0, b: 'x'}", 31252, "Cannot use expression other than $meta in exclusion projection")]
    [InlineData("{a: 1, 'a.b': 1}", 31249, "Path collision at a.b remaining portion b")]
    [InlineData("{'a.b': 1, a: 1}", 31250, "Path collision at a")]
    [InlineData("{a: {}}", 51270, "An empty sub-projection is not a valid value. Found empty object at path a")]
    [InlineData("{'a.$': 1, 'b.$': 1}", 31276, "Cannot specify more than one positional projection per query.")]
    [InlineData("{'a.$': 1, b: {$elemMatch: {c: 1}}}", 31256, "Cannot specify positional operator and $elemMatch.")]
    [InlineData("{a: 0, 'b.$': 1}", 31253, "Cannot do inclusion on field b.$ in exclusion projection")]
    [InlineData("{a: {$slice: 'x'}}", ErrorCodes.BadValue, "$slice only supports numbers and [skip, limit] arrays")]
    [InlineData("{a: {$slice: [1, 0]}}", ErrorCodes.BadValue, "$slice limit must be positive")]
    [InlineData("{'a.b': {$elemMatch: {c: 1}}}", ErrorCodes.BadValue, "Cannot use $elemMatch projection on a nested field.")]
    public void Invalid_projections(string projection, int code, string message)
    {
        var error = CompileError(projection);
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Meta_is_not_supported() => Assert.Equal(ErrorCodes.NotSupportedInEmulator, CompileError("{s: {$meta: 'textScore'}}").Code);

    [Fact]
    public void Projection_never_mutates_its_input()
    {
        var input = BsonDocument.Parse(Inventory);
        var before = input.ToJson(Shell);
        var projected = QueryProjection.Compile(BsonDocument.Parse("{'instock.qty': 1, size: 1}")).Apply(input);
        projected["size"].AsBsonDocument.Set("h", 99);
        Assert.Equal(before, input.ToJson(Shell));
    }
}
