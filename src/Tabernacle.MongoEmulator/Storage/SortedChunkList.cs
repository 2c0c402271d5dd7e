namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// A sorted set kept as a list of sorted chunks of at most <see cref="MaxChunk"/> items, a flat B+-tree of one level:
/// about 20 bytes an entry where <see cref="SortedSet{T}"/> spends a 56-byte node on each, with the same O(log n)
/// seeks and ordered range scans in both directions. Indexes and a collection's records hold one entry per document,
/// so this is most of a collection's memory after the documents' bytes. Like <see cref="SortedSet{T}"/>, changing it
/// while a scan runs fails that scan.
/// </summary>
internal sealed class SortedChunkList<T>(IComparer<T> comparer)
{
    private const int MaxChunk = 256;
    private readonly List<List<T>> _chunks = [];
    private int _version;

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="item"/>; false (and nothing changes) when an equal item is already there.</summary>
    public bool Add(T item)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add(new List<T>(MaxChunk) { item });
            Count++;
            _version++;
            return true;
        }

        var c = ChunkFor(item);
        var chunk = _chunks[c];
        var i = chunk.BinarySearch(item, comparer);
        if (i >= 0)
        {
            return false;
        }

        i = ~i;
        if (chunk.Count >= MaxChunk)
        {
            if (c == _chunks.Count - 1 && i == chunk.Count)
            {
                // Appending in order (record ids, ascending keys): a new chunk, so the full ones stay full.
                _chunks.Add(new List<T>(MaxChunk) { item });
                Count++;
                _version++;
                return true;
            }

            var upper = new List<T>(MaxChunk);
            upper.AddRange(chunk.GetRange(MaxChunk / 2, chunk.Count - (MaxChunk / 2)));
            chunk.RemoveRange(MaxChunk / 2, chunk.Count - (MaxChunk / 2));
            _chunks.Insert(c + 1, upper);
            if (i > chunk.Count)
            {
                i -= chunk.Count;
                chunk = upper;
            }
        }

        chunk.Insert(i, item);
        Count++;
        _version++;
        return true;
    }

    public bool Remove(T item)
    {
        if (!TryFind(item, out var c, out var i))
        {
            return false;
        }

        var chunk = _chunks[c];
        chunk.RemoveAt(i);
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(c);
        }

        Count--;
        _version++;
        return true;
    }

    /// <summary>The stored item equal to <paramref name="probe"/>.</summary>
    public bool TryGetValue(T probe, out T value)
    {
        if (TryFind(probe, out var c, out var i))
        {
            value = _chunks[c][i];
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Replaces the stored item equal to <paramref name="item"/> (same place in the order) by it.</summary>
    public void Replace(T item)
    {
        if (!TryFind(item, out var c, out var i))
        {
            throw new KeyNotFoundException("no equal item to replace");
        }

        _chunks[c][i] = item;
        _version++;
    }

    /// <summary>
    /// Packs the items into full chunks. A build that adds keys out of order (an index created over existing documents)
    /// splits chunks as it goes and leaves them about half full: packed, an entry costs its 16 bytes, not 30.
    /// </summary>
    public void Compact()
    {
        var packed = new List<List<T>>((Count + MaxChunk - 1) / MaxChunk);
        foreach (var chunk in _chunks)
        {
            foreach (var item in chunk)
            {
                if (packed.Count == 0 || packed[^1].Count == MaxChunk)
                {
                    packed.Add(new List<T>(MaxChunk));
                }

                packed[^1].Add(item);
            }
        }

        _chunks.Clear();
        _chunks.AddRange(packed);
        _version++;
    }

    public T First() => Count > 0 ? _chunks[0][0] : throw new InvalidOperationException("the set is empty");

    /// <summary>Every item in order.</summary>
    public IEnumerable<T> All()
    {
        var version = _version;
        foreach (var chunk in _chunks)
        {
            for (var i = 0; i < chunk.Count; i++)
            {
                CheckVersion(version);
                yield return chunk[i];
            }
        }
    }

    /// <summary>The items from <paramref name="low"/> to <paramref name="high"/> (both inclusive), in order.</summary>
    public IEnumerable<T> Between(T low, T high)
    {
        if (_chunks.Count == 0)
        {
            yield break;
        }

        var version = _version;
        var c = ChunkFor(low);
        var i = _chunks[c].BinarySearch(low, comparer);
        i = i >= 0 ? i : ~i;
        for (; c < _chunks.Count; c++, i = 0)
        {
            var chunk = _chunks[c];
            for (; i < chunk.Count; i++)
            {
                CheckVersion(version);
                var item = chunk[i];
                if (comparer.Compare(item, high) > 0)
                {
                    yield break;
                }

                yield return item;
            }
        }
    }

    /// <summary>The items from <paramref name="high"/> down to <paramref name="low"/> (both inclusive), in reverse order.</summary>
    public IEnumerable<T> BetweenDescending(T low, T high)
    {
        if (_chunks.Count == 0)
        {
            yield break;
        }

        var version = _version;
        var c = ChunkFor(high);
        var i = _chunks[c].BinarySearch(high, comparer);
        i = i >= 0 ? i : ~i - 1;
        for (; c >= 0; c--, i = c >= 0 ? _chunks[c].Count - 1 : -1)
        {
            var chunk = _chunks[c];
            for (; i >= 0; i--)
            {
                CheckVersion(version);
                var item = chunk[i];
                if (comparer.Compare(item, low) < 0)
                {
                    yield break;
                }

                yield return item;
            }
        }
    }

    private bool TryFind(T item, out int chunkIndex, out int index)
    {
        chunkIndex = 0;
        index = -1;
        if (_chunks.Count == 0)
        {
            return false;
        }

        chunkIndex = ChunkFor(item);
        index = _chunks[chunkIndex].BinarySearch(item, comparer);
        return index >= 0;
    }

    // The first chunk whose last item is not below item (where item is or would go), or the last chunk.
    private int ChunkFor(T item)
    {
        int lo = 0, hi = _chunks.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (comparer.Compare(_chunks[mid][^1], item) < 0)
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

    private void CheckVersion(int version)
    {
        if (version != _version)
        {
            throw new InvalidOperationException("the index changed while it was being scanned");
        }
    }
}
