using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Aggregation.Accumulators;

namespace Tabernacle.MongoEmulator.Query.Expressions.Operators;

/// <summary>
/// $sum $avg $min $max $stdDevPop $stdDevSamp used as expressions: one argument that is an array accumulates its
/// elements; several arguments accumulate the arguments themselves.
/// </summary>
internal static class AccumulatorExpressionOperators
{
    public static void Register(Dictionary<string, OperatorCompiler> registry)
    {
        registry["$sum"] = Compile(_ => new SumAccumulator());
        registry["$avg"] = Compile(_ => new AvgAccumulator());
        registry["$min"] = Compile(c => new ExtremeAccumulator(c, max: false));
        registry["$max"] = Compile(c => new ExtremeAccumulator(c, max: true));
        registry["$stdDevPop"] = Compile(_ => new StdDevAccumulator(sample: false));
        registry["$stdDevSamp"] = Compile(_ => new StdDevAccumulator(sample: true));
    }

    private static OperatorCompiler Compile(Func<BsonValueComparer, Accumulator> create) =>
        (name, argument, context) =>
        {
            var arguments = ExpressionParser.ParseArguments(argument, context);
            var comparer = context.Comparer;
            return new NaryOperatorExpression(arguments, values =>
            {
                var accumulator = create(comparer);
                if (values.Length == 1 && values[0] is BsonArray array)
                {
                    foreach (var item in array)
                    {
                        accumulator.Add(item);
                    }
                }
                else
                {
                    foreach (var value in values)
                    {
                        accumulator.Add(value);
                    }
                }

                return accumulator.Result();
            });
        };
}
