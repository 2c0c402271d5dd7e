using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Accumulators;

/// <summary>The running state of one accumulator for one group. <c>null</c> input means missing.</summary>
internal abstract class Accumulator
{
    public abstract void Add(BsonValue? value);

    /// <summary>The final value; <c>null</c> means the field is left out (MongoDB never does that for group outputs, so results are
    /// non-null).</summary>
    public abstract BsonValue Result();
}

/// <summary>$sum: adds numbers with MongoDB's type widening and ignores everything else; 0 when nothing was added.</summary>
internal sealed class SumAccumulator : Accumulator
{
    private BsonValue _total = new BsonInt32(0);

    public override void Add(BsonValue? value)
    {
        if (Numbers.IsNumber(value))
        {
            _total = Numbers.Add(_total, value!);
        }
    }

    public override BsonValue Result() => _total;
}

/// <summary>$avg: the mean of the numbers (double, or decimal if any input is decimal); null when there were none.</summary>
internal sealed class AvgAccumulator : Accumulator
{
    private double _sum;
    private decimal _decimalSum;
    private bool _hasDecimal;
    private long _count;

    public override void Add(BsonValue? value)
    {
        if (!Numbers.IsNumber(value))
        {
            return;
        }

        _count++;
        if (value!.BsonType == BsonType.Decimal128 || _hasDecimal)
        {
            if (!_hasDecimal)
            {
                _decimalSum = (decimal)_sum;
                _hasDecimal = true;
            }

            _decimalSum += Numbers.ToDecimal(value);
        }
        else
        {
            _sum += BsonValueComparer.ToDouble(value);
        }
    }

    public override BsonValue Result()
    {
        if (_count == 0)
        {
            return BsonNull.Value;
        }

        return _hasDecimal ? Numbers.FromDecimal(_decimalSum / _count) : new BsonDouble(_sum / _count);
    }
}

/// <summary>$min / $max: the extreme value in BSON order, ignoring null and missing; null when nothing else was seen.</summary>
internal sealed class ExtremeAccumulator(BsonValueComparer comparer, bool max) : Accumulator
{
    private BsonValue? _best;

    public override void Add(BsonValue? value)
    {
        if (Operator.IsNullish(value))
        {
            return;
        }

        if (_best is null)
        {
            _best = value;
            return;
        }

        var cmp = comparer.Compare(value, _best);
        if (max ? cmp > 0 : cmp < 0)
        {
            _best = value;
        }
    }

    public override BsonValue Result() => _best ?? BsonNull.Value;
}

/// <summary>$first: the first document's value (missing becomes null).</summary>
internal sealed class FirstAccumulator : Accumulator
{
    private bool _seen;
    private BsonValue? _value;

    public override void Add(BsonValue? value)
    {
        if (!_seen)
        {
            _seen = true;
            _value = value;
        }
    }

    public override BsonValue Result() => _value ?? BsonNull.Value;
}

/// <summary>$last: the last document's value (missing becomes null).</summary>
internal sealed class LastAccumulator : Accumulator
{
    private BsonValue? _value;

    public override void Add(BsonValue? value) => _value = value;

    public override BsonValue Result() => _value ?? BsonNull.Value;
}

/// <summary>$push: every value in input order; missing values are skipped.</summary>
internal sealed class PushAccumulator : Accumulator
{
    private readonly BsonArray _values = [];

    public override void Add(BsonValue? value)
    {
        if (value is not null)
        {
            _values.Add(value);
        }
    }

    public override BsonValue Result() => _values;
}

/// <summary>$addToSet: distinct values (by the collation), in first-seen order; missing values are skipped.</summary>
internal sealed class AddToSetAccumulator(BsonValueComparer comparer) : Accumulator
{
    private readonly HashSet<BsonValue> _seen = new(comparer);
    private readonly BsonArray _values = [];

    public override void Add(BsonValue? value)
    {
        if (value is not null && _seen.Add(value))
        {
            _values.Add(value);
        }
    }

    public override BsonValue Result() => _values;
}

/// <summary>$mergeObjects: merges the documents in order; null and missing are ignored, anything else is error 40400.</summary>
internal sealed class MergeObjectsAccumulator : Accumulator
{
    private readonly BsonDocument _result = [];

    public override void Add(BsonValue? value) => Expressions.Operators.ObjectOperators.Merge(_result, value);

    public override BsonValue Result() => _result;
}

/// <summary>$stdDevPop / $stdDevSamp over the numeric inputs (Welford's algorithm); null when undefined.</summary>
internal sealed class StdDevAccumulator(bool sample) : Accumulator
{
    private long _count;
    private double _mean;
    private double _m2;

    public override void Add(BsonValue? value)
    {
        if (!Numbers.IsNumber(value))
        {
            return;
        }

        var x = BsonValueComparer.ToDouble(value!);
        _count++;
        var delta = x - _mean;
        _mean += delta / _count;
        _m2 += delta * (x - _mean);
    }

    public override BsonValue Result()
    {
        var n = sample ? _count - 1 : _count;
        return n <= 0 ? BsonNull.Value : new BsonDouble(Math.Sqrt(_m2 / n));
    }
}

/// <summary>Raised for an accumulator misused in a way MongoDB rejects while running.</summary>
internal static class AccumulatorErrors
{
    public static MongoErrorException Unknown(string name) => new(15952, $"unknown group operator '{name}'");
}
