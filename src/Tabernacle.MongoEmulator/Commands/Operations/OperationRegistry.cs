using System.Collections.Concurrent;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Wire;

namespace Tabernacle.MongoEmulator.Commands.Operations;

/// <summary>
/// The operations in flight and the client connections of one member: what <c>currentOp</c>, <c>$currentOp</c> and
/// serverStatus's <c>connections</c> report, and what <c>killOp</c> interrupts.
/// </summary>
internal sealed class OperationRegistry
{
    // mongod numbers operations per process; one counter for every member keeps ids unique in the process too.
    private static int s_nextOpId;

    private readonly ConcurrentDictionary<int, RunningOperation> _running = new();
    private readonly ConcurrentDictionary<long, ClientConnection> _connections = new();
    private long _totalCreated;

    /// <summary>The sessions commands used on this member (<c>$listLocalSessions</c>).</summary>
    public LocalSessionCache Sessions { get; } = new();

    public int CurrentConnections => _connections.Count;

    public long TotalConnectionsCreated => Interlocked.Read(ref _totalCreated);

    public IReadOnlyCollection<ClientConnection> Connections => [.. _connections.Values];

    public IReadOnlyCollection<RunningOperation> Running => [.. _running.Values];

    public void Opened(ClientConnection connection)
    {
        Interlocked.Increment(ref _totalCreated);
        _connections[connection.Id] = connection;
    }

    public void Closed(ClientConnection connection) => _connections.TryRemove(connection.Id, out _);

    /// <summary>Registers a command as it starts; disposing the result unregisters it.</summary>
    public Registration Begin(
        ClientConnection connection, string database, BsonDocument command, bool exhaustAllowed, CancellationToken stopping)
    {
        // A connection that sent a command before the registry saw it open (a member's first requests) still counts.
        if (_connections.TryAdd(connection.Id, connection))
        {
            Interlocked.Increment(ref _totalCreated);
        }

        var operation = new RunningOperation(Interlocked.Increment(ref s_nextOpId), connection, database, command, stopping)
        {
            ExhaustAllowed = exhaustAllowed,
        };
        _running[operation.OpId] = operation;
        return new Registration(this, operation);
    }

    /// <summary>Interrupts the operation with this id, if it is still running; killOp succeeds either way, as on mongod.</summary>
    public bool Kill(int opId)
    {
        if (!_running.TryGetValue(opId, out var operation))
        {
            return false;
        }

        operation.Kill();
        return true;
    }

    internal readonly struct Registration(OperationRegistry registry, RunningOperation operation) : IDisposable
    {
        public RunningOperation Operation => operation;

        public void Dispose()
        {
            registry._running.TryRemove(operation.OpId, out _);
            operation.Dispose();
        }
    }
}
