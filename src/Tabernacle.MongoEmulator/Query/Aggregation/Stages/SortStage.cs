using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Sorting;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$sort: blocking and stable; when a $limit follows, keeps only the top documents.</summary>
internal sealed class SortStage(DocumentSortComparer comparer) : IPipelineStage
{
    /// <summary>Set when the next stage is a $limit, which then still runs (and is a no-op).</summary>
    public long? Limit { get; set; }

    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(15973, "the $sort key specification must be an object");
        }

        if (spec.ElementCount == 0)
        {
            throw new MongoErrorException(15976, "$sort stage must have at least one sort key");
        }

        return new SortStage(DocumentSortComparer.Compile(spec, context.Collation));
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var sorted = Limit is { } limit && limit < int.MaxValue ? comparer.Top(input, (int)limit) : comparer.Sort(input);
        foreach (var document in sorted)
        {
            yield return document;
        }
    }
}

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
            throw new MongoErrorException(ErrorCodes.FailedToParse, $"invalid argument to $skip stage: Cannot represent as a 64-bit integer: $skip: {specification}");
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
            throw new MongoErrorException(ErrorCodes.FailedToParse, $"invalid argument to $limit stage: Cannot represent as a 64-bit integer: $limit: {specification}");
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
