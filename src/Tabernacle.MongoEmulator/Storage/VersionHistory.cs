using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// The write sequence of one member's storage and, while any transaction is open, the pre-images of every change
/// made since the oldest open snapshot. This is what gives transactions snapshot reads and write-conflict detection
/// without copying collections: a snapshot at sequence S sees, for each document changed after S, the pre-image
/// of its first change after S.
/// </summary>
internal sealed class VersionHistory
{
    private readonly Dictionary<(string Namespace, BsonValue Id), List<(long Sequence, BsonDocument? Before)>> _changes = new(new KeyComparer());

    /// <summary>The sequence number of the latest change.</summary>
    public long Sequence { get; private set; }

    /// <summary>Open snapshots (transactions); history is kept only while there is at least one.</summary>
    public int OpenSnapshots { get; private set; }

    public long OpenSnapshot()
    {
        OpenSnapshots++;
        return Sequence;
    }

    public void CloseSnapshot()
    {
        OpenSnapshots--;
        if (OpenSnapshots <= 0)
        {
            OpenSnapshots = 0;
            _changes.Clear();
        }
    }

    /// <summary>Records one change of a document; <paramref name="before"/> is <c>null</c> for an insert.</summary>
    public void Record(string ns, BsonValue id, BsonDocument? before)
    {
        Sequence++;
        if (OpenSnapshots == 0)
        {
            return;
        }

        if (!_changes.TryGetValue((ns, id), out var list))
        {
            list = [];
            _changes[(ns, id)] = list;
        }

        list.Add((Sequence, before));
    }

    /// <summary>Whether the document changed after <paramref name="snapshot"/>.</summary>
    public bool ChangedSince(string ns, BsonValue id, long snapshot) =>
        _changes.TryGetValue((ns, id), out var list) && list[^1].Sequence > snapshot;

    /// <summary>
    /// The version of a document as of <paramref name="snapshot"/>: the result is false when it did not
    /// change since (the current version stands); otherwise <paramref name="version"/> is the pre-image (null: absent).
    /// </summary>
    public bool TryGetVersionAt(string ns, BsonValue id, long snapshot, out BsonDocument? version)
    {
        version = null;
        if (!_changes.TryGetValue((ns, id), out var list))
        {
            return false;
        }

        foreach (var (sequence, before) in list)
        {
            if (sequence > snapshot)
            {
                version = before;
                return true;
            }
        }

        return false;
    }

    /// <summary>Documents of <paramref name="ns"/> that existed at <paramref name="snapshot"/> but were deleted since.</summary>
    public IEnumerable<BsonDocument> DeletedSince(string ns, long snapshot, Func<BsonValue, bool> existsNow)
    {
        foreach (var ((changeNs, id), _) in _changes)
        {
            if (changeNs == ns && !existsNow(id) && TryGetVersionAt(ns, id, snapshot, out var version) && version is not null)
            {
                yield return version;
            }
        }
    }

    private sealed class KeyComparer : IEqualityComparer<(string Namespace, BsonValue Id)>
    {
        public bool Equals((string Namespace, BsonValue Id) x, (string Namespace, BsonValue Id) y) =>
            x.Namespace == y.Namespace && BsonValueComparer.Default.Equals(x.Id, y.Id);

        public int GetHashCode((string Namespace, BsonValue Id) obj) =>
            HashCode.Combine(obj.Namespace, BsonValueComparer.Default.GetHashCode(obj.Id));
    }
}
