using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;
using static Tabernacle.MongoEmulator.Tests.Query.Aggregation.PipelineTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Aggregation;

public class GroupStageTests
{
    private static readonly string[] Sales =
    [
        "{_id: 1, item: 'abc', price: NumberDecimal('10'), quantity: 2, date: ISODate('2014-03-01T08:00:00Z')}",
        "{_id: 2, item: 'jkl', price: NumberDecimal('20'), quantity: 1, date: ISODate('2014-03-01T09:00:00Z')}",
        "{_id: 3, item: 'xyz', price: NumberDecimal('5'), quantity: 10, date: ISODate('2014-03-15T09:00:00Z')}",
        "{_id: 4, item: 'xyz', price: NumberDecimal('5'), quantity: 20, date: ISODate('2014-04-04T11:21:39.736Z')}",
        "{_id: 5, item: 'abc', price: NumberDecimal('10'), quantity: 10, date: ISODate('2014-04-04T21:23:13.331Z')}",
    ];

    [Fact]
    public void Groups_by_item_and_sums_the_sale_amount()
    {
        var output =
            Run("[{$group: {_id: '$item', totalSaleAmount: {$sum: {$multiply: ['$price', '$quantity']}}}}, {$sort: {_id: 1}}]", Sales);
        AssertOutput(output, "{_id: 'abc', totalSaleAmount: NumberDecimal('120')}", "{_id: 'jkl', totalSaleAmount: NumberDecimal('20')}",
            "{_id: 'xyz', totalSaleAmount: NumberDecimal('150')}");
    }

    [Fact]
    public void Groups_everything_under_a_null_id()
    {
        var output =
            Run("[{$group: {_id: null, totalSaleAmount: {$sum: {$multiply: ['$price', '$quantity']}}, averageQuantity: {$avg: " +
                "'$quantity'}, count: {$sum: 1}, n: {$count: {}}}}]", Sales);
        AssertOutput(output, "{_id: null, totalSaleAmount: NumberDecimal('290'), averageQuantity: 8.6, count: 5, n: 5}");
    }

    [Fact]
    public void Groups_by_a_document_id()
    {
        var output =
            Run("[{$group: {_id: {month: {$month: '$date'}, year: {$year: '$date'}}, count: {$sum: 1}}}, {$sort: {'_id.month': 1}}]",
                Sales);
        AssertOutput(output, "{_id: {month: 3, year: 2014}, count: 3}", "{_id: {month: 4, year: 2014}, count: 2}");
    }

    [Fact]
    public void Distinct_values_and_pushing_the_root()
    {
        AssertOutputUnordered(Run("[{$group: {_id: '$item'}}]", Sales), "{_id: 'abc'}", "{_id: 'jkl'}", "{_id: 'xyz'}");
        var output =
            Run("[{$group: {_id: '$item', ids: {$push: '$_id'}, docs: {$push: '$$ROOT'}}}, {$match: {$expr: {$eq: ['$_id', 'jkl']}}}]",
                Sales);
        AssertOutput(output, "{_id: 'jkl', ids: [2], docs: [" + Sales[1] + "]}");
    }

    [Fact]
    public void Missing_group_key_is_null_and_numeric_keys_compare_by_value()
    {
        var output =
            Run("[{$group: {_id: '$k', n: {$sum: 1}}}, {$sort: {_id: 1}}]", "{k: 1}", "{k: 1.0}", "{k: NumberLong(1)}", "{}", "{k: null}");
        AssertOutput(output, "{_id: null, n: 2}", "{_id: 1, n: 3}");
    }

    [Fact]
    public void Group_keys_honour_the_collation()
    {
        var output =
            Run("[{$group: {_id: '$k', n: {$sum: 1}}}]", Documents("{k: 'a'}", "{k: 'A'}", "{k: 'b'}"), collation: new Collation("en", 2));
        AssertOutput(output, "{_id: 'a', n: 2}", "{_id: 'b', n: 1}");
    }

    [Fact]
    public void Accumulators_follow_their_null_and_type_rules()
    {
        var output = Run(
            "[{$group: {_id: null, sum: {$sum: '$v'}, avg: {$avg: '$v'}, min: {$min: '$v'}, max: {$max: '$v'}, first: {$first: '$v'}, " +
                "last: {$last: '$v'}, push: {$push: '$v'}, set: {$addToSet: '$v'}}}]",
            "{v: 'text'}", "{v: 2}", "{}", "{v: null}", "{v: 4.5}", "{v: 2}");
        AssertOutput(output,
            "{_id: null, sum: 8.5, avg: 2.8333333333333335, min: 2, max: 'text', first: 'text', last: 2, push: ['text', 2, null, 4.5, " +
                "2], set: ['text', 2, null, 4.5]}");
    }

    [Fact]
    public void Avg_of_no_numbers_is_null_and_sum_is_zero()
    {
        AssertOutput(Run("[{$group: {_id: null, avg: {$avg: '$v'}, sum: {$sum: '$v'}, min: {$min: '$v'}}}]", "{v: 'a'}", "{}"),
            "{_id: null, avg: null, sum: 0, min: 'a'}");
        AssertOutput(Run("[{$group: {_id: null, min: {$min: '$v'}, first: {$first: '$v'}}}]", "{}", "{v: null}"),
            "{_id: null, min: null, first: null}");
    }

    [Fact]
    public void Sum_widens_int_to_long_and_mixes_with_double()
    {
        AssertOutput(Run("[{$group: {_id: null, s: {$sum: '$v'}}}]", "{v: 2147483647}", "{v: 1}"),
            "{_id: null, s: NumberLong(2147483648)}");
        AssertOutput(Run("[{$group: {_id: null, s: {$sum: '$v'}}}]", "{v: 1}", "{v: NumberLong(2)}", "{v: 0.5}"), "{_id: null, s: 3.5}");
    }

    [Fact]
    public void Merge_objects_accumulator_merges_in_order()
    {
        var output =
            Run("[{$group: {_id: '$item', mergedSales: {$mergeObjects: '$quantity'}}}]",
                "{item: 'A', quantity: {'2017Q1': 500, '2017Q2': 500}}", "{item: 'A', quantity: {'2016Q1': 400, '2017Q1': 300}}",
                    "{item: 'A'}");
        AssertOutput(output, "{_id: 'A', mergedSales: {'2017Q1': 300, '2017Q2': 500, '2016Q1': 400}}");
        AssertError(40400, "[{$group: {_id: null, m: {$mergeObjects: '$v'}}}]", "{v: 1}");
    }

    [Fact]
    public void N_accumulators_and_top_bottom()
    {
        string[] games =
        [
            "{playerId: 'PlayerA', gameId: 'G1', score: 31}",
            "{playerId: 'PlayerB', gameId: 'G1', score: 33}",
            "{playerId: 'PlayerC', gameId: 'G1', score: 99}",
            "{playerId: 'PlayerD', gameId: 'G1', score: 1}",
        ];
        var output = Run(
            "[{$group: {_id: '$gameId', firstTwo: {$firstN: {input: '$playerId', n: 2}}, lastTwo: {$lastN: {input: '$playerId', n: 2}}, " +
                "maxThree: {$maxN: {input: '$score', n: 3}}, minTwo: {$minN: {input: '$score', n: 2}}, top: {$top: {output: " +
                    "['$playerId', '$score'], sortBy: {score: -1}}}, bottom: {$bottom: {output: ['$playerId', '$score'], sortBy: {score: " +
                        "-1}}}, topTwo: {$topN: {output: '$playerId', sortBy: {score: -1}, n: 2}}, bottomTwo: {$bottomN: {output: " +
                            "'$playerId', sortBy: {score: -1}, n: 2}}}}]",
            games);
        AssertOutput(output,
            "{_id: 'G1', firstTwo: ['PlayerA', 'PlayerB'], lastTwo: ['PlayerC', 'PlayerD'], maxThree: [99, 33, 31], minTwo: [1, 31], " +
                "top: ['PlayerC', 99], bottom: ['PlayerD', 1], topTwo: ['PlayerC', 'PlayerB'], bottomTwo: ['PlayerA', 'PlayerD']}");
    }

    [Theory]
    [InlineData(15955, "[{$group: {n: {$sum: 1}}}]")]
    [InlineData(15952, "[{$group: {_id: null, n: {$foo: 1}}}]")]
    [InlineData(40234, "[{$group: {_id: null, n: 1}}]")]
    [InlineData(40235, "[{$group: {_id: null, 'a.b': {$sum: 1}}}]")]
    [InlineData(40237, "[{$group: {_id: null, n: {$sum: [1, 2]}}}]")]
    [InlineData(5787908, "[{$group: {_id: null, n: {$firstN: {input: '$a', n: 0}}}}]")]
    public void Group_errors(int code, string pipeline) => AssertError(code, pipeline, "{a: 1}");

    [Fact]
    public void Accumulators_as_expressions_work_on_arrays_and_argument_lists()
    {
        var output = Run(
            "[{$project: {_id: 0, quizTotal: {$sum: '$quizzes'}, labAvg: {$avg: '$labs'}, examMax: {$max: '$final'}, examMin: {$min: " +
                "['$final', '$midterm']}, n: {$sum: ['$final', '$midterm', 'x']}}}]",
            "{_id: 1, quizzes: [10, 6, 7], labs: [5, 8], final: 80, midterm: 75}");
        AssertOutput(output, "{quizTotal: 23, labAvg: 6.5, examMax: 80, examMin: 75, n: 155}");
    }

    [Fact]
    public void Sort_by_count_groups_and_orders_by_count_descending()
    {
        var output = Run("[{$unwind: '$tags'}, {$sortByCount: '$tags'}]", "{tags: ['a', 'b', 'c']}", "{tags: ['b', 'c']}", "{tags: ['c']}");
        AssertOutput(output, "{_id: 'c', count: 3}", "{_id: 'b', count: 2}", "{_id: 'a', count: 1}");
        AssertError(40148, "[{$sortByCount: 'tags'}]", "{}");
    }

    [Fact]
    public void Bucket_follows_the_manual_artists_example()
    {
        string[] artists =
        [
            "{_id: 1, last_name: 'Bernard', first_name: 'Emil', year_born: 1868}",
            "{_id: 2, last_name: 'Rippl-Ronai', first_name: 'Joszi', year_born: 1861}",
            "{_id: 3, last_name: 'Ostroumova', first_name: 'Anna', year_born: 1871}",
            "{_id: 4, last_name: 'Van Gogh', first_name: 'Vincent', year_born: 1853}",
            "{_id: 5, last_name: 'Maurer', first_name: 'Alfred', year_born: 1868}",
            "{_id: 6, last_name: 'Munch', first_name: 'Edvard', year_born: 1863}",
            "{_id: 7, last_name: 'Redon', first_name: 'Odilon', year_born: 1840}",
            "{_id: 8, last_name: 'Diriks', first_name: 'Edvard', year_born: 1855}",
        ];
        var output = Run(
            "[{$bucket: {groupBy: '$year_born', boundaries: [1840, 1850, 1860, 1870, 1880], default: 'Other', output: {count: {$sum: 1}, " +
                "artists: {$push: {name: {$concat: ['$first_name', ' ', '$last_name']}, year_born: '$year_born'}}}}}]",
            artists);
        AssertOutput(
            output,
            "{_id: 1840, count: 1, artists: [{name: 'Odilon Redon', year_born: 1840}]}",
            "{_id: 1850, count: 2, artists: [{name: 'Vincent Van Gogh', year_born: 1853}, {name: 'Edvard Diriks', year_born: 1855}]}",
            "{_id: 1860, count: 4, artists: [{name: 'Emil Bernard', year_born: 1868}, {name: 'Joszi Rippl-Ronai', year_born: 1861}, " +
                "{name: 'Alfred Maurer', year_born: 1868}, {name: 'Edvard Munch', year_born: 1863}]}",
            "{_id: 1870, count: 1, artists: [{name: 'Anna Ostroumova', year_born: 1871}]}");
    }

    [Fact]
    public void Bucket_default_collects_values_outside_the_boundaries_and_count_is_the_default_output()
    {
        var output =
            Run("[{$bucket: {groupBy: '$price', boundaries: [0, 200, 400], default: 'Other'}}]", "{price: 100}", "{price: 250}",
                "{price: 500}", "{price: 'x'}", "{}");
        AssertOutput(output, "{_id: 0, count: 1}", "{_id: 200, count: 1}", "{_id: 'Other', count: 3}");
    }

    [Theory]
    [InlineData(40066, "[{$bucket: {groupBy: '$price', boundaries: [0, 200]}}]")]
    [InlineData(40194, "[{$bucket: {groupBy: '$price', boundaries: [200, 0]}}]")]
    [InlineData(40192, "[{$bucket: {groupBy: '$price', boundaries: [0]}}]")]
    [InlineData(40193, "[{$bucket: {groupBy: '$price', boundaries: [0, 'a']}}]")]
    [InlineData(40199, "[{$bucket: {groupBy: '$price', boundaries: [0, 1000], default: 5}}]")]
    [InlineData(40198, "[{$bucket: {boundaries: [0, 1]}}]")]
    [InlineData(40202, "[{$bucket: {groupBy: 'price', boundaries: [0, 1]}}]")]
    [InlineData(40197, "[{$bucket: {groupBy: '$price', boundaries: [0, 1], foo: 1}}]")]
    public void Bucket_errors(int code, string pipeline) => AssertError(code, pipeline, "{price: 500}");

    [Fact]
    public void Bucket_auto_splits_sorted_values_into_even_buckets()
    {
        var output = Run("[{$bucketAuto: {groupBy: '$price', buckets: 2}}]", "{price: 5}", "{price: 1}", "{price: 3}", "{price: 2}");
        AssertOutput(output, "{_id: {min: 1, max: 3}, count: 2}", "{_id: {min: 3, max: 5}, count: 2}");
        var output2 =
            Run("[{$bucketAuto: {groupBy: '$price', buckets: 3, output: {total: {$sum: '$price'}}}}]", "{price: 1}", "{price: 1}",
                "{price: 1}", "{price: 2}");
        AssertOutput(output2, "{_id: {min: 1, max: 2}, total: 3}", "{_id: {min: 2, max: 2}, total: 2}");
    }

    [Fact]
    public void Group_output_values_are_complete_documents()
    {
        var output = Run("[{$group: {_id: '$a', b: {$push: '$b'}}}]", "{a: 1, b: {x: 1}}");
        Assert.Equal(BsonDocument.Parse("{x: 1}"), output[0]["b"][0]);
    }
}
