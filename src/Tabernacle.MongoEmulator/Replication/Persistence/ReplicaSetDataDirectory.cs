using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Tabernacle.MongoEmulator.Replication.Persistence;

/// <summary>
/// A replica set's data directory: a lock file that keeps a second emulator out, a manifest naming the set it belongs to,
/// and one folder per member (<c>member-0</c>, <c>member-1</c>, ...) with that member's journal and checkpoint.
/// </summary>
internal sealed class ReplicaSetDataDirectory : IDisposable
{
    /// <summary>A journal shorter than this is never checkpointed early: small sets restart from the journal alone.</summary>
    public const long DefaultCheckpointBytes = 16 * 1024 * 1024;

    private readonly FileStream _lock;
    private readonly List<MemberJournal> _journals;

    private ReplicaSetDataDirectory(FileStream lockFile, List<MemberJournal> journals)
    {
        _lock = lockFile;
        _journals = journals;
    }

    public IReadOnlyList<MemberJournal> Journals => _journals;

    /// <summary>
    /// Opens (or creates) <paramref name="path"/> for <paramref name="set"/>, whose members hold no data yet, recovers
    /// every member from it and attaches the journals, so that everything the members apply from now on is recorded.
    /// </summary>
    /// <exception cref="IOException">Another emulator uses the directory, or it cannot be created.</exception>
    /// <exception cref="ArgumentException">The directory holds another set (name or member count).</exception>
    /// <exception cref="InvalidDataException">A journal or checkpoint is corrupt.</exception>
    public static ReplicaSetDataDirectory Open(string path, ReplicaSetCoordinator set, long checkpointBytes, ILoggerFactory loggerFactory)
    {
        var root = Path.GetFullPath(path);
        Directory.CreateDirectory(root);
        var lockFile = AcquireLock(root);
        var journals = new List<MemberJournal>();
        try
        {
            CheckManifest(root, set);
            var logger = loggerFactory.CreateLogger<MemberJournal>();
            foreach (var member in set.Members)
            {
                var folder = Path.Combine(root, "member-" + member.Id.ToString(CultureInfo.InvariantCulture));
                var journal = MemberJournal.Open(member, folder, checkpointBytes, logger);
                journals.Add(journal);
                member.Oplog.Journal = journal;
            }

            // New terms and optimes must come after everything on disk, or a restarted set would write "older" entries.
            set.RestoreTerm(set.Members.Max(m => m.Term));
            if (set.Members.Select(m => m.LastApplied).Max() is { IsNull: false } last)
            {
                set.Clock.AdvanceFromGossip(last.Timestamp);
            }

            return new ReplicaSetDataDirectory(lockFile, journals);
        }
        catch
        {
            foreach (var journal in journals)
            {
                journal.Dispose();
            }

            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Checkpoints and closes every member's journal (the members are stopped), then releases the lock.</summary>
    public void Dispose()
    {
        foreach (var journal in _journals)
        {
            journal.Close();
        }

        _lock.Dispose();
    }

    private static FileStream AcquireLock(string root)
    {
        var path = Path.Combine(root, "emulator.lock");
        try
        {
            // FileShare.None takes an exclusive lock the operating system drops when the process dies, however it dies.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"The data directory '{root}' is in use by another emulator (it holds {path}).", ex);
        }
    }

    private static void CheckManifest(string root, ReplicaSetCoordinator set)
    {
        var path = Path.Combine(root, "replset.json");
        if (!File.Exists(path))
        {
            var manifest = new JsonObject { ["format"] = 1, ["replicaSet"] = set.Name, ["members"] = set.Members.Count };
            File.WriteAllText(path, manifest.ToJsonString());
            return;
        }

        string? name;
        int members;
        try
        {
            var existing = JsonNode.Parse(File.ReadAllText(path))!;
            name = (string?)existing["replicaSet"];
            members = (int)existing["members"]!;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"The emulator's data directory manifest '{path}' is not readable: {ex.Message}", ex);
        }

        if (name != set.Name || members != set.Members.Count)
        {
            throw new ArgumentException(
                $"The data directory '{root}' holds the {members}-member replica set '{name}', not the {set.Members.Count}-member set "
                + $"'{set.Name}' asked for. Start with the same set name and member count, or use another directory.");
        }
    }
}
