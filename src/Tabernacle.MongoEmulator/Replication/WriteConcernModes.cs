using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// One custom write concern mode of the set's configuration (<c>settings.getLastErrorModes</c>): for each tag name,
/// how many distinct values of that tag the members that applied a write must carry, as mongod's tag matcher counts.
/// </summary>
internal sealed record WriteConcernMode(string Name, IReadOnlyDictionary<string, int> MinimumDistinctValues)
{
    /// <summary>Whether <paramref name="acknowledging"/> (the members that applied the write) satisfy the mode.</summary>
    public bool IsSatisfiedBy(IEnumerable<ReplicaMember> acknowledging)
    {
        var members = acknowledging as IReadOnlyCollection<ReplicaMember> ?? [.. acknowledging];
        return MinimumDistinctValues.All(constraint =>
            members.Select(m => m.Tags.GetValueOrDefault(constraint.Key)).OfType<string>().Distinct(StringComparer.Ordinal).Count()
                >= constraint.Value);
    }

    public BsonDocument ToBsonDocument() => new(MinimumDistinctValues.Select(c => new BsonElement(c.Key, c.Value)));
}

/// <summary>The set's custom write concern modes, by name.</summary>
internal sealed class WriteConcernModes
{
    private readonly Dictionary<string, WriteConcernMode> _modes;

    public WriteConcernModes(IEnumerable<WriteConcernMode> modes) => _modes = modes.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static WriteConcernModes None { get; } = new([]);

    public IEnumerable<WriteConcernMode> All => _modes.Values;

    public WriteConcernMode? Find(string name) => _modes.GetValueOrDefault(name);

    /// <summary><c>settings.getLastErrorModes</c> as <c>replSetGetConfig</c> reports it.</summary>
    public BsonDocument ToBsonDocument() => new(_modes.Values.Select(m => new BsonElement(m.Name, m.ToBsonDocument())));
}
