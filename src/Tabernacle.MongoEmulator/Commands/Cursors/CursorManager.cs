using System.Collections.Concurrent;
using System.Security.Cryptography;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Commands.Cursors;

/// <summary>One member's open cursors. Results are materialised when the cursor opens (documents are immutable), then paged out by
/// getMore.</summary>
internal sealed class CursorManager
{
    private readonly ConcurrentDictionary<long, ServerCursor> _cursors = new();

    public int Count => _cursors.Count;

    /// <summary>Returns the first batch and, when documents remain, registers a cursor for them (id 0 otherwise).</summary>
    public BsonDocument FirstBatch(string ns, IReadOnlyList<BsonDocument> results, int? batchSize, bool singleBatch)
    {
        var size = FirstBatchSize(results, batchSize);
        var batch = new BsonArray(results.Take(size));
        long id = 0;
        if (size < results.Count && !singleBatch)
        {
            id = NewId();
            _cursors[id] = new ServerCursor(id, ns, results, size);
        }

        return new BsonDocument { { "cursor", new BsonDocument { { "firstBatch", batch }, { "id", id }, { "ns", ns } } } };
    }

    public ServerCursor? Find(long id) => _cursors.GetValueOrDefault(id);

    public bool Kill(long id) => _cursors.TryRemove(id, out _);

    public void Remove(long id) => _cursors.TryRemove(id, out _);

    public void Clear() => _cursors.Clear();

    private static int FirstBatchSize(IReadOnlyList<BsonDocument> results, int? batchSize)
    {
        // mongod's default first batch is 101 documents (or 16 MiB); an explicit batchSize wins.
        var limit = batchSize is > 0 ? batchSize.Value : batchSize == 0 ? 0 : 101;
        return Math.Min(limit, results.Count);
    }

    private long NewId()
    {
        while (true)
        {
            var id = RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)RandomNumberGenerator.GetInt32(1, int.MaxValue);
            if (!_cursors.ContainsKey(id))
            {
                return id;
            }
        }
    }
}

/// <summary>An open cursor: the remaining results of a find or aggregate.</summary>
internal sealed class ServerCursor(long id, string ns, IReadOnlyList<BsonDocument> results, int position)
{
    private readonly object _gate = new();
    private int _position = position;

    public long Id { get; } = id;

    public string Namespace { get; } = ns;

    /// <summary>The next batch (16 MiB at most, like mongod), and whether the cursor is exhausted.</summary>
    public (BsonArray Batch, bool Exhausted) Next(int? batchSize)
    {
        lock (_gate)
        {
            var batch = new BsonArray();
            var bytes = 0;
            var limit = batchSize is > 0 ? batchSize.Value : int.MaxValue;
            while (_position < results.Count && batch.Count < limit)
            {
                var document = results[_position];
                bytes += document.ToBson().Length;
                if (batch.Count > 0 && bytes > 16 * 1024 * 1024)
                {
                    break;
                }

                batch.Add(document);
                _position++;
            }

            return (batch, _position >= results.Count);
        }
    }
}
