using static Tabernacle.MongoEmulator.Tests.Query.Aggregation.PipelineTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Aggregation;

public class ProjectionStageTests
{
    private const string Book =
        "{_id: 1, title: 'abc123', isbn: '0001122223334', author: {last: 'zzz', first: 'aaa'}, copies: 5, lastModified: '2016-07-28'}";

    [Theory]
    [InlineData("[{$project: {title: 1, author: 1}}]", "{_id: 1, title: 'abc123', author: {last: 'zzz', first: 'aaa'}}")]
    [InlineData("[{$project: {_id: 0, title: 1, author: 1}}]", "{title: 'abc123', author: {last: 'zzz', first: 'aaa'}}")]
    [InlineData("[{$project: {lastModified: 0}}]",
        "{_id: 1, title: 'abc123', isbn: '0001122223334', author: {last: 'zzz', first: 'aaa'}, copies: 5}")]
    [InlineData("[{$project: {'author.first': 0, lastModified: 0}}]",
        "{_id: 1, title: 'abc123', isbn: '0001122223334', author: {last: 'zzz'}, copies: 5}")]
    [InlineData("[{$project: {author: {first: 0}, lastModified: 0, _id: 0}}]",
        "{title: 'abc123', isbn: '0001122223334', author: {last: 'zzz'}, copies: 5}")]
    [InlineData("[{$project: {title: 1, 'author.first': 1}}]", "{_id: 1, title: 'abc123', author: {first: 'aaa'}}")]
    [InlineData("[{$project: {title: true, copies: 5}}]", "{_id: 1, title: 'abc123', copies: 5}")]
    [InlineData("[{$project: {_id: 0}}]",
        "{title: 'abc123', isbn: '0001122223334', author: {last: 'zzz', first: 'aaa'}, copies: 5, lastModified: '2016-07-28'}")]
    [InlineData(
        "[{$project: {title: 1, isbn: {prefix: {$substr: ['$isbn', 0, 3]}, group: {$substr: ['$isbn', 3, 2]}}, lastName: '$author.last', " +
            "copiesSold: '$copies'}}]", "{_id: 1, title: 'abc123', isbn: {prefix: '000', group: '11'}, lastName: 'zzz', copiesSold: 5}")]
    [InlineData(
        "[{$project: {title: 1, 'author.first': 1, 'author.last': 1, 'author.middle': {$cond: {if: {$eq: ['', '$author.middle']}, then: " +
            "'$$REMOVE', else: '$author.middle'}}}}]", "{_id: 1, title: 'abc123', author: {last: 'zzz', first: 'aaa'}}")]
    [InlineData("[{$project: {_id: 0, myArray: ['$copies', '$someField']}}]", "{myArray: [5, null]}")]
    [InlineData("[{$project: {_id: 0, label: 'fixed', n: 1}}]", "{label: 'fixed'}")]
    public void Project(string pipeline, string expected) => AssertOutput(Run(pipeline, Book), expected);

    [Fact]
    public void Project_of_a_missing_included_field_leaves_it_out() =>
        AssertOutput(Run("[{$project: {nope: 1}}]", "{_id: 3, a: 1}"), "{_id: 3}");

    [Fact]
    public void Project_maps_paths_over_arrays_of_documents()
    {
        AssertOutput(Run("[{$project: {'a.b': 1}}]", "{_id: 1, a: [{b: 1, c: 2}, {b: 3}, 5, {c: 4}]}"),
            "{_id: 1, a: [{b: 1}, {b: 3}, {}]}");
        AssertOutput(Run("[{$project: {'a.c': 0}}]", "{_id: 1, a: [{b: 1, c: 2}, 5]}"), "{_id: 1, a: [{b: 1}, 5]}");
    }

    [Fact]
    public void Project_puts_included_fields_in_document_order_then_computed_fields() =>
        AssertOutput(Run("[{$project: {x: {$literal: 1}, b: 1, a: 1}}]", "{_id: 1, a: 1, b: 2, c: 3}"), "{_id: 1, a: 1, b: 2, x: 1}");

    [Theory]
    [InlineData(31254, "[{$project: {a: 1, b: 0}}]")]
    [InlineData(31253, "[{$project: {a: 0, b: 1}}]")]
    [InlineData(31252, "[{$project: {a: 0, b: '$x'}}]")]
    [InlineData(51272, "[{$project: {}}]")]
    [InlineData(31250, "[{$project: {a: 1, 'a.b': 1}}]")]
    [InlineData(16410, "[{$project: {$a: 1}}]")]
    [InlineData(51270, "[{$project: {a: {}}}]")]
    [InlineData(15969, "[{$project: 1}]")]
    public void Project_errors(int code, string pipeline) => AssertError(code, pipeline, Book);

    [Fact]
    public void Add_fields_follows_the_manual_scores_example()
    {
        var output = Run(
            "[{$addFields: {totalHomework: {$sum: '$homework'}, totalQuiz: {$sum: '$quiz'}}}, {$addFields: {totalScore: {$add: " +
                "['$totalHomework', '$totalQuiz', '$extraCredit']}}}]",
            "{_id: 1, student: 'Maya', homework: [10, 5, 10], quiz: [10, 8], extraCredit: 0}",
            "{_id: 2, student: 'Ryan', homework: [5, 6, 5], quiz: [8, 8], extraCredit: 8}");
        AssertOutput(
            output,
            "{_id: 1, student: 'Maya', homework: [10, 5, 10], quiz: [10, 8], extraCredit: 0, totalHomework: 25, totalQuiz: 18, " +
                "totalScore: 43}",
            "{_id: 2, student: 'Ryan', homework: [5, 6, 5], quiz: [8, 8], extraCredit: 8, totalHomework: 16, totalQuiz: 16, totalScore: 40}");
    }

    [Theory]
    [InlineData("[{$addFields: {'specs.fuel_type': 'unleaded'}}]", "{_id: 1, type: 'car', specs: {doors: 4, wheels: 4}}",
        "{_id: 1, type: 'car', specs: {doors: 4, wheels: 4, fuel_type: 'unleaded'}}")]
    [InlineData("[{$addFields: {specs: {fuel_type: 'unleaded'}}}]", "{_id: 1, specs: {doors: 4}}",
        "{_id: 1, specs: {doors: 4, fuel_type: 'unleaded'}}")]
    [InlineData("[{$addFields: {'specs.fuel_type': 'unleaded'}}]", "{_id: 2, type: 'bike'}",
        "{_id: 2, type: 'bike', specs: {fuel_type: 'unleaded'}}")]
    [InlineData("[{$addFields: {cats: 20}}]", "{_id: 1, dogs: 10, cats: 15}", "{_id: 1, dogs: 10, cats: 20}")]
    [InlineData("[{$set: {_id: '$item', item: 'fruit'}}]", "{_id: 1, item: 'tangerine', type: 'citrus'}",
        "{_id: 'tangerine', item: 'fruit', type: 'citrus'}")]
    [InlineData("[{$set: {homework: {$concatArrays: ['$homework', [7]]}}}]", "{_id: 1, homework: [10, 5]}",
        "{_id: 1, homework: [10, 5, 7]}")]
    [InlineData("[{$set: {dogs: '$$REMOVE'}}]", "{_id: 1, dogs: 10, cats: 15}", "{_id: 1, cats: 15}")]
    [InlineData("[{$set: {'a.b': 1}}]", "{_id: 1, a: [{c: 1}, {c: 2}]}", "{_id: 1, a: [{c: 1, b: 1}, {c: 2, b: 1}]}")]
    [InlineData("[{$set: {}}]", "{_id: 1}", "{_id: 1}")]
    public void Add_fields_and_set(string pipeline, string input, string expected) => AssertOutput(Run(pipeline, input), expected);

    [Theory]
    [InlineData("[{$unset: 'copies'}]",
        "{_id: 1, title: 'abc123', isbn: '0001122223334', author: {last: 'zzz', first: 'aaa'}, lastModified: '2016-07-28'}")]
    [InlineData("[{$unset: ['isbn', 'copies', 'lastModified']}]", "{_id: 1, title: 'abc123', author: {last: 'zzz', first: 'aaa'}}")]
    [InlineData("[{$unset: ['isbn', 'author.first', 'copies', 'lastModified']}]", "{_id: 1, title: 'abc123', author: {last: 'zzz'}}")]
    public void Unset(string pipeline, string expected) => AssertOutput(Run(pipeline, Book), expected);

    [Theory]
    [InlineData(31119, "[{$unset: []}]")]
    [InlineData(31120, "[{$unset: ['a', 1]}]")]
    [InlineData(40272, "[{$addFields: 1}]")]
    [InlineData(16410, "[{$addFields: {$x: 1}}]")]
    public void Add_fields_and_unset_errors(int code, string pipeline) => AssertError(code, pipeline, Book);

    [Fact]
    public void Replace_root_merges_with_defaults_as_in_the_manual()
    {
        var output = Run(
            "[{$replaceRoot: {newRoot: {$mergeObjects: [{dogs: 0, cats: 0, birds: 0, fish: 0}, '$pets']}}}]",
            "{_id: 1, name: 'Arlene', age: 34, pets: {dogs: 2, cats: 1}}",
            "{_id: 2, name: 'Sam', age: 41, pets: {cats: 1, fish: 3}}",
            "{_id: 3, name: 'Maria', age: 25}");
        AssertOutput(output, "{dogs: 2, cats: 1, birds: 0, fish: 0}", "{dogs: 0, cats: 1, birds: 0, fish: 3}",
            "{dogs: 0, cats: 0, birds: 0, fish: 0}");
    }

    [Fact]
    public void Replace_with_uses_the_expression_directly() =>
        AssertOutput(Run("[{$replaceWith: '$name'}]", "{_id: 1, name: {first: 'John', last: 'Backus'}}"),
            "{first: 'John', last: 'Backus'}");

    [Fact]
    public void Replace_root_requires_a_document()
    {
        AssertError(40228, "[{$replaceRoot: {newRoot: '$name'}}]", "{_id: 1}");
        AssertError(40228, "[{$replaceWith: '$name'}]", "{_id: 1, name: 'x'}");
        AssertError(40414, "[{$replaceRoot: {}}]", "{_id: 1}");
    }
}
