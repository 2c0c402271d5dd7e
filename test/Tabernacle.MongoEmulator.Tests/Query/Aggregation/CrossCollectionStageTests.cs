using MongoDB.Bson;
using static Tabernacle.MongoEmulator.Tests.Query.Aggregation.PipelineTestHelper;

namespace Tabernacle.MongoEmulator.Tests.Query.Aggregation;

public class CrossCollectionStageTests
{
    private static readonly InMemoryCollections Collections = new InMemoryCollections()
        .With(
            "inventory",
            "{_id: 1, sku: 'almonds', description: 'product 1', instock: 120}",
            "{_id: 2, sku: 'bread', description: 'product 2', instock: 80}",
            "{_id: 3, sku: 'cashews', description: 'product 3', instock: 60}",
            "{_id: 4, sku: 'pecans', description: 'product 4', instock: 70}",
            "{_id: 5, sku: null, description: 'Incomplete'}",
            "{_id: 6}")
        .With(
            "members",
            "{_id: 1, name: 'artie', joined: 'A'}",
            "{_id: 3, name: 'giraffe1', joined: 'B'}",
            "{_id: 5, name: 'pandabear', joined: 'C'}",
            "{_id: 6, name: 'giraffe2', joined: 'D'}")
        .With(
            "warehouses",
            "{_id: 1, stock_item: 'almonds', warehouse: 'A', instock: 120}",
            "{_id: 2, stock_item: 'pecans', warehouse: 'A', instock: 80}",
            "{_id: 3, stock_item: 'almonds', warehouse: 'B', instock: 60}",
            "{_id: 4, stock_item: 'cookies', warehouse: 'B', instock: 40}",
            "{_id: 5, stock_item: 'cookies', warehouse: 'A', instock: 80}")
        .With(
            "restaurants",
            "{_id: 1, name: 'American Steak House', food: ['filet', 'sirloin'], beverages: ['beer', 'wine']}",
            "{_id: 2, name: 'Honest John Pizza', food: ['cheese pizza', 'pepperoni pizza'], beverages: ['soda']}")
        .With("sales_2018", "{store: 'A', item: 'Chocolates', quantity: 150}", "{store: 'B', item: 'Chocolates', quantity: 50}")
        .With("sales_2019", "{store: 'A', item: 'Cookies', quantity: 100}");

    [Fact]
    public void Lookup_equality_match_with_null_matching_null_and_missing()
    {
        var orders =
            Documents("{_id: 1, item: 'almonds', price: 12, quantity: 2}", "{_id: 2, item: 'pecans', price: 20, quantity: 1}", "{_id: 3}");
        var output =
            Run("[{$lookup: {from: 'inventory', localField: 'item', foreignField: 'sku', as: 'inventory_docs'}}]", orders, Collections);
        AssertOutput(
            output,
            "{_id: 1, item: 'almonds', price: 12, quantity: 2, inventory_docs: [{_id: 1, sku: 'almonds', description: 'product 1', " +
                "instock: 120}]}",
            "{_id: 2, item: 'pecans', price: 20, quantity: 1, inventory_docs: [{_id: 4, sku: 'pecans', description: 'product 4', " +
                "instock: 70}]}",
            "{_id: 3, inventory_docs: [{_id: 5, sku: null, description: 'Incomplete'}, {_id: 6}]}");
    }

    [Fact]
    public void Lookup_with_a_local_array_matches_any_element_in_foreign_order()
    {
        var output =
            Run("[{$lookup: {from: 'members', localField: 'enrollmentlist', foreignField: 'name', as: 'enrollee_info'}}, {$project: " +
                "{_id: 0, ids: '$enrollee_info._id'}}]",
                    Documents(
                        "{_id: 1, title: 'Reading is ...', enrollmentlist: ['giraffe2', 'pandabear', 'artie'], days: ['M', 'W', 'F']}"),
                            Collections);
        AssertOutput(output, "{ids: [1, 5, 6]}");
    }

    [Fact]
    public void Lookup_matches_a_scalar_against_foreign_arrays()
    {
        var output =
            Run("[{$lookup: {from: 'restaurants', localField: 'drink', foreignField: 'beverages', as: 'r'}}, {$project: {_id: 0, names: " +
                "'$r.name'}}]", Documents("{drink: 'soda'}", "{drink: 'water'}"), Collections);
        AssertOutput(output, "{names: ['Honest John Pizza']}", "{names: []}");
    }

    [Fact]
    public void Lookup_pipeline_with_let_variables_follows_the_manual()
    {
        var orders =
            Documents("{_id: 1, item: 'almonds', price: 12, ordered: 2}", "{_id: 2, item: 'pecans', price: 20, ordered: 1}",
                "{_id: 3, item: 'cookies', price: 10, ordered: 60}");
        var output = Run(
            "[{$lookup: {from: 'warehouses', let: {order_item: '$item', order_qty: '$ordered'}, pipeline: [{$match: {$expr: {$and: " +
                "[{$eq: ['$stock_item', '$$order_item']}, {$gte: ['$instock', '$$order_qty']}]}}}, {$project: {stock_item: 0, _id: 0}}], " +
                    "as: 'stockdata'}}]",
            orders,
            Collections);
        AssertOutput(
            output,
            "{_id: 1, item: 'almonds', price: 12, ordered: 2, stockdata: [{warehouse: 'A', instock: 120}, {warehouse: 'B', instock: 60}]}",
            "{_id: 2, item: 'pecans', price: 20, ordered: 1, stockdata: [{warehouse: 'A', instock: 80}]}",
            "{_id: 3, item: 'cookies', price: 10, ordered: 60, stockdata: [{warehouse: 'A', instock: 80}]}");
    }

    [Fact]
    public void Lookup_pipeline_can_use_query_operators_with_variables()
    {
        var output = Run(
            "[{$lookup: {from: 'warehouses', let: {item: '$item'}, pipeline: [{$match: {instock: {$gt: 70}}}, {$match: {$expr: {$eq: " +
                "['$stock_item', '$$item']}}}, {$project: {_id: 1}}], as: 'w'}}]",
            Documents("{_id: 1, item: 'almonds'}"),
            Collections);
        AssertOutput(output, "{_id: 1, item: 'almonds', w: [{_id: 1}]}");
    }

    [Fact]
    public void Lookup_uncorrelated_pipeline_and_combined_form()
    {
        var uncorrelated =
            Run("[{$lookup: {from: 'warehouses', pipeline: [{$match: {$expr: {$lt: ['$instock', 50]}}}, {$project: {_id: 1}}], as: 'low'}}]", Documents("{_id: 'x'}"), Collections);
        AssertOutput(uncorrelated, "{_id: 'x', low: [{_id: 4}]}");

        var combined = Run(
            "[{$lookup: {from: 'restaurants', localField: 'restaurant_name', foreignField: 'name', let: {orders_drink: '$drink'}, " +
                "pipeline: [{$match: {$expr: {$in: ['$$orders_drink', '$beverages']}}}, {$project: {_id: 1}}], as: 'matches'}}]",
            Documents("{_id: 1, restaurant_name: 'American Steak House', drink: 'beer'}",
                "{_id: 2, restaurant_name: 'Honest John Pizza', drink: 'lemonade'}",
                    "{_id: 3, restaurant_name: 'Honest John Pizza', drink: 'soda'}"),
            Collections);
        AssertOutput(
            combined,
            "{_id: 1, restaurant_name: 'American Steak House', drink: 'beer', matches: [{_id: 1}]}",
            "{_id: 2, restaurant_name: 'Honest John Pizza', drink: 'lemonade', matches: []}",
            "{_id: 3, restaurant_name: 'Honest John Pizza', drink: 'soda', matches: [{_id: 2}]}");
    }

    [Fact]
    public void Lookup_of_a_missing_collection_gives_empty_arrays_and_as_may_be_dotted()
    {
        AssertOutput(
            Run("[{$lookup: {from: 'nope', localField: 'a', foreignField: 'b', as: 'x.y'}}]", Documents("{_id: 1, a: 1, x: {z: 1}}"),
                Collections), "{_id: 1, a: 1, x: {z: 1, y: []}}");
    }

    [Theory]
    [InlineData("[{$lookup: {from: 'x', localField: 'a', as: 'y'}}]")]
    [InlineData("[{$lookup: {from: 'x', localField: 'a', foreignField: 'b'}}]")]
    [InlineData("[{$lookup: {from: 'x', as: 'y'}}]")]
    [InlineData("[{$lookup: {from: 'x', as: 'y', localField: 'a', foreignField: 'b', bad: 1}}]")]
    public void Lookup_errors(string pipeline) => AssertError(9, pipeline, "{}");

    [Fact]
    public void Union_with_appends_another_collection_optionally_through_a_pipeline()
    {
        AssertOutput(
            Run("[{$unionWith: 'sales_2019'}]", Documents("{store: 'Z', item: 'Cake', quantity: 1}"), Collections),
            "{store: 'Z', item: 'Cake', quantity: 1}",
            "{store: 'A', item: 'Cookies', quantity: 100}");
        var output = Run(
            "[{$set: {_id: '2017'}}, {$unionWith: {coll: 'sales_2018', pipeline: [{$set: {_id: '2018'}}]}}, {$unionWith: {coll: " +
                "'sales_2019', pipeline: [{$set: {_id: '2019'}}]}}, {$group: {_id: '$item', total: {$sum: '$quantity'}}}, {$sort: " +
                    "{total: -1}}]",
            Documents("{store: 'A', item: 'Chocolates', quantity: 1}"),
            Collections);
        AssertOutput(output, "{_id: 'Chocolates', total: 201}", "{_id: 'Cookies', total: 100}");
    }

    [Fact]
    public void Documents_stage_provides_the_input()
    {
        var output = Run("[{$documents: [{x: 10}, {x: 2}, {x: 5}]}, {$sort: {x: 1}}]", Documents("{ignored: true}"));
        AssertOutput(output, "{x: 2}", "{x: 5}", "{x: 10}");
        AssertError(40602, "[{$match: {}}, {$documents: [{x: 1}]}]", "{}");
        var lookup =
            Run("[{$lookup: {localField: 'k', foreignField: 'k', pipeline: [{$documents: [{k: 1, v: 'a'}, {k: 2, v: 'b'}]}], as: 'found'}}]", Documents("{k: 2}"));
        AssertOutput(lookup, "{k: 2, found: [{k: 2, v: 'b'}]}");
    }

    [Fact]
    public void Facet_runs_sub_pipelines_over_the_same_input()
    {
        var output = Run(
            "[{$facet: {count: [{$count: 'n'}], top: [{$sort: {price: -1}}, {$limit: 1}, {$project: {_id: 1}}], byTag: [{$unwind: " +
                "'$tags'}, {$sortByCount: '$tags'}]}}]",
            "{_id: 1, price: 10, tags: ['a', 'b']}",
            "{_id: 2, price: 30, tags: ['b']}",
            "{_id: 3, price: 20, tags: []}");
        AssertOutput(output, "{count: [{n: 3}], top: [{_id: 2}], byTag: [{_id: 'b', count: 2}, {_id: 'a', count: 1}]}");
        AssertOutput(Run("[{$facet: {none: [{$match: {$expr: false}}]}}]", "{}"), "{none: []}");
    }

    [Theory]
    [InlineData(40600, "[{$facet: {a: [{$facet: {b: []}}]}}]")]
    [InlineData(40600, "[{$facet: {a: [{$out: 'x'}]}}]")]
    [InlineData(40169, "[{$facet: {}}]")]
    [InlineData(40170, "[{$facet: {a: 1}}]")]
    public void Facet_errors(int code, string pipeline) => AssertError(code, pipeline, "{}");

    [Fact]
    public void Pipeline_let_variables_and_now_are_fixed_per_run()
    {
        var output =
            Run("[{$project: {_id: 0, t: '$$threshold', now: '$$NOW', doubled: {$multiply: ['$$threshold', 2]}}}]", Documents("{}", "{}"),
                variables: BsonDocument.Parse("{threshold: {$add: [2, 3]}}"));
        AssertOutput(output, "{t: 5, now: ISODate('2024-05-06T07:08:09.123Z'), doubled: 10}",
            "{t: 5, now: ISODate('2024-05-06T07:08:09.123Z'), doubled: 10}");
    }

    [Fact]
    public void Pipelines_are_reusable_across_executions()
    {
        var pipeline =
            Tabernacle.MongoEmulator.Query.Aggregation.AggregationPipeline.Compile(Stages("[{$group: {_id: null, n: {$sum: 1}}}]"),
                new Tabernacle.MongoEmulator.Query.Aggregation.PipelineContext(Collections));
        Assert.Equal(2, pipeline.Execute(Documents("{}", "{}")).Single()["n"].AsInt32);
        Assert.Equal(1, pipeline.Execute(Documents("{}")).Single()["n"].AsInt32);
    }

    [Fact]
    public void Inputs_are_never_mutated()
    {
        var input = Documents("{_id: 1, a: {b: 1}, list: [1, 2]}");
        var before = input[0].DeepClone();
        Run("[{$set: {'a.c': 2}}, {$unwind: '$list'}, {$unset: 'a.b'}, {$lookup: {from: 'nope', localField: 'x', foreignField: 'y', as: " +
            "'a.d'}}]", input, Collections);
        Assert.Equal(before, input[0]);
    }
}
