using System.Net;
using MongoDB.Bson;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabernacle.MongoEmulator.Commands;
using Tabernacle.MongoEmulator.Commands.Handlers;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Replication.Persistence;
using Tabernacle.MongoEmulator.Security;
using Tabernacle.MongoEmulator.Wire;

namespace Tabernacle.MongoEmulator;

/// <summary>
/// An in-process MongoDB 7.0 replica set: 1 to 7 members, each listening on its own port and speaking the wire protocol,
/// with real asynchronous replication, elections and failover. Start one with <see cref="StartAsync"/> and connect any
/// MongoDB driver to <see cref="ConnectionString"/>.
/// </summary>
/// <example>
/// <code>
/// await using var rs = await MongoReplicaSetEmulator.StartAsync(new() { Members = 3 });
/// var client = new MongoClient(rs.ConnectionString);
/// </code>
/// </example>
public sealed class MongoReplicaSetEmulator : IAsyncDisposable
{
    private readonly ReplicaSetCoordinator _set;
    private readonly List<EmulatorMember> _members;
    private readonly TtlMonitor _ttl;
    private readonly TransactionReaper _reaper;
    private readonly ReplicaSetDataDirectory? _data;
    private Lazy<Task>? _shutdown;

    private MongoReplicaSetEmulator(
        ReplicaSetCoordinator set, List<EmulatorMember> members, TtlMonitor ttl, TransactionReaper reaper, ReplicaSetDataDirectory? data)
    {
        _set = set;
        _members = members;
        _ttl = ttl;
        _reaper = reaper;
        _data = data;
    }

    /// <summary>The data directory's journals, one per member, or <c>null</c> in memory; internal, for tests.</summary>
    internal IReadOnlyList<MemberJournal>? Journals => _data?.Journals;

    /// <summary>The connection string of the whole set: <c>mongodb://127.0.0.1:p1,127.0.0.1:p2,.../?replicaSet=rs0</c>.</summary>
    public string ConnectionString => $"mongodb://{string.Join(",", _members.Select(m => m.Host))}/?replicaSet={_set.Name}";

    /// <summary>
    /// The connection string of the whole set with credentials, for a set started with
    /// <see cref="ReplicaSetEmulatorOptions.Authentication"/>: <c>mongodb://user:password@hosts/?replicaSet=rs0&amp;authSource=admin</c>.
    /// The emulator does not keep the password; this only formats what the caller passes (user and password are URI-escaped).
    /// </summary>
    /// <param name="userName">The user name.</param>
    /// <param name="password">The user's password.</param>
    /// <param name="authSource">The database that holds the user. Default <c>admin</c>.</param>
    /// <param name="authMechanism">A mechanism to force (<c>SCRAM-SHA-1</c> or <c>SCRAM-SHA-256</c>); <c>null</c> lets the driver
    /// negotiate.</param>
    public string GetConnectionString(string userName, string password, string authSource = "admin", string? authMechanism = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentException.ThrowIfNullOrEmpty(authSource);
        var mechanism = authMechanism is null ? "" : $"&authMechanism={Uri.EscapeDataString(authMechanism)}";
        return $"mongodb://{Uri.EscapeDataString(userName)}:{Uri.EscapeDataString(password)}@{string.Join(",", _members.Select(m => m.Host))}/?replicaSet={_set.Name}&authSource={Uri.EscapeDataString(authSource)}{mechanism}";
    }

    /// <summary>The job that aborts transactions past their lifetime; internal, for tests.</summary>
    internal TransactionReaper TransactionReaper => _reaper;

    internal TtlMonitor TtlMonitor => _ttl;

    /// <summary>The replica set name.</summary>
    public string ReplicaSetName => _set.Name;

    /// <summary>The members, in configuration order.</summary>
    public IReadOnlyList<EmulatorMember> Members => _members;

    /// <summary>
    /// The current primary, or <c>null</c> during an election. During a partition this is the primary of the majority
    /// side; an old primary cut off by <see cref="EmulatorMember.Disconnect"/> may still report itself primary until it
    /// steps down.
    /// </summary>
    public EmulatorMember? Primary => _set.Primary is { } primary ? _members.First(m => m.Member == primary) : null;

    /// <summary>The current election term.</summary>
    public long Term => _set.Term;

    /// <summary>Starts a replica set and returns once it has a primary.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The options ask for fewer than 1 or more than 7 members, or an invalid
    /// port.</exception>
    /// <exception cref="ArgumentException">Authentication is on without users, or a user is defined twice in one database.</exception>
    /// <exception cref="EmulatorPortInUseException">A member's port is taken.</exception>
    /// <exception cref="IOException">
    /// The <see cref="ReplicaSetEmulatorOptions.DataDirectory"/> is used by another emulator or cannot be written.
    /// </exception>
    /// <exception cref="InvalidDataException">
    /// A journal or checkpoint in the data directory is corrupt (the message names the file).
    /// </exception>
    public static async Task<MongoReplicaSetEmulator> StartAsync(ReplicaSetEmulatorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ReplicaSetEmulatorOptions();
        Validate(options);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var address = IPAddress.Parse(options.BindAddress);
        var modes = new WriteConcernModes(options.WriteConcernModes.Select(
            m => new WriteConcernMode(m.Key, new Dictionary<string, int>(m.Value, StringComparer.Ordinal))));
        var set = new ReplicaSetCoordinator(
            options.ReplicaSetName,
            options.ElectionTimeout,
            options.MaxAcceptableLogicalClockDrift,
            loggerFactory.CreateLogger<ReplicaSetCoordinator>(),
            modes,
            options.TimeProvider);
        var registry = CreateRegistry(options.Authentication is { } authentication ? new CredentialStore(authentication.Users) : null);
        var members = new List<EmulatorMember>();
        var servers = new List<WireServer>();
        ReplicaSetDataDirectory? data = null;
        try
        {
            for (var i = 0; i < options.Members; i++)
            {
                var memberOptions = i < options.MemberOptions.Count ? options.MemberOptions[i] : new EmulatorMemberOptions();
                var deferred = new DeferredRequestHandler();
                var server =
                    EmulatorMember.Bind(address, options.BasePort == 0 ? 0 : options.BasePort + i, deferred,
                        loggerFactory.CreateLogger<WireServer>());
                servers.Add(server);
                var host = $"{options.BindAddress}:{server.Port}";
                var replica = new ReplicaMember(
                    i,
                    host,
                    server.Port,
                    memberOptions.Priority,
                    memberOptions.Votes,
                    new Dictionary<string, string>(memberOptions.Tags, StringComparer.Ordinal),
                    memberOptions.ReplicationDelay ?? options.DefaultReplicationDelay,
                    set,
                    loggerFactory.CreateLogger<ReplicaMember>());
                replica.ReadCapacity = new ReadCapacity(
                    memberOptions.ReadServiceTime ?? options.DefaultReadServiceTime,
                    memberOptions.MaxConcurrentReads ?? options.DefaultMaxConcurrentReads,
                    options.TimeProvider);
                set.Add(replica);
                var dispatcher = new CommandDispatcher(replica, registry, loggerFactory.CreateLogger<CommandDispatcher>());
                deferred.Target = dispatcher;
                var member = new EmulatorMember(replica, registry, address, loggerFactory);
                member.Attach(server, dispatcher);
                members.Add(member);
            }

            // Recovery fills the members before they start, so they come up with their data, oplog and term.
            data = options.DataDirectory is { } directory
                ? ReplicaSetDataDirectory.Open(directory, set, options.CheckpointThresholdBytes, loggerFactory)
                : null;
        }
        catch
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        set.Start();
        var ttl = new TtlMonitor(set, loggerFactory.CreateLogger<TtlMonitor>());
        ttl.Start();
        var reaper = new TransactionReaper(set, loggerFactory.CreateLogger<TransactionReaper>());
        reaper.Start();
        var emulator = new MongoReplicaSetEmulator(set, members, ttl, reaper, data);
        await emulator.WaitForPrimaryAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Waits until the set has a primary (after a failover, for example) and returns it.</summary>
    /// <exception cref="TimeoutException">No primary was elected within <paramref name="timeout"/>.</exception>
    public async Task<EmulatorMember> WaitForPrimaryAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var signal = _set.ReplicationProgress.WaitTask;
            if (Primary is { } primary)
            {
                return primary;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"No primary was elected within {timeout ?? TimeSpan.FromSeconds(30)}; a majority of voting members may be down.");
            }

            await Task.WhenAny(signal,
                Task.Delay(remaining < TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100),
                    cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Steps the current primary down (it may not stand again for <paramref name="stepDownPeriod"/>, 10 s by default) and returns
    /// the newly elected primary.</summary>
    public async Task<EmulatorMember> StepDownAsync(TimeSpan? stepDownPeriod = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var primary = await WaitForPrimaryAsync(null, cancellationToken).ConfigureAwait(false);
            try
            {
                await primary.StepDownAsync(stepDownPeriod, cancellationToken).ConfigureAwait(false);
                return await WaitForPrimaryAsync(null, cancellationToken).ConfigureAwait(false);
            }
            catch (Errors.MongoErrorException ex) when (ex.Code == Errors.ErrorCodes.NotWritablePrimary)
            {
                // Another election (a priority takeover, say) replaced the primary in between: step down the new one.
            }
            catch (InvalidOperationException) when (primary.Role != EmulatorMemberRole.Primary)
            {
                // Same race, seen before the step-down started.
            }
        }
    }

    /// <summary>Waits until every running member that is not paused or cut off has applied everything the primary has written.</summary>
    public async Task WaitForReplicationAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var signal = _set.ReplicationProgress.WaitTask;
            var primary = _set.Primary;
            // Members cut off by a partition cannot catch up, and one that diverged holds a later optime of another
            // history, so caught up means holding the primary's last entry.
            var caughtUp = _set.Members
                .Where(m => m.IsRunning && !m.IsReplicationPaused && !_set.IsCutOff(m))
                .All(m => m.Oplog.Contains(primary?.LastApplied ?? OpTime.Null));
            if (primary is not null && caughtUp)
            {
                return;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException("The members did not catch up with the primary in time.");
            }

            await Task.WhenAny(signal,
                Task.Delay(remaining < TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100),
                    cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Stops every member and frees their ports.</summary>
    public ValueTask DisposeAsync()
    {
        // Every caller (the application's host and its own code, say) waits for the one shutdown to finish, so that
        // when any DisposeAsync returns the ports are closed and the data directory's lock is released.
        var shutdown = new Lazy<Task>(ShutdownAsync);
        return new ValueTask((Interlocked.CompareExchange(ref _shutdown, shutdown, null) ?? shutdown).Value);
    }

    private async Task ShutdownAsync()
    {
        await _ttl.DisposeAsync().ConfigureAwait(false);
        await _reaper.DisposeAsync().ConfigureAwait(false);
        foreach (var member in _members)
        {
            await member.ShutdownAsync().ConfigureAwait(false);
        }

        await _set.DisposeAsync().ConfigureAwait(false);
        _data?.Dispose();
    }

    private static void Validate(ReplicaSetEmulatorOptions options)
    {
        if (options.Members is < 1 or > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Members,
                "A replica set emulator has 1 to 7 members (MongoDB allows at most 7 voting members).");
        }

        if (options.BasePort is < 0 or > 65535 || (options.BasePort > 0 && options.BasePort + options.Members - 1 > 65535))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BasePort,
                "BasePort must be 0 (ephemeral ports) or a port such that every member's port is at most 65535.");
        }

        if (options.DataDirectory is { } data && string.IsNullOrWhiteSpace(data))
        {
            throw new ArgumentException("DataDirectory must be null (in memory) or a folder path.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.ReplicaSetName))
        {
            throw new ArgumentException("ReplicaSetName must not be empty.", nameof(options));
        }

        if (!IPAddress.TryParse(options.BindAddress, out _))
        {
            throw new ArgumentException($"BindAddress '{options.BindAddress}' is not an IP address.", nameof(options));
        }

        if (options.TimeProvider is null)
        {
            throw new ArgumentException("TimeProvider must not be null; TimeProvider.System is the default.", nameof(options));
        }

        if (options.ElectionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ElectionTimeout, "ElectionTimeout must be positive.");
        }

        if (options.MaxAcceptableLogicalClockDrift < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAcceptableLogicalClockDrift,
                "MaxAcceptableLogicalClockDrift must be at least one second (mongod refuses a zero or negative " +
                    "maxAcceptableLogicalClockDriftSecs).");
        }

        if (options.DefaultReadServiceTime < TimeSpan.Zero || options.MemberOptions.Any(m => m.ReadServiceTime < TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Read service times must not be negative.");
        }

        if (options.DefaultMaxConcurrentReads < 0 || options.MemberOptions.Any(m => m.MaxConcurrentReads < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Read concurrency limits must be 0 (unlimited) or positive.");
        }

        if (options.MemberOptions.Count > options.Members)
        {
            throw new ArgumentException(
                $"MemberOptions has {options.MemberOptions.Count} entries but the set has only {options.Members} members.",
                    nameof(options));
        }

        ValidateWriteConcernModes(options);
        if (!options.MemberOptions.Any(m => m.Priority > 0) && options.MemberOptions.Count == options.Members)
        {
            throw new ArgumentException("At least one member needs a priority above 0, or no primary can ever be elected.",
                nameof(options));
        }
    }

    // As mongod's replica-set configuration check: modes name tags some member has, with positive counts, and
    // "majority" stays the built-in mode.
    private static void ValidateWriteConcernModes(ReplicaSetEmulatorOptions options)
    {
        foreach (var (name, constraints) in options.WriteConcernModes)
        {
            if (string.IsNullOrEmpty(name) || name == "majority" || constraints is null || constraints.Count == 0)
            {
                throw new ArgumentException(
                    $"Write concern mode '{name}' needs a name other than 'majority' and at least one tag.", nameof(options));
            }

            foreach (var (tag, count) in constraints)
            {
                if (count < 1)
                {
                    throw new ArgumentException(
                        $"Write concern mode '{name}' must ask for at least 1 value of tag '{tag}', not {count}.", nameof(options));
                }

                if (!options.MemberOptions.Any(m => m.Tags.ContainsKey(tag)))
                {
                    throw new ArgumentException(
                        $"Write concern mode '{name}' names tag '{tag}', which no member has (mongod: NoSuchKey).", nameof(options));
                }
            }
        }
    }

    private static CommandRegistry CreateRegistry(CredentialStore? credentials) => new(
    [
        new HelloCommand(credentials),
        new SaslStartCommand(credentials),
        new SaslContinueCommand(credentials),
        new AuthenticateCommand(),
        new LogoutCommand(),
        new ConnectionStatusCommand(),
        new PingCommand(),
        new BuildInfoCommand(),
        new GetParameterCommand(),
        new SetParameterCommand(),
        new ServerStatusCommand(),
        new CurrentOpCommand(),
        new KillOpCommand(),
        new CollStatsCommand(),
        new ExplainCommand(),
        new DbStatsCommand(),
        new SessionCommands(),
        new SessionCleanupCommands(),
        new ReplSetGetStatusCommand(),
        new ReplSetGetConfigCommand(),
        new ReplSetStepDownCommand(),
        new ReplSetFreezeCommand(),
        new ConfigureFailPointCommand(),
        new FindCommand(),
        new GetMoreCommand(),
        new KillCursorsCommand(),
        new InsertCommand(),
        new UpdateCommand(),
        new DeleteCommand(),
        new FindAndModifyCommand(),
        new AggregateCommand(),
        new RenameCollectionCommand(),
        new CollModCommand(),
        new CountCommand(),
        new DistinctCommand(),
        new MapReduceCommand(),
        new ListDatabasesCommand(),
        new ListCollectionsCommand(),
        new CreateCommand(),
        new DropCommand(),
        new DropDatabaseCommand(),
        new CreateIndexesCommand(),
        new ListIndexesCommand(),
        new DropIndexesCommand(),
        new CommitTransactionCommand(),
        new AbortTransactionCommand(),
    ])
    {
        Credentials = credentials,
    };

    /// <summary>Lets a listener be bound (to learn its port) before the member that will answer on it exists.</summary>
    private sealed class DeferredRequestHandler : IRequestHandler
    {
        public IRequestHandler? Target { get; set; }

        public Task<BsonDocument> HandleAsync(WireRequest request, ClientConnection connection, CancellationToken cancellationToken) =>
            (Target ?? throw new InvalidOperationException("member is not initialised yet")).HandleAsync(request, connection,
                cancellationToken);

        public WireRequest? NextStreamedRequest(WireRequest request, BsonDocument reply) => Target?.NextStreamedRequest(request, reply);

        public void ConnectionOpened(ClientConnection connection) => Target?.ConnectionOpened(connection);

        public void ConnectionClosed(ClientConnection connection) => Target?.ConnectionClosed(connection);
    }
}
