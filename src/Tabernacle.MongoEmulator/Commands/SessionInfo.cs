using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>The logical session a command runs in (<c>lsid</c>) and its retryable-write or transaction number.</summary>
internal sealed record SessionInfo(BsonDocument Lsid, string Id, long? TxnNumber, bool? Autocommit, bool StartTransaction)
{
    public static SessionInfo? From(BsonDocument command)
    {
        if (!command.TryGetValue("lsid", out var lsidValue) || lsidValue is not BsonDocument lsid)
        {
            return null;
        }

        var id = IdOf(lsid);
        long? txnNumber = command.TryGetValue("txnNumber", out var txn) && txn.IsNumeric ? txn.ToInt64() : null;
        bool? autocommit = command.TryGetValue("autocommit", out var auto) && auto.IsBoolean ? auto.AsBoolean : null;
        var start = command.TryGetValue("startTransaction", out var startValue) && startValue.ToBoolean();
        return new SessionInfo(lsid, id, txnNumber, autocommit, start);
    }

    /// <summary>The key the emulator files a session under, from its <c>lsid</c> document (<c>{ id: UUID }</c>).</summary>
    public static string IdOf(BsonDocument lsid) =>
        lsid.TryGetValue("id", out var idValue) && idValue is BsonBinaryData binary ? Convert.ToHexString(binary.Bytes) : lsid.ToJson();

    /// <summary>Whether the command belongs to a multi-document transaction (<c>autocommit: false</c>).</summary>
    public bool InTransaction => Autocommit == false && TxnNumber is not null;

    /// <summary>Whether the command is a retryable write outside a transaction.</summary>
    public bool IsRetryableWrite => TxnNumber is not null && Autocommit is null;
}
