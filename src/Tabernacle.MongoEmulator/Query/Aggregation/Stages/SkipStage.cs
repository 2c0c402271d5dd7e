using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$skip: streaming.</summary>
internal sealed class SkipStage(long count) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (!Expressions.Numbers.IsNumber(specification))
        {
            throw new MongoErrorException(15972, $"Argument to $skip must be a number not a {Expressions.TypeNames.Of(specification)}");
        }

        if (!Expressions.Numbers.TryGetIntegral(specification, out var count))
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                $"invalid argument to $skip stage: Cannot represent as a 64-bit integer: $skip: {specification}");
        }

        if (count < 0)
        {
            throw new MongoErrorException(15956, $"invalid argument to $skip stage: Expected a non-negative number in: $skip: {count}");
        }

        return new SkipStage(count);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        long seen = 0;
        foreach (var document in input)
        {
            if (seen++ >= count)
            {
                yield return document;
            }
        }
    }
}
