using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;
using Tabernacle.MongoEmulator.Query.Sorting;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Accumulators;

/// <summary>$firstN / $lastN: the first or last n values in input order (null and missing kept as null).</summary>
internal sealed class FirstLastNAccumulator(int n, bool first) : Accumulator
{
    private readonly List<BsonValue> _values = [];

    public override void Add(BsonValue? value)
    {
        if (first && _values.Count >= n)
        {
            return;
        }

        _values.Add(value ?? BsonNull.Value);
        if (!first && _values.Count > n)
        {
            _values.RemoveAt(0);
        }
    }

    public override BsonValue Result() => new BsonArray(_values);
}

/// <summary>$maxN / $minN: the n largest (descending) or smallest (ascending) values, ignoring null and missing.</summary>
internal sealed class ExtremeNAccumulator(int n, bool max, BsonValueComparer comparer) : Accumulator
{
    private readonly List<BsonValue> _values = [];

    public override void Add(BsonValue? value)
    {
        if (!Operator.IsNullish(value))
        {
            _values.Add(value!);
        }
    }

    public override BsonValue Result()
    {
        var sorted =
            _values.OrderBy(v => v, Comparer<BsonValue>.Create((x, y) => max ? comparer.Compare(y, x) : comparer.Compare(x, y))).Take(n);
        return new BsonArray(sorted);
    }
}

/// <summary>
/// $top / $bottom / $topN / $bottomN: the output of the documents that sort first (top) or last (bottom) by sortBy.
/// The document is needed to compute the sort key, so these receive it alongside the output value.
/// </summary>
internal sealed class TopBottomAccumulator(DocumentSortComparer sort, int n, bool top, bool single) : Accumulator
{
    private readonly List<(BsonDocument Document, BsonValue Output)> _entries = [];

    public override void Add(BsonValue? value) => throw new InvalidOperationException("$top/$bottom need the document; use AddDocument");

    public void AddDocument(BsonDocument document, BsonValue? output) => _entries.Add((document, output ?? BsonNull.Value));

    public override BsonValue Result()
    {
        // Stable ordering by the sort spec; bottom takes from the end but keeps the sort order within the result.
        var ordered = sort.Sort(_entries.Select(e => e.Document).ToList());
        var outputs = new Dictionary<BsonDocument, Queue<BsonValue>>(ReferenceEqualityComparer.Instance);
        foreach (var (document, output) in _entries)
        {
            if (!outputs.TryGetValue(document, out var queue))
            {
                outputs[document] = queue = new Queue<BsonValue>();
            }

            queue.Enqueue(output);
        }

        var picked = top ? ordered.Take(n) : ordered.Skip(Math.Max(0, ordered.Count - n));
        var result = new BsonArray();
        foreach (var document in picked)
        {
            result.Add(outputs[document].Dequeue());
        }

        if (single)
        {
            return result.Count == 0 ? BsonNull.Value : result[0];
        }

        return result;
    }
}

/// <summary>Validates the <c>n</c> of the N-accumulators: a positive integer.</summary>
internal static class AccumulatorN
{
    public static int Validate(string op, BsonValue? value)
    {
        if (!Numbers.IsNumber(value) || !Numbers.TryGetIntegral(value!, out var n))
        {
            throw new MongoErrorException(5787902, $"Value for 'n' must be of integral type, but found {value}");
        }

        if (n <= 0)
        {
            throw new MongoErrorException(5787908, $"'n' must be greater than 0, found {n}");
        }

        return (int)Math.Min(n, int.MaxValue);
    }
}
