using MongoDB.Bson;
using static Tabernacle.MongoEmulator.Tests.Query.Aggregation.PipelineTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Aggregation;

/// <summary>
/// localField/foreignField matching rules (null, missing, empty and nested arrays, paths through arrays), with cases
/// taken from the server's own equi-join semantics suite.
/// </summary>
public class LookupEquijoinSemanticsTests
{
    /// <summary>The _ids of local documents whose lookup into a single foreign document found it.</summary>
    private static List<int> LocalIdsMatching(string localField, string foreignRecord, params string[] localRecords)
    {
        var collections = new InMemoryCollections().With("foreign", foreignRecord);
        var output =
            Run($"[{{$lookup: {{from: 'foreign', localField: '{localField}', foreignField: 'b', as: 'm'}}}}]", Documents(localRecords),
                collections);
        return output.Where(d => d["m"].AsBsonArray.Count > 0).Select(d => d["_id"].AsInt32).ToList();
    }

    /// <summary>The _ids of foreign documents a single local document found.</summary>
    private static List<int> ForeignIdsMatched(string localRecord, string foreignField, params string[] foreignRecords)
    {
        var collections = new InMemoryCollections().With("foreign", foreignRecords);
        var output =
            Run($"[{{$lookup: {{from: 'foreign', localField: 'b', foreignField: '{foreignField}', as: 'm'}}}}]", Documents(localRecord),
                collections);
        return output.Single()["m"].AsBsonArray.Select(d => d["_id"].AsInt32).ToList();
    }

    private static readonly string[] NullDocs =
    [
        "{_id: 0, no_a: 1}", "{_id: 1, a: null}", "{_id: 2, a: [null, 1]}", "{_id: 10, a: []}",
        "{_id: 20, a: 1}", "{_id: 21, a: {x: null}}", "{_id: 22, a: [[null, 1], 2]}",
    ];

    [Fact]
    public void Null_foreign_matches_missing_null_and_empty_local_arrays() =>
        Assert.Equal([0, 1, 2, 10], LocalIdsMatching("a", "{_id: 0, b: null}", NullDocs));

    [Fact]
    public void Null_local_matches_missing_null_and_arrays_holding_null_but_not_empty_arrays() =>
        Assert.Equal([0, 1, 2], ForeignIdsMatched("{_id: 0, b: null}", "a", NullDocs));

    private static readonly string[] ScalarDocs =
    [
        "{_id: 0, a: 1, y: 2}", "{_id: 1, a: [1]}", "{_id: 2, a: [1, 2, 3]}", "{_id: 3, a: [1, [2, 3]]}", "{_id: 4, a: [1, [1, 2]]}",
        "{_id: 10, a: 2}", "{_id: 11, a: [[1], 2]}", "{_id: 12, a: [2, 3]}", "{_id: 13, a: {y: 1}}", "{_id: 14, no_a: 1}",
    ];

    [Fact]
    public void Scalars_match_symmetrically_through_one_array_level()
    {
        Assert.Equal([0, 1, 2, 3, 4], LocalIdsMatching("a", "{_id: 0, b: 1}", ScalarDocs));
        Assert.Equal([0, 1, 2, 3, 4], ForeignIdsMatched("{_id: 0, b: 1}", "a", ScalarDocs));
    }

    [Fact]
    public void Paths_map_over_arrays_of_documents_on_both_sides()
    {
        string[] docs =
        [
            "{_id: 0, a: {x: 1, y: 2}}", "{_id: 1, a: [{x: 1}, {x: 2}]}", "{_id: 4, a: [{x: 1}, {no_x: 2}]}", "{_id: 6, a: [{x: [1, 2]}]}",
            "{_id: 10, a: {x: 2, y: 1}}", "{_id: 13, a: {x: [[1], 2]}}", "{_id: 15, a: {no_x: 1}}",
        ];
        var collections = new InMemoryCollections().With("foreign", "{_id: 0, key: 1}");
        var output = Run("[{$lookup: {from: 'foreign', localField: 'a.x', foreignField: 'key', as: 'm'}}]", Documents(docs), collections);
        Assert.Equal([0, 1, 4, 6], output.Where(d => d["m"].AsBsonArray.Count > 0).Select(d => d["_id"].AsInt32));
        Assert.Equal([0, 1, 4, 6], ForeignIdsMatched("{_id: 0, b: 1}", "a.x", docs));
    }

    [Fact]
    public void A_foreign_array_matches_as_a_whole_and_by_element_but_a_local_array_only_by_element()
    {
        string[] docs =
            ["{_id: 0, a: [[1, 2], 3]}", "{_id: 1, a: [[1, 2]]}", "{_id: 2, a: [1, 2]}", "{_id: 10, a: [[[1, 2], 3], 4]}",
                "{_id: 11, a: [2, 1]}", "{_id: 14, a: null}"];
        Assert.Equal([0, 1, 2, 11], LocalIdsMatching("a", "{_id: 0, b: [1, 2]}", docs));
        Assert.Equal([2, 11], ForeignIdsMatched("{_id: 0, b: [1, 2]}", "a", docs));
    }

    [Fact]
    public void Missing_on_a_foreign_path_matches_null_but_scalars_inside_arrays_do_not()
    {
        string[] docs =
        [
            "{_id: 0, a: {no_x: 1}}", "{_id: 3, a: [{no_x: 2}, {x: 1}]}", "{_id: 5, a: {x: null}}", "{_id: 8, no_a: 1}", "{_id: 20, a: 5}",
            "{_id: 9, a: [1]}", "{_id: 10, a: []}", "{_id: 12, a: [[]]}", "{_id: 21, a: [{x: 2}, {x: 3}]}",
        ];
        Assert.Equal([0, 3, 5, 8, 20], ForeignIdsMatched("{_id: 0, b: null}", "a.x", docs));
    }

    [Fact]
    public void Local_missing_elements_on_a_path_do_not_add_null_when_other_elements_have_values()
    {
        string[] docs =
            ["{_id: 2, a: [{no_x: 1}, {no_x: 2}]}", "{_id: 3, a: [{no_x: 2}, {x: 1}]}", "{_id: 6, a: [{x: null}, {x: 1}]}",
                "{_id: 10, a: []}"];
        Assert.Equal([2, 6, 10], LocalIdsMatching("a.x", "{_id: 0, b: null}", docs));
    }

    [Fact]
    public void Empty_arrays_match_only_nested_empty_arrays()
    {
        string[] docs = ["{_id: 0, a: [[]]}", "{_id: 1, a: [[], 1]}", "{_id: 3, a: []}", "{_id: 11, a: null}", "{_id: 20, a: 1}"];
        Assert.Equal([0, 1], LocalIdsMatching("a", "{_id: 0, b: []}", docs));
        Assert.Equal([11], ForeignIdsMatched("{_id: 0, b: []}", "a", docs));
        Assert.Equal([0, 1, 3], ForeignIdsMatched("{_id: 0, b: [[], 42]}", "a", docs));
    }

    [Fact]
    public void Numeric_path_parts_index_local_arrays()
    {
        string[] docs =
            ["{_id: 0, a: [{x: 1}, {x: 2}]}", "{_id: 1, a: [{x: [2, 3, 1]}]}", "{_id: 10, a: [{x: 2}, {x: 1}]}", "{_id: 12, a: {x: 1}}"];
        Assert.Equal([0, 1], LocalIdsMatching("a.0.x", "{_id: 0, b: 1}", docs));
    }

    [Fact]
    public void Matches_keep_foreign_order_and_appear_once()
    {
        var collections = new InMemoryCollections().With("foreign", "{_id: 1, b: [1, 2]}", "{_id: 2, b: 2}", "{_id: 3, b: 1}");
        var output =
            Run("[{$lookup: {from: 'foreign', localField: 'a', foreignField: 'b', as: 'm'}}]", Documents("{a: [2, 1]}"), collections);
        Assert.Equal([1, 2, 3], output.Single()["m"].AsBsonArray.Select(d => d["_id"].AsInt32));
        Assert.IsType<BsonArray>(output.Single()["m"]);
    }
}
