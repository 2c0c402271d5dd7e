using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The statements of retryable writes each member has executed, keyed by (session, txnNumber). It is filled by the same
/// oplog entries that carry the writes, so a new primary knows exactly which statements of a retried write it already has.
/// </summary>
internal sealed class RetryableWriteTable
{
    private readonly Dictionary<(string Session, long TxnNumber), Dictionary<int, BsonDocument>> _executed = [];
    private readonly object _gate = new();

    public void Record(RetryableStatement statement)
    {
        lock (_gate)
        {
            var key = (statement.SessionId, statement.TxnNumber);
            if (!_executed.TryGetValue(key, out var statements))
            {
                statements = [];
                _executed[key] = statements;
            }

            statements[statement.StatementId] = statement.Result;
        }
    }

    /// <summary>The recorded result of statement <paramref name="statementId"/> of the write, or <c>null</c> when it has not run here.</summary>
    public BsonDocument? Find(string session, long txnNumber, int statementId)
    {
        lock (_gate)
        {
            return _executed.TryGetValue((session, txnNumber), out var statements) && statements.TryGetValue(statementId, out var result) ? result : null;
        }
    }

    public void CopyFrom(RetryableWriteTable source)
    {
        lock (source._gate)
        {
            lock (_gate)
            {
                _executed.Clear();
                foreach (var (key, statements) in source._executed)
                {
                    _executed[key] = new Dictionary<int, BsonDocument>(statements);
                }
            }
        }
    }
}
