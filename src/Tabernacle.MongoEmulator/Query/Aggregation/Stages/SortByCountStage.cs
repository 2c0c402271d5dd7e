using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$sortByCount: $group by the expression with a count, then sort by count descending.</summary>
internal sealed class SortByCountStage(IPipelineStage group, IPipelineStage sort) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        var valid = specification switch
        {
            BsonString s => s.Value.StartsWith('$'),
            BsonDocument d => d.ElementCount == 1 && d.GetElement(0).Name.StartsWith('$'),
            _ => false,
        };
        if (!valid)
        {
            throw new MongoErrorException(40148, "the sortByCount field must be defined as a $-prefixed path or an expression");
        }

        var group = GroupStage.Compile(new BsonDocument { { "_id", specification }, { "count", new BsonDocument("$sum", 1) } }, context);
        var sort = SortStage.Compile(new BsonDocument("count", -1), context);
        return new SortByCountStage(group, sort);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run) =>
        sort.Execute(group.Execute(input, run), run);
}
