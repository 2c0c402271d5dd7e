using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation.Accumulators;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>
/// $bucket: documents go to the bucket whose [lower, upper) boundaries hold their groupBy value, or to the default
/// bucket; only non-empty buckets are output, ordered by _id. Output defaults to <c>{count: {$sum: 1}}</c>.
/// </summary>
internal sealed class BucketStage(AggregationExpression groupBy, BsonValue[] boundaries, BsonValue? defaultId, BucketOutput output,
    BsonValueComparer comparer) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(40201,
                $"Argument to $bucket stage must be an object, but found type: {TypeNames.Of(specification)}.");
        }

        BsonValue? groupBy = null, boundariesValue = null, defaultValue = null, outputValue = null;
        foreach (var element in spec)
        {
            switch (element.Name)
            {
                case "groupBy": groupBy = element.Value; break;
                case "boundaries": boundariesValue = element.Value; break;
                case "default": defaultValue = element.Value; break;
                case "output": outputValue = element.Value; break;
                default: throw new MongoErrorException(40197, $"Unrecognized option to $bucket: {element.Name}.");
            }
        }

        if (groupBy is null || boundariesValue is null)
        {
            throw new MongoErrorException(40198, "$bucket requires 'groupBy' and 'boundaries' to be specified.");
        }

        BucketOutput.ValidateGroupBy("$bucket", groupBy, 40202);
        if (boundariesValue is not BsonArray boundaryArray)
        {
            throw new MongoErrorException(40200,
                $"The $bucket 'boundaries' field must be an array, but found type: {TypeNames.Of(boundariesValue)}.");
        }

        if (boundaryArray.Count < 2)
        {
            throw new MongoErrorException(40192,
                $"The $bucket 'boundaries' field must have at least 2 values, but found {boundaryArray.Count} value(s).");
        }

        var comparer = context.Expressions.Comparer;
        var boundaries = boundaryArray.ToArray();
        for (var i = 1; i < boundaries.Length; i++)
        {
            if (BsonValueComparer.CanonicalTypeRank(boundaries[i]) != BsonValueComparer.CanonicalTypeRank(boundaries[i - 1]))
            {
                throw new MongoErrorException(40193,
                    $"All values in the the 'boundaries' option to $bucket must have the same type. Found conflicting types " +
                        $"{TypeNames.Of(boundaries[i - 1])} and {TypeNames.Of(boundaries[i])}.");
            }

            if (comparer.Compare(boundaries[i - 1], boundaries[i]) >= 0)
            {
                throw new MongoErrorException(40194,
                    $"The 'boundaries' option to $bucket must be sorted, but elements {i - 1} and {i} are not in ascending order " +
                        $"({boundaries[i - 1]} is not less than {boundaries[i]}).");
            }
        }

        if (defaultValue is not null && comparer.Compare(defaultValue, boundaries[0]) >= 0
            && comparer.Compare(defaultValue, boundaries[^1]) < 0
            && BsonValueComparer.CanonicalTypeRank(defaultValue) == BsonValueComparer.CanonicalTypeRank(boundaries[0]))
        {
            throw new MongoErrorException(40199,
                "The $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary.");
        }

        var output = BucketOutput.Compile("$bucket", outputValue, context, 40196);
        return new BucketStage(context.CompileExpression(groupBy), boundaries, defaultValue, output, comparer);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var buckets = new SortedDictionary<BsonValue, Accumulator[]>(comparer);
        foreach (var document in input)
        {
            var value = groupBy.Evaluate(document, run.Scope) ?? BsonNull.Value;
            var id = FindBucket(value);
            if (!buckets.TryGetValue(id, out var states))
            {
                buckets[id] = states = output.Create(document, run.Scope);
            }

            output.Feed(states, document, run.Scope);
        }

        foreach (var (id, states) in buckets)
        {
            yield return output.Result(id, states);
        }
    }

    private BsonValue FindBucket(BsonValue value)
    {
        // Values of another type than the boundaries never fall inside them (type bracketing).
        if (BsonValueComparer.CanonicalTypeRank(value) == BsonValueComparer.CanonicalTypeRank(boundaries[0])
            && comparer.Compare(value, boundaries[0]) >= 0 && comparer.Compare(value, boundaries[^1]) < 0)
        {
            var low = 0;
            var high = boundaries.Length - 1;
            while (high - low > 1)
            {
                var middle = (low + high) / 2;
                if (comparer.Compare(value, boundaries[middle]) >= 0)
                {
                    low = middle;
                }
                else
                {
                    high = middle;
                }
            }

            return boundaries[low];
        }

        return defaultId
            ?? throw new MongoErrorException(40066, "$switch could not find a matching branch for an input, and no default was specified.");
    }
}

/// <summary>The <c>output</c> accumulators shared by $bucket and $bucketAuto.</summary>
internal sealed class BucketOutput(string[] fields, AccumulatorDefinition[] accumulators)
{
    public static void ValidateGroupBy(string stage, BsonValue groupBy, int code)
    {
        var valid = groupBy switch
        {
            BsonString s => s.Value.StartsWith('$'),
            BsonDocument d => d.ElementCount == 1 && d.GetElement(0).Name.StartsWith('$'),
            _ => false,
        };
        if (!valid)
        {
            throw new MongoErrorException(code,
                $"The {stage} 'groupBy' field must be defined as a $-prefixed path or an expression, but found: {groupBy}.");
        }
    }

    public static BucketOutput Compile(string stage, BsonValue? output, StageCompileContext context, int notObjectCode)
    {
        if (output is null)
        {
            return new BucketOutput(["count"], [AccumulatorRegistry.Compile("count", new BsonDocument("$sum", 1), context.Expressions)]);
        }

        if (output is not BsonDocument spec)
        {
            throw new MongoErrorException(notObjectCode,
                $"The {stage} 'output' field must be an object, but found type: {TypeNames.Of(output)}.");
        }

        var fields = new string[spec.ElementCount];
        var accumulators = new AccumulatorDefinition[spec.ElementCount];
        for (var i = 0; i < spec.ElementCount; i++)
        {
            var element = spec.GetElement(i);
            fields[i] = element.Name;
            accumulators[i] = AccumulatorRegistry.Compile(element.Name, element.Value, context.Expressions);
        }

        return new BucketOutput(fields, accumulators);
    }

    public Accumulator[] Create(BsonDocument first, ExpressionScope scope)
    {
        var states = new Accumulator[accumulators.Length];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = accumulators[i].Create(first, scope);
        }

        return states;
    }

    public void Feed(Accumulator[] states, BsonDocument document, ExpressionScope scope)
    {
        for (var i = 0; i < states.Length; i++)
        {
            accumulators[i].Feed(states[i], document, scope);
        }
    }

    public BsonDocument Result(BsonValue id, Accumulator[] states)
    {
        var result = new BsonDocument("_id", id);
        for (var i = 0; i < states.Length; i++)
        {
            result.Add(fields[i], states[i].Result());
        }

        return result;
    }
}
