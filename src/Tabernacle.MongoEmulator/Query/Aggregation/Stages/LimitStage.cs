using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$limit: streaming; stops pulling from the previous stage once the limit is reached.</summary>
internal sealed class LimitStage(long count) : IPipelineStage
{
    public long Count => count;

    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (!Expressions.Numbers.IsNumber(specification))
        {
            throw new MongoErrorException(15957, "the limit must be specified as a number");
        }

        if (!Expressions.Numbers.TryGetIntegral(specification, out var count))
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                $"invalid argument to $limit stage: Cannot represent as a 64-bit integer: $limit: {specification}");
        }

        if (count <= 0)
        {
            throw new MongoErrorException(15958, $"invalid argument to $limit stage: Expected a positive number in: $limit: {count}");
        }

        return new LimitStage(count);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        long taken = 0;
        foreach (var document in input)
        {
            yield return document;
            if (++taken >= count)
            {
                yield break;
            }
        }
    }
}
