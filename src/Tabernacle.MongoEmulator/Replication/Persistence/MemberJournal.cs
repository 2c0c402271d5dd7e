using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication.Persistence;

/// <summary>
/// One member's data on disk, kept like a storage engine's journal: every oplog entry the member applies is appended
/// to <c>journal-N.log</c> as a checksummed record, handed to the operating system before the entry enters the oplog
/// (so a killed process loses nothing it applied) and flushed to disk before a write is acknowledged (see
/// <see cref="Sync"/>). When the journal outgrows the last checkpoint, <c>checkpoint-N+1.ckpt</c> captures the whole
/// state and a fresh journal starts. Recovery loads the newest checkpoint and replays its journal.
/// </summary>
/// <remarks>
/// Appends and checkpoints run under the member's storage lock (as every oplog append does); <see cref="Sync"/> runs
/// from any thread and commits every record appended so far with one flush (group commit).
/// </remarks>
internal sealed class MemberJournal : IDisposable
{
    private readonly ReplicaMember _member;
    private readonly string _directory;
    private readonly long _minimumCheckpointBytes;
    private readonly ILogger _logger;
    private readonly object _syncGate = new();
    private SafeFileHandle _journal;
    private long _generation;
    private long _length;
    private long _checkpointBytes;
    private long _appended;
    private long _synced;
    private bool _disposed;

    private MemberJournal(
        ReplicaMember member,
        string directory,
        long minimumCheckpointBytes,
        ILogger logger,
        long generation,
        long length,
        long checkpointBytes)
    {
        _member = member;
        _directory = directory;
        _minimumCheckpointBytes = minimumCheckpointBytes;
        _logger = logger;
        _generation = generation;
        _length = length;
        _checkpointBytes = checkpointBytes;
        _journal = File.OpenHandle(JournalPath(generation), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
    }

    /// <summary>How many checkpoints this journal wrote since it opened (for tests).</summary>
    public int CheckpointsWritten { get; private set; }

    /// <summary>
    /// Recovers <paramref name="member"/> (which holds no data yet) from <paramref name="directory"/>, creating it when
    /// new, and returns the journal that keeps recording it. Throws <see cref="InvalidDataException"/> on corruption.
    /// </summary>
    public static MemberJournal Open(ReplicaMember member, string directory, long minimumCheckpointBytes, ILogger logger)
    {
        Directory.CreateDirectory(directory);
        foreach (var leftover in Directory.EnumerateFiles(directory, "*.tmp"))
        {
            // A checkpoint the process did not finish: the previous one and its journal still hold everything.
            File.Delete(leftover);
        }

        var generation = Generations(directory, "checkpoint-", ".ckpt").DefaultIfEmpty(0).Max();
        var checkpoint = Path.Combine(directory, CheckpointName(generation));
        long term = 0, checkpointBytes = 0;
        if (File.Exists(checkpoint))
        {
            term = CheckpointFile.Load(member, checkpoint);
            checkpointBytes = new FileInfo(checkpoint).Length;
        }

        var journalPath = Path.Combine(directory, JournalName(generation));
        var length = File.Exists(journalPath) ? Replay(member, journalPath, logger) : 0;
        member.Term = Math.Max(term, member.LastApplied.IsNull ? 0 : member.LastApplied.Term);
        member.ResetAppliedHistory();

        // Older generations are wholly in the newest checkpoint.
        var generations = Generations(directory, "checkpoint-", ".ckpt").Concat(Generations(directory, "journal-", ".log"));
        foreach (var old in generations.Where(g => g < generation).ToList())
        {
            File.Delete(Path.Combine(directory, CheckpointName(old)));
            File.Delete(Path.Combine(directory, JournalName(old)));
        }

        var journal = new MemberJournal(member, directory, minimumCheckpointBytes, logger, generation, length, checkpointBytes);
        if (length == 0)
        {
            journal.WriteHeader();
            RandomAccess.FlushToDisk(journal._journal);
            DirectorySync.Flush(directory);
        }
        else
        {
            // Cut a torn tail off, so that new records follow the last whole one.
            RandomAccess.SetLength(journal._journal, length);
        }

        logger.LogInformation(
            "Member {Host} recovered {Entries} oplog entries (last {Timestamp}, term {Term}) from {Directory}",
            member.Host, member.Oplog.Count, member.LastApplied.Timestamp, member.Term, directory);
        return journal;
    }

    /// <summary>Appends <paramref name="entry"/> and hands it to the operating system; callers hold the storage lock.</summary>
    public void Append(OplogEntry entry)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Write(new BsonDocument { { "k", "op" }, { "e", OplogEntryCodec.Encode(entry) } });
        Volatile.Write(ref _appended, _appended + 1);
    }

    /// <summary>Writes a checkpoint when the journal has grown past the last one; callers hold the storage lock.</summary>
    public void CheckpointIfDue()
    {
        if (!_disposed && _length > Math.Max(_minimumCheckpointBytes, _checkpointBytes))
        {
            Checkpoint();
        }
    }

    /// <summary>
    /// Captures the member's whole state in a new checkpoint and starts a new journal; used when the journal grows, after
    /// a rollback replaced the member's data, and at shutdown. Callers hold the storage lock.
    /// </summary>
    public void Checkpoint()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_syncGate)
        {
            var next = _generation + 1;
            _checkpointBytes = CheckpointFile.Write(_member, Path.Combine(_directory, CheckpointName(next)), next);
            var previous = _journal;
            _journal = File.OpenHandle(JournalPath(next), FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
            _generation = next;
            _length = 0;
            WriteHeader();
            RandomAccess.FlushToDisk(_journal);
            DirectorySync.Flush(_directory);
            previous.Dispose();

            // The checkpoint is on disk: every record appended so far is durable through it.
            _synced = Volatile.Read(ref _appended);
            CheckpointsWritten++;
            File.Delete(Path.Combine(_directory, CheckpointName(next - 1)));
            File.Delete(JournalPath(next - 1));
        }

        _logger.LogDebug("Member {Host} wrote checkpoint {Generation} ({Bytes} bytes)", _member.Host, _generation, _checkpointBytes);
    }

    /// <summary>
    /// Flushes every record appended so far to disk, unless a flush already covered them: called before a write is
    /// acknowledged. Concurrent callers share one flush.
    /// </summary>
    public void Sync()
    {
        lock (_syncGate)
        {
            var target = Volatile.Read(ref _appended);
            if (_disposed || target <= _synced)
            {
                return;
            }

            RandomAccess.FlushToDisk(_journal);
            _synced = target;
        }
    }

    /// <summary>Writes a last checkpoint (so the next start need not replay) and closes the files.</summary>
    public void Close()
    {
        lock (_member.Storage.SyncRoot)
        {
            if (_disposed)
            {
                return;
            }

            if (Volatile.Read(ref _appended) > 0)
            {
                Checkpoint();
            }

            Dispose();
        }
    }

    public void Dispose()
    {
        lock (_syncGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            RandomAccess.FlushToDisk(_journal);
            _journal.Dispose();
        }
    }

    private static long Replay(ReplicaMember member, string path, ILogger logger)
    {
        var bytes = File.ReadAllBytes(path);
        var records = RecordFile.ReadAll(path, bytes, out var valid, out var torn);
        if (torn is not null)
        {
            // A write the process did not finish was never acknowledged: drop it, as a storage engine drops a torn tail.
            logger.LogWarning(
                "Journal {Path} ends with an unfinished record ({Reason}); the last {Bytes} bytes are discarded",
                path, torn, bytes.Length - valid);
        }

        if (records.Count == 0)
        {
            return 0;
        }

        if (records[0]["k"] != "journal")
        {
            throw new InvalidDataException($"The emulator's journal '{path}' is corrupt: it does not start with a journal header.");
        }

        foreach (var record in records.Skip(1))
        {
            if (record["k"] != "op")
            {
                throw new InvalidDataException($"The emulator's journal '{path}' is corrupt: unknown record kind '{record["k"]}'.");
            }

            var entry = OplogEntryCodec.Decode(record["e"].AsBsonDocument);
            if (entry.OpTime <= member.LastApplied)
            {
                throw new InvalidDataException(
                    $"The emulator's journal '{path}' is corrupt: entry {entry.OpTime.Timestamp} (term {entry.OpTime.Term}) is not after "
                    + $"{member.LastApplied.Timestamp} (term {member.LastApplied.Term}).");
            }

            OplogApplier.Apply(member.Storage, member.RetryableWrites, entry);
            member.Oplog.Append(entry);
        }

        return valid;
    }

    private void WriteHeader() => Write(new BsonDocument { { "k", "journal" }, { "v", 1 }, { "gen", _generation } });

    private void Write(BsonDocument record)
    {
        var bytes = RecordFile.Frame(record);
        RandomAccess.Write(_journal, bytes, _length);
        _length += bytes.Length;
    }

    private string JournalPath(long generation) => Path.Combine(_directory, JournalName(generation));

    private static string CheckpointName(long generation) => $"checkpoint-{generation.ToString("D8", CultureInfo.InvariantCulture)}.ckpt";

    private static string JournalName(long generation) => $"journal-{generation.ToString("D8", CultureInfo.InvariantCulture)}.log";

    private static IEnumerable<long> Generations(string directory, string prefix, string suffix) =>
        Directory.EnumerateFiles(directory, prefix + "*" + suffix)
            .Select(Path.GetFileName)
            .Select(name => name![prefix.Length..^suffix.Length])
            .Select(number => long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : -1)
            .Where(g => g >= 0);
}
