using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$sample: a uniformly random subset of <c>size</c> documents, in random order.</summary>
internal sealed class SampleStage(long size) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(28745, "the $sample stage specification must be an object");
        }

        BsonValue? sizeValue = null;
        foreach (var element in spec)
        {
            if (element.Name != "size")
            {
                throw new MongoErrorException(28748, $"unrecognized option to $sample: {element.Name}");
            }

            sizeValue = element.Value;
        }

        if (sizeValue is null)
        {
            throw new MongoErrorException(28749, "$sample stage must specify a size");
        }

        if (!Numbers.IsNumber(sizeValue))
        {
            throw new MongoErrorException(28746, "size argument to $sample must be a number");
        }

        var size = (long)BsonValueComparer.ToDouble(sizeValue);
        if (size < 0)
        {
            throw new MongoErrorException(28747, "size argument to $sample must not be negative");
        }

        return new SampleStage(size);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        // Reservoir sampling keeps memory at O(size) over large collections; then a shuffle randomises the order.
        var reservoir = new List<BsonDocument>();
        long seen = 0;
        foreach (var document in input)
        {
            seen++;
            if (reservoir.Count < size)
            {
                reservoir.Add(document);
            }
            else
            {
                var j = Random.Shared.NextInt64(seen);
                if (j < size)
                {
                    reservoir[(int)j] = document;
                }
            }
        }

        var shuffled = reservoir.ToArray();
        Random.Shared.Shuffle(shuffled);
        return shuffled;
    }
}
