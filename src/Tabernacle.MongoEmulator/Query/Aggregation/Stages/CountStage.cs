using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$count: one document <c>{name: n}</c>, or none when the input is empty.</summary>
internal sealed class CountStage(string field) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonString name)
        {
            throw new MongoErrorException(40156, "the count field must be a non-empty string");
        }

        if (name.Value.Length == 0)
        {
            throw new MongoErrorException(40157, "the count field must be a non-empty string");
        }

        if (name.Value.StartsWith('$'))
        {
            throw new MongoErrorException(40158, "the count field cannot be a $-prefixed path");
        }

        if (name.Value.Contains('.', StringComparison.Ordinal))
        {
            throw new MongoErrorException(40160, "the count field cannot contain '.'");
        }

        return new CountStage(name.Value);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        long count = 0;
        foreach (var unused in input)
        {
            count++;
        }

        if (count > 0)
        {
            yield return new BsonDocument(field, Expressions.Numbers.Integer(count));
        }
    }
}
