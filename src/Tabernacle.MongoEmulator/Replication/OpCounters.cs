namespace Tabernacle.MongoEmulator.Replication;

/// <summary>serverStatus's <c>opcounters</c> (or <c>opcountersRepl</c>) of one member; thread-safe.</summary>
internal sealed class OpCounters
{
    private long _insert;
    private long _query;
    private long _update;
    private long _delete;
    private long _getMore;
    private long _command;

    public long Insert => Interlocked.Read(ref _insert);

    public long Query => Interlocked.Read(ref _query);

    public long Update => Interlocked.Read(ref _update);

    public long Delete => Interlocked.Read(ref _delete);

    public long GetMore => Interlocked.Read(ref _getMore);

    public long Command => Interlocked.Read(ref _command);

    public void AddInsert(long count) => Interlocked.Add(ref _insert, count);

    public void AddQuery() => Interlocked.Increment(ref _query);

    public void AddUpdate(long count) => Interlocked.Add(ref _update, count);

    public void AddDelete(long count) => Interlocked.Add(ref _delete, count);

    public void AddGetMore() => Interlocked.Increment(ref _getMore);

    public void AddCommand() => Interlocked.Increment(ref _command);

    /// <summary>Counts an oplog entry a secondary applied, as mongod's opcountersRepl (each change of an applyOps by its kind).</summary>
    public void CountApplied(OplogEntry entry)
    {
        switch (entry.Operation)
        {
            case OplogOperation.Insert:
                AddInsert(1);
                break;
            case OplogOperation.Update:
                AddUpdate(1);
                break;
            case OplogOperation.Delete:
                AddDelete(1);
                break;
            case OplogOperation.Command:
                AddCommand();
                break;
            case OplogOperation.ApplyOps:
                foreach (var change in TransactionChange.FromApplyOps(entry.Document!))
                {
                    if (change.Document is null)
                    {
                        AddDelete(1);
                    }
                    else
                    {
                        AddUpdate(1);
                    }
                }

                break;
        }
    }
}
