using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// A parsed <c>writeConcern</c>: how many members (or a majority, or the members a custom mode's tags name) must
/// have applied a write, and how long to wait.
/// </summary>
internal sealed record WriteConcernSpec(int? W, bool Majority, TimeSpan? WTimeout)
{
    /// <summary>The custom mode (<c>settings.getLastErrorModes</c>) named by <c>w</c>, or <c>null</c>.</summary>
    public WriteConcernMode? Mode { get; init; }

    /// <summary>MongoDB 5.0+'s implicit default: <c>{w: "majority"}</c> without a timeout.</summary>
    public static WriteConcernSpec Default { get; } = new(null, true, null);

    public bool IsUnacknowledged => W == 0 && !Majority;

    public static WriteConcernSpec Parse(BsonValue? value) => Parse(value, WriteConcernModes.None);

    /// <summary>Parses <paramref name="value"/>; a string <c>w</c> (not <c>majority</c>) names one of <paramref name="modes"/>.</summary>
    public static WriteConcernSpec Parse(BsonValue? value, WriteConcernModes modes)
    {
        if (value is null || value.IsBsonNull)
        {
            return Default;
        }

        if (value is not BsonDocument document)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch, "writeConcern must be an object");
        }

        TimeSpan? timeout = null;
        if (document.TryGetValue("wtimeout", out var wtimeout) && wtimeout.IsNumeric && wtimeout.ToInt64() > 0)
        {
            timeout = TimeSpan.FromMilliseconds(wtimeout.ToInt64());
        }

        if (!document.TryGetValue("w", out var w))
        {
            return Default with { WTimeout = timeout };
        }

        return w switch
        {
            BsonString { Value: "majority" } => new WriteConcernSpec(null, true, timeout),
            BsonString s when modes.Find(s.Value) is { } mode => new WriteConcernSpec(null, false, timeout) { Mode = mode },
            BsonString s => throw new MongoErrorException(
                ErrorCodes.UnknownReplWriteConcern, $"Unrecognized write concern mode: {s.Value}"),
            _ when w.IsNumeric && w.ToInt64() >= 0 => new WriteConcernSpec((int)w.ToInt64(), false, timeout),
            _ => throw new MongoErrorException(ErrorCodes.FailedToParse,
                $"w has to be a non-negative number or \"majority\", not {w.ToJson()}"),
        };
    }

    public BsonDocument ToBsonDocument()
    {
        var document = new BsonDocument("w", Mode is { } mode ? mode.Name : Majority ? "majority" : (BsonValue)(W ?? 1));
        if (WTimeout is { } timeout)
        {
            document["wtimeout"] = (int)timeout.TotalMilliseconds;
        }

        return document;
    }
}
