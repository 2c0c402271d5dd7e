using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// The write sequence of one member's storage and the pre-images of every change made after the oldest snapshot
/// anyone may still read: the oldest open transaction's snapshot, and the member's majority-committed snapshot
/// (<see cref="RetentionFloor"/>), which majority reads use. This gives transactions snapshot reads and write-conflict
/// detection, and majority reads their committed view, without copying collections: a snapshot at sequence S sees,
/// for each document changed after S, the pre-image of its first change after S.
/// </summary>
internal sealed class VersionHistory
{
    // Pre-images as the collection's stored bytes (shared with it, never copied); decoded only when a snapshot reads them.
    private readonly Dictionary<(string Namespace, BsonValue Id), List<(long Sequence, byte[]? Before)>> _changes = new(new KeyComparer());

    // Every retained change in sequence order, from _orderHead on: pruning removes the oldest ones without scanning,
    // and, as each change takes the next sequence number, the changes after a snapshot S are the last (Sequence - S),
    // so a snapshot finds what changed since it without looking at the older history the window keeps.
    private readonly List<(long Sequence, (string Namespace, BsonValue Id) Key)> _order = [];
    private int _orderHead;

    // Open transaction snapshots, by sequence, with how many transactions hold each.
    private readonly SortedDictionary<long, int> _openSnapshots = [];

    /// <summary>The sequence number of the latest change.</summary>
    public long Sequence { get; private set; }

    /// <summary>Open snapshots (transactions).</summary>
    public int OpenSnapshots { get; private set; }

    /// <summary>
    /// The oldest sequence that reads outside transactions may ask for (the member's majority-committed snapshot).
    /// Changes at or before both it and every open snapshot are forgotten.
    /// </summary>
    public long RetentionFloor { get; private set; }

    /// <summary>How many pre-images are kept now (what pruning bounds).</summary>
    public int RetainedChanges => _order.Count - _orderHead;

    public long OpenSnapshot()
    {
        OpenSnapshots++;
        _openSnapshots[Sequence] = _openSnapshots.GetValueOrDefault(Sequence) + 1;
        return Sequence;
    }

    public void CloseSnapshot(long snapshot)
    {
        if (_openSnapshots.TryGetValue(snapshot, out var count))
        {
            OpenSnapshots--;
            if (count <= 1)
            {
                _openSnapshots.Remove(snapshot);
            }
            else
            {
                _openSnapshots[snapshot] = count - 1;
            }
        }

        Prune();
    }

    /// <summary>Moves the retention floor forward (never back) and forgets what no snapshot can read any more.</summary>
    public void AdvanceRetentionFloor(long sequence)
    {
        if (sequence > RetentionFloor)
        {
            RetentionFloor = Math.Min(sequence, Sequence);
        }

        Prune();
    }

    /// <summary>Forgets every pre-image and makes the current data the oldest readable state (after an initial sync replaced the
    /// data).</summary>
    public void Reset()
    {
        _changes.Clear();
        _order.Clear();
        _orderHead = 0;
        RetentionFloor = Sequence;
    }

    /// <summary>Records one change of a document; <paramref name="before"/> (its stored BSON) is <c>null</c> for an insert.</summary>
    public void Record(string ns, BsonValue id, byte[]? before)
    {
        Sequence++;
        if (!_changes.TryGetValue((ns, id), out var list))
        {
            // Most documents change once within the window: room for one change (a list's default is four).
            list = new(1);
            _changes[(ns, id)] = list;
        }

        list.Add((Sequence, before));
        _order.Add((Sequence, (ns, id)));
    }

    /// <summary>Whether the document changed after <paramref name="snapshot"/>.</summary>
    public bool ChangedSince(string ns, BsonValue id, long snapshot) =>
        _changes.TryGetValue((ns, id), out var list) && list.Count > 0 && list[^1].Sequence > snapshot;

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
                version = before is null ? null : StoredBson.Decode(before);
                return true;
            }
        }

        return false;
    }

    /// <summary>Documents of <paramref name="ns"/> that existed at <paramref name="snapshot"/> but were deleted since.</summary>
    public IEnumerable<BsonDocument> DeletedSince(string ns, long snapshot, Func<BsonValue, bool> existsNow)
    {
        foreach (var version in VersionsChangedSince(ns, snapshot, id => !existsNow(id)))
        {
            yield return version;
        }
    }

    /// <summary>
    /// The versions as of <paramref name="snapshot"/> of the documents of <paramref name="ns"/> (those accepted by
    /// <paramref name="include"/>) that changed after it and existed at it. Costs what the namespace's retained changes
    /// number, never what the collection holds.
    /// </summary>
    public IEnumerable<BsonDocument> VersionsChangedSince(string ns, long snapshot, Func<BsonValue, bool> include)
    {
        // Collected first: callers may change the collection (and so the history) while they go through the result.
        var versions = new List<BsonDocument>();
        var seen = new HashSet<BsonValue>(BsonValueComparer.Default);
        var after = Sequence - snapshot;
        var start = after <= 0 ? _order.Count : after >= _order.Count - _orderHead ? _orderHead : _order.Count - (int)after;
        for (var i = start; i < _order.Count; i++)
        {
            var (ns2, id) = _order[i].Key;
            if (ns2 == ns && seen.Add(id) && include(id) && TryGetVersionAt(ns, id, snapshot, out var version) && version is not null)
            {
                versions.Add(version);
            }
        }

        foreach (var version in versions)
        {
            yield return version;
        }
    }

    // A change at or before every readable snapshot is never read again: a snapshot at S only looks at changes after S.
    private void Prune()
    {
        var oldest = RetentionFloor;
        if (_openSnapshots.Count > 0)
        {
            oldest = Math.Min(oldest, _openSnapshots.Keys.First());
        }

        while (_orderHead < _order.Count && _order[_orderHead].Sequence <= oldest)
        {
            var (sequence, key) = _order[_orderHead++];
            if (_changes.TryGetValue(key, out var list))
            {
                var stale = 0;
                while (stale < list.Count && list[stale].Sequence <= sequence)
                {
                    stale++;
                }

                list.RemoveRange(0, stale);

                if (list.Count == 0)
                {
                    _changes.Remove(key);
                }
            }
        }

        // The pruned front goes in one move once it is the larger part, so pruning stays O(1) per change.
        if (_orderHead > 1024 && _orderHead > _order.Count / 2)
        {
            _order.RemoveRange(0, _orderHead);
            _orderHead = 0;
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
