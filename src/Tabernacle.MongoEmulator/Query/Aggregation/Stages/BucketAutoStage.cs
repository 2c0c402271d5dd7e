using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>
/// $bucketAuto without granularity: sorts by the groupBy value and cuts it into about <c>buckets</c> equal-sized
/// buckets, never splitting equal values; each bucket's _id is {min, max} where max is the next bucket's min.
/// </summary>
internal sealed class BucketAutoStage(AggregationExpression groupBy, int buckets, BucketOutput output, BsonValueComparer comparer)
    : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(40240,
                $"The argument to $bucketAuto must be an object, but found type: {TypeNames.Of(specification)}.");
        }

        BsonValue? groupBy = null, bucketsValue = null, outputValue = null;
        foreach (var element in spec)
        {
            switch (element.Name)
            {
                case "groupBy": groupBy = element.Value; break;
                case "buckets": bucketsValue = element.Value; break;
                case "output": outputValue = element.Value; break;
                case "granularity": throw new MongoErrorException(ErrorCodes.CommandNotSupported,
                    "$bucketAuto granularity is not supported by the emulator");
                default: throw new MongoErrorException(40245, $"Unrecognized option to $bucketAuto: {element.Name}.");
            }
        }

        if (groupBy is null || bucketsValue is null)
        {
            throw new MongoErrorException(40246, "$bucketAuto requires 'groupBy' and 'buckets' to be specified");
        }

        BucketOutput.ValidateGroupBy("$bucketAuto", groupBy, 40239);
        if (!Numbers.IsNumber(bucketsValue) || !Numbers.TryGetIntegral(bucketsValue, out var count) || count is <= 0 or > int.MaxValue)
        {
            throw new MongoErrorException(40243, $"The $bucketAuto 'buckets' field must be greater than 0, but found: {bucketsValue}");
        }

        return new BucketAutoStage(context.CompileExpression(groupBy), (int)count,
            BucketOutput.Compile("$bucketAuto", outputValue, context, 40244), context.Expressions.Comparer);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var entries = new List<(BsonValue Key, BsonDocument Document)>();
        foreach (var document in input)
        {
            entries.Add((groupBy.Evaluate(document, run.Scope) ?? BsonNull.Value, document));
        }

        if (entries.Count == 0)
        {
            yield break;
        }

        var sorted = entries.OrderBy(e => e.Key, comparer).ToList();
        var approximateSize = (int)Math.Round((double)sorted.Count / buckets, MidpointRounding.AwayFromZero);
        approximateSize = Math.Max(approximateSize, 1);
        var ranges = new List<(int Start, int End)>();
        var start = 0;
        while (start < sorted.Count)
        {
            var end = Math.Min(start + approximateSize, sorted.Count);

            // The last bucket takes whatever remains once the requested number of buckets is reached.
            if (ranges.Count == buckets - 1)
            {
                end = sorted.Count;
            }

            while (end < sorted.Count && comparer.Compare(sorted[end].Key, sorted[end - 1].Key) == 0)
            {
                end++;
            }

            ranges.Add((start, end));
            start = end;
        }

        for (var r = 0; r < ranges.Count; r++)
        {
            var (from, to) = ranges[r];
            var states = output.Create(sorted[from].Document, run.Scope);
            for (var i = from; i < to; i++)
            {
                output.Feed(states, sorted[i].Document, run.Scope);
            }

            var max = r + 1 < ranges.Count ? sorted[ranges[r + 1].Start].Key : sorted[to - 1].Key;
            yield return output.Result(new BsonDocument { { "min", sorted[from].Key }, { "max", max } }, states);
        }
    }
}
