using System.Diagnostics;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Wire;

namespace Tabernacle.MongoEmulator.Commands.Operations;

/// <summary>
/// One command in flight on a member, as <c>currentOp</c> shows it; <see cref="Kill"/> interrupts it through its
/// cancellation token, and the dispatcher turns that into mongod's 11601 Interrupted.
/// </summary>
internal sealed class RunningOperation : IDisposable
{
    private readonly CancellationTokenSource _interrupt;
    private readonly long _startedTicks = Stopwatch.GetTimestamp();

    public RunningOperation(int opId, ClientConnection connection, string database, BsonDocument command, CancellationToken stopping)
    {
        OpId = opId;
        Connection = connection;
        Database = database;
        Command = command;
        _interrupt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public int OpId { get; }

    public ClientConnection Connection { get; }

    public string Database { get; }

    public BsonDocument Command { get; }

    /// <summary>Whether the request allows an exhaust stream of replies (a streaming <c>hello</c>).</summary>
    public bool ExhaustAllowed { get; init; }

    /// <summary>Cancelled when the member stops or the operation is killed.</summary>
    public CancellationToken Token => _interrupt.Token;

    /// <summary>Whether <c>killOp</c> interrupted this operation.</summary>
    public bool Killed { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedTicks);

    public void Kill()
    {
        Killed = true;
        try
        {
            _interrupt.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished while being killed: nothing left to interrupt.
        }
    }

    public void Dispose() => _interrupt.Dispose();
}
