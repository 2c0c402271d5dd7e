using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Sorting;

namespace Tabernacle.MongoEmulator.Tests.Query.Sorting;

public class DocumentSortComparerTests
{
    private static List<int> SortedIds(string sort, params string[] documents)
    {
        var comparer = DocumentSortComparer.Compile(BsonDocument.Parse(sort));
        return comparer.Sort(documents.Select(BsonDocument.Parse).ToList()).Select(d => d["_id"].AsInt32).ToList();
    }

    [Fact]
    public void Sorts_ascending_and_descending_on_several_keys()
    {
        var docs = new[] { "{_id: 1, a: 2, b: 1}", "{_id: 2, a: 1, b: 5}", "{_id: 3, a: 2, b: 0}", "{_id: 4, a: 1, b: 7}" };
        Assert.Equal([4, 2, 1, 3], SortedIds("{a: 1, b: -1}", docs));
        Assert.Equal([3, 1, 2, 4], SortedIds("{a: -1, b: 1}", docs));
    }

    [Fact]
    public void Orders_values_of_different_types_by_bson_type_order()
    {
        // Manual: MinKey < Null < Numbers < Symbol, String < Object < Array < BinData < ObjectId < Boolean < Date < Timestamp < Regex <
        // MaxKey.
        var docs = new[]
        {
            "{_id: 1, a: true}", "{_id: 2, a: 'x'}", "{_id: 3, a: 5}", "{_id: 4, a: null}", "{_id: 5, a: {b: 1}}",
            "{_id: 6, a: ISODate('2020-01-01T00:00:00Z')}", "{_id: 7, a: ObjectId('507f1f77bcf86cd799439011')}",
                "{_id: 8, a: {$minKey: 1}}", "{_id: 9, a: {$maxKey: 1}}",
        };
        Assert.Equal([8, 4, 3, 2, 5, 7, 1, 6, 9], SortedIds("{a: 1}", docs));
    }

    [Fact]
    public void Missing_fields_sort_as_null_and_keep_input_order_among_equals()
    {
        Assert.Equal([2, 4, 3, 1], SortedIds("{a: 1}", "{_id: 1, a: 3}", "{_id: 2}", "{_id: 3, a: 1}", "{_id: 4, a: null}"));
    }

    [Fact]
    public void Arrays_sort_by_smallest_element_ascending_and_largest_descending()
    {
        var docs = new[] { "{_id: 1, a: [1, 9]}", "{_id: 2, a: [4, 5]}", "{_id: 3, a: 3}" };
        Assert.Equal([1, 3, 2], SortedIds("{a: 1}", docs));
        Assert.Equal([1, 2, 3], SortedIds("{a: -1}", docs));
    }

    [Fact]
    public void Empty_array_sorts_before_null()
    {
        // Manual (comparison/sort order): an empty array is treated as less than null or a missing field.
        Assert.Equal([2, 1, 3], SortedIds("{a: 1}", "{_id: 1, a: null}", "{_id: 2, a: []}", "{_id: 3}"));
        Assert.Equal([3, 1, 2], SortedIds("{a: -1}", "{_id: 1, a: null}", "{_id: 2, a: []}", "{_id: 3, a: 1}"));
    }

    [Fact]
    public void Dotted_paths_reach_into_embedded_documents_and_arrays_of_documents()
    {
        Assert.Equal([2, 3, 1], SortedIds("{'a.b': 1}", "{_id: 1, a: {b: 3}}", "{_id: 2, a: [{b: 5}, {b: 0}]}", "{_id: 3, a: {b: 2}}"));
    }

    [Fact]
    public void Numbers_of_different_types_compare_by_value()
    {
        Assert.Equal([3, 1, 2], SortedIds("{a: 1}", "{_id: 1, a: 2}", "{_id: 2, a: NumberLong(3)}", "{_id: 3, a: 1.5}"));
    }

    [Fact]
    public void Collation_makes_string_order_case_insensitive()
    {
        var comparer = DocumentSortComparer.Compile(BsonDocument.Parse("{a: 1}"), new Collation("en", 2));
        var sorted = comparer.Sort([BsonDocument.Parse("{a: 'b'}"), BsonDocument.Parse("{a: 'B'}"), BsonDocument.Parse("{a: 'a'}")]);
        Assert.Equal(["a", "b", "B"], sorted.Select(d => d["a"].AsString));
        var binary = DocumentSortComparer.Compile(BsonDocument.Parse("{a: 1}"));
        Assert.Equal(["B", "a", "b"],
            binary.Sort([BsonDocument.Parse("{a: 'b'}"), BsonDocument.Parse("{a: 'B'}"), BsonDocument.Parse("{a: 'a'}")]).Select(d =>
                d["a"].AsString));
    }

    [Fact]
    public void Compare_agrees_with_sort()
    {
        var comparer = DocumentSortComparer.Compile(BsonDocument.Parse("{a: -1}"));
        Assert.True(comparer.Compare(BsonDocument.Parse("{a: 2}"), BsonDocument.Parse("{a: 1}")) < 0);
        Assert.Equal(0, comparer.Compare(BsonDocument.Parse("{a: 1}"), BsonDocument.Parse("{a: 1.0}")));
    }

    [Fact]
    public void Top_returns_the_first_documents_in_sort_order()
    {
        var comparer = DocumentSortComparer.Compile(BsonDocument.Parse("{a: 1}"));
        var input = Enumerable.Range(0, 500).Select(i => new BsonDocument { { "_id", i }, { "a", (i * 7919) % 500 } }).ToList();
        var top = comparer.Top(input, 3);
        Assert.Equal([0, 1, 2], top.Select(d => d["a"].AsInt32));
    }

    [Theory]
    [InlineData("{a: 0}", 15975)]
    [InlineData("{a: 2}", 15975)]
    [InlineData("{a: 'asc'}", 15974)]
    [InlineData("{a: {$meta: 'textScore'}}", ErrorCodes.CommandNotSupported)]
    [InlineData("{a: {b: 1}}", 17312)]
    public void Invalid_sort_values_are_rejected(string sort, int code)
    {
        var error = Assert.Throws<MongoErrorException>(() => DocumentSortComparer.Compile(BsonDocument.Parse(sort)));
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public void Invalid_direction_reports_mongodb_message()
    {
        var error = Assert.Throws<MongoErrorException>(() => DocumentSortComparer.Compile(BsonDocument.Parse("{a: 5}")));
        Assert.Equal("$sort key ordering must be 1 (for ascending) or -1 (for descending)", error.Message);
    }
}
