using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// One of MongoDB's test fail points (<c>configureFailPoint</c>): its mode (<c>off</c>, <c>alwaysOn</c>,
/// <c>{times: n}</c>, <c>{skip: n}</c>) and data. Thread-safe.
/// </summary>
internal sealed class FailPoint(string name)
{
    private readonly object _gate = new();
    private Mode _mode = Mode.Off;
    private long _remaining;
    private long _timesEntered;

    private enum Mode
    {
        Off,
        AlwaysOn,
        Times,
        Skip,
    }

    public string Name { get; } = name;

    public BsonDocument Data { get; private set; } = [];

    public bool IsActive
    {
        get
        {
            lock (_gate)
            {
                return _mode != Mode.Off;
            }
        }
    }

    /// <summary>Sets the mode and data; returns how many times the fail point had been entered, as mongod's reply <c>count</c>.</summary>
    public long Configure(BsonValue mode, BsonDocument? data)
    {
        lock (_gate)
        {
            var previous = _timesEntered;
            switch (mode)
            {
                case BsonString { Value: "off" }:
                    _mode = Mode.Off;
                    break;
                case BsonString { Value: "alwaysOn" }:
                    _mode = Mode.AlwaysOn;
                    break;
                case BsonDocument document when document.TryGetValue("times", out var times) && times.IsNumeric:
                    _mode = times.ToInt64() > 0 ? Mode.Times : Mode.Off;
                    _remaining = times.ToInt64();
                    break;
                case BsonDocument document when document.TryGetValue("skip", out var skip) && skip.IsNumeric:
                    _mode = Mode.Skip;
                    _remaining = skip.ToInt64();
                    break;
                case BsonDocument document when document.Contains("activationProbability"):
                    throw new MongoErrorException(ErrorCodes.BadValue,
                        "the emulator does not support activationProbability; use times or skip");
                default:
                    throw new MongoErrorException(ErrorCodes.BadValue,
                        $"'mode' must be \"off\", \"alwaysOn\", {{times: n}} or {{skip: n}}, not {mode.ToJson()}");
            }

            Data = data ?? [];
            _timesEntered = 0;
            return previous;
        }
    }

    /// <summary>
    /// Evaluates the fail point for one operation: when <paramref name="applies"/> holds for the data and the mode
    /// lets this activation through, it counts it and returns the data; otherwise <c>null</c>.
    /// </summary>
    public BsonDocument? TryTrigger(Func<BsonDocument, bool>? applies = null)
    {
        lock (_gate)
        {
            if (_mode == Mode.Off || (applies is not null && !applies(Data)))
            {
                return null;
            }

            switch (_mode)
            {
                case Mode.Skip when _remaining > 0:
                    _remaining--;
                    return null;
                case Mode.Times:
                    if (--_remaining <= 0)
                    {
                        _mode = Mode.Off;
                    }

                    break;
            }

            _timesEntered++;
            return Data;
        }
    }
}
