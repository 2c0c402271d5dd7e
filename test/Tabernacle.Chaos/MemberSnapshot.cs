using MongoDB.Bson;

namespace Tabernacle.Chaos;

/// <summary>One member's final copy of the workload's collections (collection name → documents).</summary>
internal sealed record MemberSnapshot(string Member, IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>> Collections)
{
    public IReadOnlyList<BsonDocument> this[string collection] => Collections.TryGetValue(collection, out var docs) ? docs : [];
}
