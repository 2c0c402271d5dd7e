namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>Read-only views (create with viewOn and pipeline), as the MongoDB manual's "Create and Query a View" shows them.</summary>
public sealed class ViewCommandTests : CommandTestBase
{
    private const string Db = "views";

    private async Task SeedAsync()
    {
        AssertOk(await RunAsync("{ insert: 'students', documents: [ { _id: 1, name: 'a', year: 1, score: 80 }, "
            + "{ _id: 2, name: 'b', year: 2, score: 90 }, { _id: 3, name: 'c', year: 2, score: 70 } ] }", Db));
        AssertOk(await RunAsync("{ create: 'seniors', viewOn: 'students', pipeline: [ { $match: { year: 2 } } ] }", Db));
    }

    [Fact]
    public async Task Find_on_a_view_filters_sorts_limits_and_projects_the_view_s_output()
    {
        await SeedAsync();
        var reply =
            await RunOkAsync(
                "{ find: 'seniors', filter: { score: { $gt: 60 } }, sort: { score: 1 }, limit: 1, projection: { _id: 0, name: 1 } }", Db);
        Assert.Equal("{ \"name\" : \"c\" }", Assert.Single(FirstBatch(reply)).ToString());
    }

    [Fact]
    public async Task Aggregate_on_a_view_of_a_view_runs_the_inner_pipeline_first()
    {
        await SeedAsync();
        AssertOk(await RunAsync("{ create: 'top', viewOn: 'seniors', pipeline: [ { $match: { score: { $gte: 90 } } } ] }", Db));
        var reply = await RunOkAsync("{ aggregate: 'top', pipeline: [ { $project: { _id: 1 } } ], cursor: { } }", Db);
        Assert.Equal(2, Assert.Single(FirstBatch(reply))["_id"].ToInt32());
        var all = await RunOkAsync("{ find: 'students' }", Db);
        Assert.Equal(3, FirstBatch(all).Count);
    }

    [Fact]
    public async Task Lookup_from_a_view_joins_the_view_s_output()
    {
        await SeedAsync();
        AssertOk(await RunAsync("{ insert: 'years', documents: [ { _id: 2 }, { _id: 1 } ] }", Db));
        var reply = await RunOkAsync(
            "{ aggregate: 'years', pipeline: [ { $lookup: { from: 'seniors', localField: '_id', foreignField: 'year', as: 's' } }, "
            + "{ $project: { n: { $size: '$s' } } }, { $sort: { _id: 1 } } ], cursor: { } }",
            Db);
        Assert.Equal([0, 2], FirstBatch(reply).Select(d => d["n"].ToInt32()));
    }
}
