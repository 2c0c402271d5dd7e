namespace Tabernacle.MongoEmulator.Replication;

/// <summary>One member's oplog: its replicated changes in optime order.</summary>
internal sealed class Oplog
{
    private readonly List<OplogEntry> _entries = [];
    private readonly object _gate = new();

    public OpTime LastOpTime
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count == 0 ? OpTime.Null : _entries[^1].OpTime;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public OplogEntry? Last
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count == 0 ? null : _entries[^1];
            }
        }
    }

    /// <summary>Whether entries were ever removed from the front (the oplog "rolled over"), so older history is gone.</summary>
    public bool HasTruncated { get; private set; }

    /// <summary>The oldest entry's optime, or <see cref="OpTime.Null"/> when the oplog is empty.</summary>
    public OpTime Earliest
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count == 0 ? OpTime.Null : _entries[0].OpTime;
            }
        }
    }

    /// <summary>Removes the entries before <paramref name="opTime"/>, as a capped oplog does when it rolls over.</summary>
    public void TruncateBefore(OpTime opTime)
    {
        lock (_gate)
        {
            var count = IndexAfter(opTime) - 1;
            if (count > 0)
            {
                _entries.RemoveRange(0, count);
                HasTruncated = true;
            }
        }
    }

    /// <summary>
    /// Removes the oldest entries until at most <paramref name="retained"/> remain, keeping the last entry at or before
    /// <paramref name="keepFrom"/> and every entry after it.
    /// </summary>
    public void TrimTo(int retained, OpTime keepFrom)
    {
        lock (_gate)
        {
            var count = Math.Min(_entries.Count - retained, IndexAfter(keepFrom) - 1);
            if (count > 0)
            {
                _entries.RemoveRange(0, count);
                HasTruncated = true;
            }
        }
    }

    /// <summary>The member's journal when its data is kept on disk (<c>DataDirectory</c>); <c>null</c> in memory.</summary>
    public Persistence.MemberJournal? Journal { get; set; }

    /// <summary>Appends an entry; callers hold the member's storage lock and have applied the entry's changes.</summary>
    public void Append(OplogEntry entry)
    {
        // Journaled first: an entry others can see (and a client may be told about) is already in the journal.
        Journal?.Append(entry);
        lock (_gate)
        {
            _entries.Add(entry);
        }

        Journal?.CheckpointIfDue();
    }

    /// <summary>Whether this oplog holds an entry with exactly <paramref name="opTime"/> (timestamp and term).</summary>
    public bool Contains(OpTime opTime)
    {
        if (opTime.IsNull)
        {
            return true;
        }

        lock (_gate)
        {
            var index = IndexAfter(opTime) - 1;
            return index >= 0 && _entries[index].OpTime == opTime;
        }
    }

    /// <summary>Up to <paramref name="max"/> entries after <paramref name="opTime"/>.</summary>
    public List<OplogEntry> After(OpTime opTime, int max)
    {
        lock (_gate)
        {
            var start = IndexAfter(opTime);
            var count = Math.Min(max, _entries.Count - start);
            return count <= 0 ? [] : _entries.GetRange(start, count);
        }
    }

    /// <summary>Up to <paramref name="max"/> entries whose timestamp is at or after <paramref name="time"/> (change streams).</summary>
    public List<OplogEntry> Since(MongoDB.Bson.BsonTimestamp time, int max)
    {
        lock (_gate)
        {
            int lo = 0, hi = _entries.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if ((ulong)_entries[mid].OpTime.Timestamp.Value < (ulong)time.Value)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            var count = Math.Min(max, _entries.Count - lo);
            return count <= 0 ? [] : _entries.GetRange(lo, count);
        }
    }

    /// <summary>The wall time of the entry at <paramref name="opTime"/>, or <c>null</c>.</summary>
    public DateTime? WallTimeOf(OpTime opTime)
    {
        lock (_gate)
        {
            var index = IndexAfter(opTime) - 1;
            return index >= 0 && _entries[index].OpTime == opTime ? _entries[index].WallTime : null;
        }
    }

    /// <summary>
    /// The newest optime this oplog shares with <paramref name="other"/>: the common point of a rollback. It is this
    /// oplog's last optime unless this member diverged (wrote entries the other never received).
    /// </summary>
    public OpTime CommonPointWith(Oplog other)
    {
        var last = LastOpTime;
        if (other.Contains(last))
        {
            return last;
        }

        // Diverged: walk back over the divergent suffix (usually short), one entry per lock, so that the two oplogs'
        // locks are never held together and a long oplog is not copied on every commit-point update.
        for (var back = 2; ; back++)
        {
            OpTime candidate;
            lock (_gate)
            {
                if (back > _entries.Count)
                {
                    return OpTime.Null;
                }

                candidate = _entries[^back].OpTime;
            }

            if (other.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    public void CopyFrom(Oplog source)
    {
        List<OplogEntry> copy;
        lock (source._gate)
        {
            copy = [.. source._entries];
        }

        lock (_gate)
        {
            _entries.Clear();
            _entries.AddRange(copy);
            HasTruncated = source.HasTruncated;
        }
    }

    // The first index whose entry is after opTime (binary search; entries are in optime order).
    private int IndexAfter(OpTime opTime)
    {
        int lo = 0, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].OpTime <= opTime)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
