using System.Collections.Concurrent;

namespace Tabernacle.Chaos;

/// <summary>What a client did. One kind per row of the summary.</summary>
internal enum OpKind
{
    /// <summary>Insert of a unique value at <c>w:1</c>.</summary>
    InsertW1,

    /// <summary>Insert of a unique value at <c>w:majority</c>.</summary>
    InsertMajority,

    /// <summary>Retryable update: <c>$inc</c> a register's counter and <c>$push</c> a unique value, <c>w:majority</c>.</summary>
    RegisterPush,

    /// <summary>Multi-document transaction moving money between two accounts and recording the transfer.</summary>
    Transfer,

    /// <summary>Transaction lending a copy of a book: available − 1 (only if above 0) and an active loan.</summary>
    Borrow,

    /// <summary>The same borrow through the provider: execution strategy, transaction, ExecuteUpdate, SaveChanges.</summary>
    ProviderBorrow,

    /// <summary>Transaction returning a loan the client holds: the loan inactive and available + 1.</summary>
    Return,

    /// <summary>Causally consistent read of the client's own values.</summary>
    Read,
}

/// <summary>
/// The outcome as the client knows it, after Jepsen's ok / fail / info: <see cref="Unknown"/> means the operation may or
/// may not have taken effect (a timeout, a network error, a write-concern error, UnknownTransactionCommitResult).
/// </summary>
internal enum Outcome
{
    Ok,
    Fail,
    Unknown,
}

/// <summary>
/// One completed operation: its invocation and completion (Jepsen records them as two events; one record with both
/// times is all the checks below need), the arguments and what the client saw.
/// </summary>
/// <remarks>
/// <see cref="Value"/> is the unique value an insert or a push writes, or a transfer's id. A read's
/// <see cref="Target"/> is <c>inserts</c> or a register id and <see cref="Seen"/> holds the client's own values it
/// saw there.
/// </remarks>
internal sealed record Operation
{
    public required long Id { get; init; }

    public required int Client { get; init; }

    public required OpKind Kind { get; init; }

    public required TimeSpan Invoked { get; init; }

    public TimeSpan Completed { get; init; }

    public Outcome Outcome { get; init; }

    public string? Error { get; init; }

    public string? Value { get; init; }

    public string? Target { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    public int Amount { get; init; }

    public string? ReadPreference { get; init; }

    public string? ReadConcern { get; init; }

    public IReadOnlyList<string>? Seen { get; init; }

    public override string ToString()
    {
        var args = Kind switch
        {
            OpKind.InsertW1 or OpKind.InsertMajority => $"value={Value}",
            OpKind.RegisterPush => $"register={Target} value={Value}",
            OpKind.Transfer => $"txn={Value} {From}->{To} amount={Amount}",
            OpKind.Borrow or OpKind.ProviderBorrow or OpKind.Return => $"loan={Value} book={Target}",
            _ => $"target={Target} {ReadPreference}/{ReadConcern} saw {Seen?.Count ?? 0}",
        };
        var error = Error is null ? "" : $" ({Error})";
        return $"op {Id} client {Client} {Kind} {args} {Outcome}{error} [{Invoked.TotalSeconds:F3}s-{Completed.TotalSeconds:F3}s]";
    }
}

/// <summary>The history of a run: every operation, appended concurrently by the clients.</summary>
internal sealed class History
{
    private readonly ConcurrentQueue<Operation> _operations = new();
    private long _nextId;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public void Add(Operation operation) => _operations.Enqueue(operation);

    /// <summary>The operations ordered by invocation time, then id.</summary>
    public IReadOnlyList<Operation> Operations => [.. _operations.OrderBy(o => o.Invoked).ThenBy(o => o.Id)];
}
