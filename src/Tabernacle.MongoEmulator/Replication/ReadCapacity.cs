namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// A member's simulated read capacity: at most <c>limit</c> reads in service at once, each holding its slot for the
/// service time, the rest queued in arrival order. It lets members on one machine saturate independently, the way
/// separate servers do, so that read routing can be measured. Counts in-service and waiting reads and their peaks.
/// </summary>
internal sealed class ReadCapacity
{
    private readonly SemaphoreSlim? _slots;
    private int _inService;
    private int _waiting;
    private int _peakInService;
    private int _peakWaiting;
    private long _served;
    private readonly TimeProvider _time;

    public ReadCapacity(TimeSpan serviceTime, int limit, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ServiceTime = serviceTime;
        Limit = limit;
        _slots = limit > 0 ? new SemaphoreSlim(limit, limit) : null;
    }

    /// <summary>No added time and no limit: reads pass straight through (only the served count is kept).</summary>
    public static ReadCapacity Unlimited => new(TimeSpan.Zero, 0);

    public TimeSpan ServiceTime { get; }

    /// <summary>Reads served at once; 0 = unlimited.</summary>
    public int Limit { get; }

    /// <summary>Runs <paramref name="read"/> in a slot: waits for one, holds it for the service time and the read itself.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        if (_slots is null && ServiceTime == TimeSpan.Zero)
        {
            var direct = await read().ConfigureAwait(false);
            Interlocked.Increment(ref _served);
            return direct;
        }

        if (_slots is not null)
        {
            Raise(ref _peakWaiting, Interlocked.Increment(ref _waiting));
            try
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Raise(ref _peakInService, Interlocked.Increment(ref _inService));
        try
        {
            if (ServiceTime > TimeSpan.Zero)
            {
                await Task.Delay(ServiceTime, _time, cancellationToken).ConfigureAwait(false);
            }

            var result = await read().ConfigureAwait(false);
            Interlocked.Increment(ref _served);
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _inService);
            _slots?.Release();
        }
    }

    public EmulatorReadLoad Snapshot() =>
        new(Volatile.Read(ref _inService), Volatile.Read(ref _waiting), Volatile.Read(ref _peakInService), Volatile.Read(ref _peakWaiting),
            Interlocked.Read(ref _served));

    public void ResetPeaks()
    {
        Volatile.Write(ref _peakInService, Volatile.Read(ref _inService));
        Volatile.Write(ref _peakWaiting, Volatile.Read(ref _waiting));
        Interlocked.Exchange(ref _served, 0);
    }

    private static void Raise(ref int peak, int value)
    {
        var current = Volatile.Read(ref peak);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref peak, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
