using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Tabernacle.MongoEmulator.Commands.Cursors;
using Tabernacle.MongoEmulator.Replication.ChangeStreams;

namespace Tabernacle.MongoEmulator.Commands.ChangeStreams;

/// <summary>An open change stream: a tailable, awaitable cursor over its reader. One getMore at a time reads it.</summary>
internal sealed class ChangeStreamCursor(long id, string ns, ChangeStreamReader reader, bool requiresPrimary)
{
    public long Id { get; } = id;

    public string Namespace { get; } = ns;

    public ChangeStreamReader Reader { get; } = reader;

    /// <summary>Opened with read preference primary: a step-down interrupts it, and the client resumes on the new primary.</summary>
    public bool RequiresPrimary { get; } = requiresPrimary;

    /// <summary>Serialises getMores on this cursor.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>
/// The change-stream cursors of one member, kept beside its <see cref="CursorManager"/> (whose cursors hold finished
/// results) so that getMore and killCursors find both kinds by id.
/// </summary>
internal sealed class ChangeStreamCursors
{
    private static readonly ConditionalWeakTable<CursorManager, ChangeStreamCursors> ByManager = new();

    private readonly ConcurrentDictionary<long, ChangeStreamCursor> _cursors = new();

    public static ChangeStreamCursors For(CursorManager cursors) => ByManager.GetValue(cursors, _ => new ChangeStreamCursors());

    public ChangeStreamCursor Open(string ns, ChangeStreamReader reader, bool requiresPrimary)
    {
        while (true)
        {
            var id = RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)RandomNumberGenerator.GetInt32(1, int.MaxValue);
            var cursor = new ChangeStreamCursor(id, ns, reader, requiresPrimary);
            if (_cursors.TryAdd(id, cursor))
            {
                return cursor;
            }
        }
    }

    public ChangeStreamCursor? Find(long id) => _cursors.GetValueOrDefault(id);

    public bool Kill(long id) => _cursors.TryRemove(id, out _);

    /// <summary>Forgets every change stream (the member stopped, as a crash ends its cursors).</summary>
    public void Clear() => _cursors.Clear();
}
