using System.Net;
using System.Net.Sockets;
using MongoDB.Bson;
using Microsoft.Extensions.Logging;
using Tabernacle.MongoEmulator.Commands;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Wire;

namespace Tabernacle.MongoEmulator;

/// <summary>
/// One member of an emulated replica set: its role, counters and replication state, and the controls a test uses to
/// make failures happen (stop, start, step down, delay or pause replication).
/// </summary>
public sealed class EmulatorMember
{
    private readonly ReplicaMember _member;
    private readonly CommandRegistry _registry;
    private readonly IPAddress _address;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WireServer? _server;
    private CommandDispatcher? _dispatcher;

    internal EmulatorMember(ReplicaMember member, CommandRegistry registry, IPAddress address, ILoggerFactory loggerFactory)
    {
        _member = member;
        _registry = registry;
        _address = address;
        _loggerFactory = loggerFactory;
    }

    internal ReplicaMember Member => _member;

    /// <summary>The member's <c>_id</c> in the replica set configuration (0-based).</summary>
    public int Id => _member.Id;

    /// <summary>The address clients use, exactly as in the connection string: <c>127.0.0.1:port</c>.</summary>
    public string Host => _member.Host;

    /// <summary>The member's TCP port.</summary>
    public int Port => _member.Port;

    /// <summary>The member's election priority.</summary>
    public int Priority => _member.Priority;

    /// <summary>The member's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags => _member.Tags;

    /// <summary>The member's current role.</summary>
    public EmulatorMemberRole Role => _member.State switch
    {
        MemberState.Primary => EmulatorMemberRole.Primary,
        MemberState.Secondary => EmulatorMemberRole.Secondary,
        _ => EmulatorMemberRole.Down,
    };

    /// <summary>Whether the member is running (listening and replicating).</summary>
    public bool IsRunning => _member.IsRunning;

    /// <summary>The timestamp of the last oplog entry this member applied.</summary>
    public BsonTimestamp LastAppliedTimestamp => _member.LastApplied.Timestamp;

    /// <summary>The wall-clock time of the last oplog entry this member applied.</summary>
    public DateTime LastAppliedWallTime => _member.LastAppliedWallTime;

    /// <summary>The number of entries in this member's oplog.</summary>
    public int OplogCount => _member.Oplog.Count;

    /// <summary>Open client connections to this member.</summary>
    public int ConnectionCount => _server?.ConnectionCount ?? 0;

    /// <summary>A snapshot of the member's operation counters (as <c>serverStatus.opcounters</c>).</summary>
    public EmulatorOpCounters OpCounters
    {
        get
        {
            var c = _member.OpCounters;
            return new EmulatorOpCounters(c.Insert, c.Query, c.Update, c.Delete, c.GetMore, c.Command);
        }
    }

    /// <summary>
    /// The member's simulated read load: reads in service and waiting now, the peaks of both, and reads served, as
    /// configured by <see cref="EmulatorMemberOptions.ReadServiceTime"/> and <see cref="EmulatorMemberOptions.MaxConcurrentReads"/>.
    /// </summary>
    public EmulatorReadLoad ReadLoad => _member.ReadCapacity.Snapshot();

    /// <summary>Resets the peaks and the served count of <see cref="ReadLoad"/> (between phases of a test or benchmark).</summary>
    public void ResetReadLoadPeaks() => _member.ReadCapacity.ResetPeaks();

    /// <summary>How long after the primary wrote an entry this member applies it; settable while running.</summary>
    public TimeSpan ReplicationDelay
    {
        get => _member.ReplicationDelay;
        set => _member.ReplicationDelay = value;
    }

    /// <summary>Whether replication to this member is paused (by <see cref="PauseReplication"/> or the <c>stopReplProducer</c> fail
    /// point).</summary>
    public bool IsReplicationPaused => _member.IsReplicationPaused;

    /// <summary>Stops applying the primary's changes, so reads here become stale.</summary>
    public void PauseReplication() => _member.SetReplicationPaused(true);

    /// <summary>Resumes replication; the member catches up.</summary>
    public void ResumeReplication() => _member.SetReplicationPaused(false);

    /// <summary>
    /// Whether a network partition cuts this member off from the other members (see <see cref="Disconnect"/>).
    /// </summary>
    public bool IsDisconnected => _member.IsDisconnected;

    /// <summary>
    /// Cuts this member off from the other members, as a network partition would, but not from clients: its port stays
    /// open and clients can still run commands on it. While cut off it neither replicates from nor to anyone, does not
    /// vote, cannot be elected by the others, and does not count towards their write concerns or majority commit point.
    /// If it is the primary it stays primary until it has not seen a majority for the election timeout, then steps
    /// down; meanwhile it accepts <c>w:1</c> writes (rolled back when it rejoins) and its <c>w:"majority"</c> writes wait
    /// and fail. The other members elect a new primary after the election timeout. Calling it again does nothing.
    /// </summary>
    public void Disconnect() => _member.Set.Disconnect(_member);

    /// <summary>
    /// Heals the partition made by <see cref="Disconnect"/>: the member rejoins the set, as a secondary if another
    /// member was elected meanwhile, and rolls back any writes the set never received before it catches up.
    /// Calling it on a connected member does nothing.
    /// </summary>
    public void Reconnect() => _member.Set.Reconnect(_member);

    /// <summary>
    /// How many times this member rolled back writes the set never received (as an old primary that rejoined after
    /// a partition, a stop, or a forced step-down).
    /// </summary>
    public int RollbackCount => _member.RolledBack.Count;

    /// <summary>
    /// The documents of a collection that this member's rollbacks undid, in the versions it held just before each
    /// rollback (what mongod writes to its <c>rollback</c> directory), oldest rollback first. Documents deleted by the
    /// undone writes are not there, as with mongod.
    /// </summary>
    public IReadOnlyList<BsonDocument> GetRolledBackDocuments(string database, string collection) =>
        _member.RolledBack.Get(database, collection);

    /// <summary>The documents of a collection as this member holds them now (its own, possibly stale, copy), in natural order.</summary>
    public IReadOnlyList<BsonDocument> GetDocuments(string database, string collection)
    {
        lock (_member.Storage.SyncRoot)
        {
            return _member.Storage.GetCollection(database, collection)?.Documents.Select(d => d.DeepClone().AsBsonDocument).ToList() ?? [];
        }
    }

    /// <summary>Steps this member down if it is the primary (as <c>replSetStepDown</c> with <c>force</c>); another member is
    /// elected.</summary>
    public async Task StepDownAsync(TimeSpan? stepDownPeriod = null, CancellationToken cancellationToken = default)
    {
        if (!_member.IsPrimary)
        {
            throw new InvalidOperationException($"Member {Host} is {Role}, not the primary; only the primary can step down.");
        }

        await _member.Set.StepDownAsync(_member, stepDownPeriod ?? TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), force: false,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the member as a crash would: its port closes and its connections drop; its data stays for a restart.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is null)
            {
                return;
            }

            await _server.DisposeAsync().ConfigureAwait(false);
            _server = null;
            _dispatcher?.Cursors.Clear();
            if (_dispatcher is not null)
            {
                Commands.ChangeStreams.ChangeStreamCursors.For(_dispatcher.Cursors).Clear();
            }
            await _member.Set.StopMemberAsync(_member).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts a stopped member on its port again; it rejoins as a secondary and catches up.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is not null)
            {
                return;
            }

            Listen(Port);
            _member.Set.StartMember(_member);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Binds the listener (port 0 = ephemeral) and returns the bound port.</summary>
    internal static WireServer Bind(IPAddress address, int port, IRequestHandler handler, ILogger logger)
    {
        try
        {
            return WireServer.Start(address, port, handler, logger);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new EmulatorPortInUseException(port, ex);
        }
    }

    internal void Attach(WireServer server, CommandDispatcher dispatcher)
    {
        _server = server;
        _dispatcher = dispatcher;
    }

    private void Listen(int port)
    {
        var dispatcher = new CommandDispatcher(_member, _registry, _loggerFactory.CreateLogger<CommandDispatcher>());
        _server = Bind(_address, port, dispatcher, _loggerFactory.CreateLogger<WireServer>());
        _dispatcher = dispatcher;
    }

    internal async ValueTask ShutdownAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
            _server = null;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Host} ({Role})";
}
