using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation.Accumulators;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$group: blocking; groups by the <c>_id</c> expression (keys equal under the collation share a group).</summary>
internal sealed class GroupStage(AggregationExpression id, string[] fields, AccumulatorDefinition[] accumulators,
    BsonValueComparer keyComparer) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(15947, "a group's fields must be specified in an object");
        }

        AggregationExpression? id = null;
        var fields = new List<string>();
        var accumulators = new List<AccumulatorDefinition>();
        foreach (var element in spec)
        {
            if (element.Name == "_id")
            {
                id = context.CompileExpression(element.Value);
                continue;
            }

            if (element.Name.Contains('.', StringComparison.Ordinal))
            {
                throw new MongoErrorException(40235, $"The field name '{element.Name}' cannot contain '.'");
            }

            if (element.Name.StartsWith('$'))
            {
                throw new MongoErrorException(40236, $"The field name '{element.Name}' cannot be an operator name");
            }

            fields.Add(element.Name);
            accumulators.Add(AccumulatorRegistry.Compile(element.Name, element.Value, context.Expressions));
        }

        if (id is null)
        {
            throw new MongoErrorException(15955, "a group specification must include an _id");
        }

        return new GroupStage(id, [.. fields], [.. accumulators], context.Expressions.Comparer);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var groups = new Dictionary<BsonValue, Accumulator[]>(keyComparer);
        var order = new List<BsonValue>();
        foreach (var document in input)
        {
            var key = id.Evaluate(document, run.Scope) ?? BsonNull.Value;
            if (!groups.TryGetValue(key, out var states))
            {
                states = new Accumulator[accumulators.Length];
                for (var i = 0; i < states.Length; i++)
                {
                    states[i] = accumulators[i].Create(document, run.Scope);
                }

                groups[key] = states;
                order.Add(key);
            }

            for (var i = 0; i < states.Length; i++)
            {
                accumulators[i].Feed(states[i], document, run.Scope);
            }
        }

        foreach (var key in order)
        {
            var states = groups[key];
            var result = new BsonDocument("_id", key);
            for (var i = 0; i < states.Length; i++)
            {
                result.Add(fields[i], states[i].Result());
            }

            yield return result;
        }
    }
}
