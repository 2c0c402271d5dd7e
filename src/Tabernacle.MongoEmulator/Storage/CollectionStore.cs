using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>
/// One collection on one member: documents in natural (insertion) order, the <c>_id</c> index and secondary indexes.
/// Documents are kept as raw BSON bytes (<see cref="StoredBson"/>) and decoded on each read, so every reader gets its
/// own tree and the bytes, never changed, are shared with the version history and with members copied from this one.
/// Callers hold the owning <see cref="StorageEngine"/>'s lock.
/// </summary>
internal sealed class CollectionStore
{
    private readonly RecordTable _records = new();
    // Documents are found by _id through the _id index (always the first index), with no second map of every _id.
    private readonly List<CollectionIndex> _indexes = [];
    private long _nextRecordId;

    // (max documents, max bytes) of a capped collection, and the BSON bytes it holds now.
    private readonly (long MaxDocuments, long MaxBytes)? _capped;
    private long _cappedBytes;

    private readonly VersionHistory _history;

    public CollectionStore(VersionHistory history, string database, string name, BsonDocument? options = null, Guid? uuid = null)
    {
        _history = history;
        Database = database;
        Name = name;
        Options = options ?? [];
        Uuid = uuid ?? Guid.NewGuid();
        if (Options.TryGetValue("capped", out var capped) && capped.ToBoolean())
        {
            var maxBytes = Options.TryGetValue("size", out var size) && size.IsNumeric && size.ToInt64() > 0 ? size.ToInt64()
                : long.MaxValue;
            var maxDocuments = Options.TryGetValue("max", out var max) && max.IsNumeric && max.ToInt64() > 0 ? max.ToInt64()
                : long.MaxValue;
            _capped = (maxDocuments, maxBytes);
        }
        _indexes.Add(new CollectionIndex(new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } }));
    }

    public string Database { get; }

    public string Name { get; }

    public string Namespace => $"{Database}.{Name}";

    public BsonDocument Options { get; }

    public Guid Uuid { get; }

    public int Count => _records.Count;

    public IReadOnlyList<CollectionIndex> Indexes => _indexes;

    /// <summary>All documents in natural order.</summary>
    public IEnumerable<BsonDocument> Documents => _records.Values.Select(StoredBson.Decode);

    /// <summary>The BSON bytes the collection holds (collStats' <c>size</c>).</summary>
    public long DataSize { get; private set; }

    public BsonDocument? FindById(BsonValue id) => RecordOf(id) is { } recordId ? StoredBson.Decode(_records[recordId]) : null;

    private long? RecordOf(BsonValue id) => _indexes[0].RecordWithKey(id);

    /// <summary>The stored BSON bytes of the document with <paramref name="id"/> (never to be changed), or <c>null</c>.</summary>
    public byte[]? StoredBytes(BsonValue id) => RecordOf(id) is { } recordId ? _records[recordId] : null;

    /// <summary>Inserts a document that has an <c>_id</c>; throws DuplicateKey when a unique index objects. Returns the stored
    /// bytes (never to be changed).</summary>
    public byte[] Insert(BsonDocument document)
    {
        var bytes = StoredBson.Encode(document);
        Insert(document, bytes);
        return bytes;
    }

    private void Insert(BsonDocument document, byte[] bytes)
    {
        var recordId = ++_nextRecordId;
        var keys = KeysFor(document, recordId);
        for (var i = 0; i < _indexes.Count; i++)
        {
            _indexes[i].CheckUnique(keys[i], recordId, Namespace);
        }

        for (var i = 0; i < _indexes.Count; i++)
        {
            _indexes[i].Add(keys[i]);
        }

        _records[recordId] = bytes;
        DataSize += bytes.Length;
        _history.Record(Namespace, document["_id"], null);
        if (_capped is not null)
        {
            KeepCappedBounds(bytes.Length);
        }
    }

    // A capped collection drops its oldest documents (natural order) once it holds more than max documents or size
    // bytes, as mongod does. Every member applies the same inserts in the same order, so all drop the same ones.
    private void KeepCappedBounds(int insertedBytes)
    {
        var (maxDocuments, maxBytes) = _capped!.Value;
        _cappedBytes += insertedBytes;
        while (_records.Count > 1 && (_records.Count > maxDocuments || _cappedBytes > maxBytes))
        {
            var oldest = _records.First().Value;
            _cappedBytes -= oldest.Length;
            Delete(StoredBson.Decode(oldest)["_id"]);
        }
    }

    /// <summary>Replaces the document with <paramref name="id"/> by <paramref name="replacement"/> (same <c>_id</c>); throws DuplicateKey
    /// when a unique index objects. Returns the stored bytes of the new version (never to be changed).</summary>
    public byte[] Replace(BsonValue id, BsonDocument replacement) => Replace(id, replacement, null);

    private byte[] Replace(BsonValue id, BsonDocument replacement, byte[]? stored)
    {
        var recordId = RecordOf(id) ?? throw new KeyNotFoundException($"no document with _id {id} in {Namespace}");
        var old = _records[recordId];
        var oldKeys = KeysFor(StoredBson.Decode(old), recordId);
        var newKeys = KeysFor(replacement, recordId);
        for (var i = 0; i < _indexes.Count; i++)
        {
            _indexes[i].CheckUnique(newKeys[i], recordId, Namespace);
        }

        // An index whose keys the change leaves alone keeps its entries (and their values): an update of one field
        // costs the indexes on that field only, and does not hold a second copy of the unchanged keys.
        for (var i = 0; i < _indexes.Count; i++)
        {
            if (!SameKeys(oldKeys[i], newKeys[i]))
            {
                _indexes[i].Remove(oldKeys[i]);
                _indexes[i].Add(newKeys[i]);
            }
        }

        var bytes = stored ?? StoredBson.Encode(replacement);
        _records[recordId] = bytes;
        DataSize += bytes.Length - old.Length;
        _history.Record(Namespace, id, old);
        return bytes;
    }

    // Equal values of the same BSON type (1 and 1.0 sort together but are different keys to keep).
    private static bool SameKeys(IndexEntry[] before, IndexEntry[] after)
    {
        if (before.Length != after.Length)
        {
            return false;
        }

        for (var k = 0; k < before.Length; k++)
        {
            var (x, y) = (before[k].Key, after[k].Key);
            for (var f = 0; f < x.Length; f++)
            {
                if (x[f].BsonType != y[f].BsonType || !x[f].Equals(y[f]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Inserts or replaces by <c>_id</c>: how a secondary applies an oplog entry idempotently. <paramref name="stored"/>,
    /// when given, is <paramref name="document"/>'s BSON as another member stores it (immutable, so shared).</summary>
    public void Upsert(BsonDocument document, byte[]? stored = null)
    {
        if (Contains(document["_id"]))
        {
            Replace(document["_id"], document, stored);
        }
        else if (stored is not null)
        {
            Insert(document, stored);
        }
        else
        {
            Insert(document);
        }
    }

    public bool Delete(BsonValue id)
    {
        if (RecordOf(id) is not { } recordId)
        {
            return false;
        }

        var old = _records[recordId];
        var keys = KeysFor(StoredBson.Decode(old), recordId);
        for (var i = 0; i < _indexes.Count; i++)
        {
            _indexes[i].Remove(keys[i]);
        }

        _records.Remove(recordId);
        DataSize -= old.Length;
        _history.Record(Namespace, id, old);
        return true;
    }

    /// <summary>
    /// The documents that may match <paramref name="filter"/>, in natural order: through an index when the filter
    /// constrains an indexed leading field (or <paramref name="hint"/> names one), otherwise every document.
    /// Callers still test each candidate against the filter.
    /// </summary>
    public IEnumerable<BsonDocument> Candidates(QueryFilter filter, CollectionIndex? hint = null) =>
        Candidates(filter, hint, StoredBson.Decode);

    /// <summary>
    /// <see cref="Candidates(QueryFilter, CollectionIndex?)"/> (every document when <paramref name="filter"/> is null), each holding
    /// only the top-level <paramref name="fields"/>: for a read that provably looks at no other field.
    /// </summary>
    public IEnumerable<BsonDocument> CandidatesWithFields(QueryFilter? filter, CollectionIndex? hint, IReadOnlySet<string> fields)
    {
        BsonDocument Decode(byte[] bytes) => StoredBson.DecodeFields(bytes, fields);
        return filter is null ? _records.Values.Select(Decode) : Candidates(filter, hint, Decode);
    }

    private IEnumerable<BsonDocument> Candidates(QueryFilter filter, CollectionIndex? hint, Func<byte[], BsonDocument> decode)
    {
        var (index, bounds) = ChooseIndex(filter, hint);
        if (index is null || bounds is null)
        {
            return _records.Values.Select(decode);
        }

        var recordIds = index.Seek(bounds).Distinct().Order().ToList();
        return recordIds.Select(id => decode(_records[id]));
    }

    /// <summary>
    /// The documents as of <paramref name="snapshot"/> that may match <paramref name="filter"/>, through the same index
    /// choice as <see cref="Candidates(QueryFilter, CollectionIndex?)"/>: indexes hold current keys, so the index finds
    /// the documents unchanged since the snapshot, and the version history adds the snapshot's version of each document
    /// changed after it (whose current keys may no longer match). Without a usable index, every document as of the
    /// snapshot. Callers re-check.
    /// </summary>
    public IEnumerable<BsonDocument> CandidatesAt(QueryFilter filter, CollectionIndex? hint, long snapshot)
    {
        var (index, bounds) = ChooseIndex(filter, hint);
        return index is null || bounds is null ? DocumentsAt(snapshot) : IndexedAt(index, bounds, snapshot);
    }

    private IEnumerable<BsonDocument> IndexedAt(CollectionIndex index, IndexBounds bounds, long snapshot)
    {
        foreach (var recordId in index.Seek(bounds).Distinct().Order().ToList())
        {
            var document = StoredBson.Decode(_records[recordId]);
            if (!_history.ChangedSince(Namespace, document["_id"], snapshot))
            {
                yield return document;
            }
        }

        foreach (var version in _history.VersionsChangedSince(Namespace, snapshot, static _ => true))
        {
            yield return version;
        }
    }

    /// <summary>
    /// The candidates in the order of a one-field sort, read from an index on that field, or <c>null</c> when no index
    /// can give that order: as mongod's planner picks an index scan that provides the sort, so that a sort with a
    /// limit stops after the first matches instead of sorting the collection. The index must hold every document
    /// once (not sparse, partial or multikey), and must be the one the filter would use, if any. Documents with equal
    /// keys come in natural order, as the stable in-memory sort gives them. Callers still test the filter.
    /// </summary>
    public IEnumerable<BsonDocument>? CandidatesInSortOrder(QueryFilter filter, CollectionIndex? hint, string field, int direction)
    {
        var plan = Plan(filter, hint, field, direction);
        return plan.ProvidesSort ? InSortOrder(plan.Index!, plan.Bounds, direction) : null;
    }

    /// <summary>
    /// The plan reads use for <paramref name="filter"/> (and a one-field sort, when given): the index and its bounds,
    /// or none (a collection scan), and whether the index provides the sort. What <c>explain</c> reports.
    /// </summary>
    public QueryPlan Plan(QueryFilter filter, CollectionIndex? hint, string? sortField = null, int sortDirection = 1)
    {
        var (chosen, bounds) = ChooseIndex(filter, hint);
        if (sortField is not null)
        {
            var index = chosen
                ?? (hint is null ? _indexes.FirstOrDefault(i => i.LeadingField == sortField && i.CanSeek && !i.IsMultikey) : null);
            if (index is not null && index.LeadingField == sortField && index.CanSeek && !index.IsMultikey && bounds?.Points is null)
            {
                return new QueryPlan(index, bounds, ProvidesSort: true, Forward: sortDirection == index.LeadingDirection);
            }
        }

        return chosen is null || bounds is null ? new QueryPlan(null, null, false, true) : new QueryPlan(chosen, bounds, false, true);
    }

    private IEnumerable<BsonDocument> InSortOrder(CollectionIndex index, IndexBounds? bounds, int direction)
    {
        var entries = index.Scan(bounds, forward: direction == index.LeadingDirection);
        if (direction == index.LeadingDirection)
        {
            foreach (var entry in entries)
            {
                yield return StoredBson.Decode(_records[entry.RecordId]);
            }

            yield break;
        }

        // Backwards, equal keys come newest first: turn each run of equal keys round to keep natural order.
        var run = new List<IndexEntry>();
        foreach (var entry in entries)
        {
            if (run.Count > 0 && IndexEntry.CompareFirst(run[0], entry) != 0)
            {
                for (var i = run.Count - 1; i >= 0; i--)
                {
                    yield return StoredBson.Decode(_records[run[i].RecordId]);
                }

                run.Clear();
            }

            run.Add(entry);
        }

        for (var i = run.Count - 1; i >= 0; i--)
        {
            yield return StoredBson.Decode(_records[run[i].RecordId]);
        }
    }

    private (CollectionIndex? Index, IndexBounds? Bounds) ChooseIndex(QueryFilter filter, CollectionIndex? hint)
    {
        var conditions = filter.IndexableConditions;
        if (hint is not null)
        {
            return conditions.TryGetValue(hint.LeadingField, out var hinted) && hint.CanSeek ? (hint, hinted) : (null, null);
        }

        if (conditions.Count == 0)
        {
            return (null, null);
        }

        (CollectionIndex? Index, IndexBounds? Bounds) best = (null, null);
        foreach (var index in _indexes)
        {
            if (!index.CanSeek || !conditions.TryGetValue(index.LeadingField, out var bounds))
            {
                continue;
            }

            // A single-valued index can take both sides of a range at once.
            if (bounds.Points is null && !index.IsMultikey
                && filter.IntersectedRangeConditions.TryGetValue(index.LeadingField, out var both))
            {
                bounds = both;
            }

            // Prefer point lookups (equality, $in) over ranges, and the _id index among equals.
            if (best.Index is null || (bounds.Points is not null && best.Bounds!.Points is null))
            {
                best = (index, bounds);
            }
        }

        return best;
    }

    public CollectionIndex? FindIndex(string name) => _indexes.FirstOrDefault(i => i.Name == name);

    public CollectionIndex? FindIndexByKey(BsonDocument keyPattern) => _indexes.FirstOrDefault(i => i.KeyPattern.Equals(keyPattern));

    /// <summary>Builds an index over the existing documents; fails with DuplicateKey, leaving nothing behind, when a unique index cannot
    /// hold them.</summary>
    public void CreateIndex(BsonDocument spec)
    {
        var index = new CollectionIndex(spec);
        foreach (var (recordId, bytes) in _records)
        {
            var keys = index.KeysFor(StoredBson.Decode(bytes), recordId);
            index.CheckUnique(keys, recordId, Namespace);
            index.Add(keys);
        }

        index.Compact();

        _indexes.Add(index);
    }

    public bool DropIndex(string name)
    {
        if (name == "_id_")
        {
            throw new MongoErrorException(ErrorCodes.InvalidOptions, "cannot drop _id index");
        }

        return _indexes.RemoveAll(i => i.Name == name) > 0;
    }

    public void DropAllIndexesButId() => _indexes.RemoveAll(i => !i.IsIdIndex);

    /// <summary>
    /// Throws DuplicateKey when storing <paramref name="document"/> (a new document or a new version of an existing one)
    /// would break a unique index; changes nothing. Transactions check their writes with it before committing.
    /// </summary>
    public void CheckUnique(BsonDocument document)
    {
        var recordId = RecordOf(document["_id"]) ?? long.MaxValue;
        var keys = KeysFor(document, recordId);
        for (var i = 0; i < _indexes.Count; i++)
        {
            _indexes[i].CheckUnique(keys[i], recordId, Namespace);
        }
    }

    public bool Contains(BsonValue id) => RecordOf(id) is not null;

    /// <summary>Records the deletion of every document: the collection is being dropped, and snapshots from before it still read
    /// them.</summary>
    public void RecordDrop()
    {
        foreach (var bytes in _records.Values)
        {
            _history.Record(Namespace, StoredBson.Decode(bytes)["_id"], bytes);
        }
    }

    /// <summary>The documents as they were at <paramref name="snapshot"/> (a transaction's view), in natural order.</summary>
    public IEnumerable<BsonDocument> DocumentsAt(long snapshot)
    {
        foreach (var document in Documents)
        {
            if (!_history.TryGetVersionAt(Namespace, document["_id"], snapshot, out var version))
            {
                yield return document;
            }
            else if (version is not null)
            {
                yield return version;
            }
        }

        foreach (var deleted in _history.DeletedSince(Namespace, snapshot, Contains))
        {
            yield return deleted;
        }
    }

    private IndexEntry[][] KeysFor(BsonDocument document, long recordId)
    {
        var keys = new IndexEntry[_indexes.Count][];
        for (var i = 0; i < _indexes.Count; i++)
        {
            keys[i] = _indexes[i].KeysFor(document, recordId);
        }

        return keys;
    }

    /// <summary>A copy for an initial sync of another member: its own indexes and records, sharing the immutable bytes.</summary>
    public CollectionStore Clone(VersionHistory history)
    {
        var copy = new CollectionStore(history, Database, Name, Options, Uuid);
        foreach (var index in _indexes.Where(i => !i.IsIdIndex))
        {
            copy._indexes.Add(new CollectionIndex(index.Spec));
        }

        foreach (var bytes in _records.Values)
        {
            copy.Insert(StoredBson.Decode(bytes), bytes);
        }

        foreach (var index in copy._indexes)
        {
            index.Compact();
        }

        return copy;
    }
}

/// <summary>How a read finds its documents: an index scan within bounds (in index order when it provides the sort), or a collection
/// scan.</summary>
internal sealed record QueryPlan(CollectionIndex? Index, IndexBounds? Bounds, bool ProvidesSort, bool Forward);
