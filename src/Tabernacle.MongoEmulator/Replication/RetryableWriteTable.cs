using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The statements of retryable writes each member has executed: per session, those of its latest transaction number
/// only, as mongod's <c>config.transactions</c> keeps one record per session. A session's new write replaces its last
/// one's statements, so the table grows with the sessions, not with the writes; a retry of an older write is
/// TransactionTooOld. It is filled by the same oplog entries that carry the writes, so a new primary knows exactly
/// which statements of a retried write it already has.
/// </summary>
internal sealed class RetryableWriteTable
{
    private readonly Dictionary<string, (long TxnNumber, Dictionary<int, BsonDocument> Statements)> _executed = [];
    private readonly object _gate = new();

    /// <summary>How many sessions have a record (what the table's size grows with).</summary>
    public int Sessions
    {
        get
        {
            lock (_gate)
            {
                return _executed.Count;
            }
        }
    }

    public void Record(RetryableStatement statement)
    {
        lock (_gate)
        {
            if (!_executed.TryGetValue(statement.SessionId, out var record) || record.TxnNumber < statement.TxnNumber)
            {
                record = (statement.TxnNumber, []);
                _executed[statement.SessionId] = record;
            }
            else if (record.TxnNumber > statement.TxnNumber)
            {
                // An older write of the session, replayed from the oplog after a newer one: nothing can retry it.
                return;
            }

            record.Statements[statement.StatementId] = statement.Result;
        }
    }

    /// <summary>
    /// The recorded result of statement <paramref name="statementId"/> of the write, or <c>null</c> when it has not run
    /// here. A write older than the session's latest is TransactionTooOld, as on mongod: its results are gone, and
    /// running it again could apply it twice.
    /// </summary>
    public BsonDocument? Find(string session, long txnNumber, int statementId)
    {
        lock (_gate)
        {
            if (!_executed.TryGetValue(session, out var record))
            {
                return null;
            }

            if (record.TxnNumber > txnNumber)
            {
                throw new MongoErrorException(
                    ErrorCodes.TransactionTooOld,
                    $"Retryable write with txnNumber {txnNumber} is prohibited on session {session} because a newer retryable write " +
                    $"with txnNumber {record.TxnNumber} has already started on this session.");
            }

            return record.TxnNumber == txnNumber && record.Statements.TryGetValue(statementId, out var result) ? result : null;
        }
    }

    public void CopyFrom(RetryableWriteTable source)
    {
        lock (source._gate)
        {
            lock (_gate)
            {
                _executed.Clear();
                foreach (var (session, record) in source._executed)
                {
                    _executed[session] = (record.TxnNumber, new Dictionary<int, BsonDocument>(record.Statements));
                }
            }
        }
    }
}
