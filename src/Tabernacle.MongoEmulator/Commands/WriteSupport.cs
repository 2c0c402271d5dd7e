using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>What every write command shares: retryable statements, document checks, and waiting for the write concern.</summary>
internal static class WriteSupport
{
    /// <summary>When the command's maxTimeMS runs out, or <c>null</c> without one.</summary>
    public static DateTime? Deadline(CommandContext context) => context.MaxTime is { } maxTime ? context.Set.UtcNow + maxTime : null;

    /// <summary>
    /// The documents a write statement changes, once no open transaction holds any of them: a write outside a
    /// transaction waits for the transaction (bounded by maxTimeMS), then matches again against what it left.
    /// </summary>

    public static List<(BsonDocument Document, MatchDetails Details)> MatchForWrite(CommandContext context, IDocumentWriter unit,
        string collection, QueryFilter filter, CollectionIndex? hint)
    {
        var deadline = Deadline(context);
        while (true)
        {
            var matches = ReadSupport.Match(unit, context.Database, collection, filter, hint, context.CancellationToken);
            if (!unit.WaitForTransactions(context.Database, collection, matches.Select(m => m.Document["_id"]), deadline,
                context.CancellationToken))
            {
                return matches;
            }
        }
    }

    /// <summary>The result a retried statement already produced on this member, or <c>null</c> when it must run.</summary>
    public static BsonDocument? ExecutedResult(CommandContext context, int statementId) =>
        context.Session is { IsRetryableWrite: true } session
            ? context.RetryableWrites.Find(session.Id, session.TxnNumber!.Value, statementId)
            : null;

    /// <summary>The statement record to log with a write, so that every member can answer its retry; <c>null</c> for non-retryable
    /// writes.</summary>
    public static RetryableStatement? Statement(CommandContext context, int statementId, BsonDocument result) =>
        context.Session is { IsRetryableWrite: true } session
            ? new RetryableStatement(session.Id, session.TxnNumber!.Value, statementId, result)
            : null;

    public static WriteConcernSpec WriteConcern(CommandContext context) =>
        WriteConcernSpec.Parse(context.Command.GetValue("writeConcern", BsonNull.Value), context.Set.WriteConcernModes);

    /// <summary>
    /// Waits for the command's write concern on <paramref name="opTime"/> (or on the member's last optime when a retry
    /// found every statement already executed), then sets the reply's operationTime and any <c>writeConcernError</c>.
    /// </summary>
    public static async Task CompleteAsync(CommandContext context, OpTime? opTime, BsonDocument reply, IMemberStatus? writer = null)
    {
        var concern = WriteConcern(context);
        var target = opTime ?? context.Self.LastApplied;
        context.OperationTime = target;

        // As mongod's client lastOp: a write, or a write that changed nothing, moves it to the time it waits for.
        // Statements inside a transaction write nothing to the oplog until the commit.
        if (context.Transaction is null)
        {
            context.Connection.LastOpTime = (target.Timestamp, target.Term);
        }
        if (concern.IsUnacknowledged || context.Transaction is not null)
        {
            // Statements inside a transaction are acknowledged at once; the commit waits for the write concern.
            return;
        }

        var error = await context.WaitForWriteConcernAsync(target, concern, writer)
            .ConfigureAwait(false);
        if (error is not null)
        {
            reply["writeConcernError"] = WithConcernUsed(error, concern, context.Command.Contains("writeConcern"));
        }
    }

    /// <summary>
    /// mongod (CommandHelpers::appendCommandWCStatus) reports in <c>errInfo.writeConcern</c> the write concern it
    /// waited for, with its <c>wtimeout</c> (0 when none) and where it came from.
    /// </summary>
    private static BsonDocument WithConcernUsed(BsonDocument error, WriteConcernSpec concern, bool clientSupplied)
    {
        var used = new BsonDocument
        {
            { "w", concern.Majority ? "majority" : (BsonValue)(concern.W ?? 1) },
            { "wtimeout", concern.WTimeout is { } timeout ? (int)timeout.TotalMilliseconds : 0 },
            { "provenance", clientSupplied ? "clientSupplied" : "implicitDefault" },
        };
        var info = error.TryGetValue("errInfo", out var existing) && existing is BsonDocument document ? document : [];
        info["writeConcern"] = used;
        error["errInfo"] = info;
        return error;
    }

    /// <summary>Adds a generated ObjectId <c>_id</c> when missing, moves <c>_id</c> first, and enforces MongoDB's document rules.</summary>
    public static BsonDocument PrepareForInsert(BsonDocument document)
    {
        BsonDocument prepared;
        if (!document.TryGetValue("_id", out var id))
        {
            prepared = new BsonDocument("_id", ObjectId.GenerateNewId()).AddRange(document);
        }
        else if (document.GetElement(0).Name != "_id")
        {
            prepared = new BsonDocument("_id", id).AddRange(document.Where(e => e.Name != "_id"));
        }
        else
        {
            prepared = document;
        }

        CheckId(prepared["_id"]);
        if (!IsWithinStorageDepth(prepared))
        {
            throw new MongoErrorException(ErrorCodes.Overflow,
                $"cannot insert document because it exceeds {MaxStorageDepth} levels of nesting");
        }

        CheckSize(prepared);
        return prepared;
    }

    public static void CheckId(BsonValue id)
    {
        switch (id.BsonType)
        {
            case BsonType.Array:
                throw new MongoErrorException(ErrorCodes.InvalidIdField, $"The '_id' value cannot be of type array");
            case BsonType.RegularExpression:
                throw new MongoErrorException(ErrorCodes.InvalidIdField, "can't use a regex for _id");
            case BsonType.Undefined:
                throw new MongoErrorException(ErrorCodes.InvalidIdField, "can't use a undefined for _id");
            case BsonType.Document when DollarPrefixedField(id.AsBsonDocument) is { } field:
                // mongod 7.0's validIdField: an _id object is checked as stored embedded documents are (5.0 allowed
                // $-prefixed names elsewhere, never inside _id).
                throw new MongoErrorException(
                    ErrorCodes.DollarPrefixedFieldName,
                        $"_id fields may not contain '$'-prefixed fields: {field} is not valid for storage.");
        }
    }

    // The first $-prefixed field name at any depth of an _id object; DBRef's own fields ($ref, $id, $db) are allowed.
    private static string? DollarPrefixedField(BsonDocument document)
    {
        foreach (var element in document)
        {
            if (element.Name.StartsWith('$') && element.Name is not ("$ref" or "$id" or "$db"))
            {
                return element.Name;
            }

            var nested = element.Value switch
            {
                BsonDocument inner => DollarPrefixedField(inner),
                BsonArray array => array.OfType<BsonDocument>().Select(DollarPrefixedField).FirstOrDefault(f => f is not null),
                _ => null,
            };
            if (nested is not null)
            {
                return nested;
            }
        }

        return null;
    }

    /// <summary>mongod's <c>BSONDepth::getMaxDepthForUserStorage()</c>: stored documents nest at most 100 levels.</summary>
    public const int MaxStorageDepth = 100;

    /// <summary>
    /// Whether <paramref name="document"/> nests at most <see cref="MaxStorageDepth"/> levels, the top level counting
    /// as 1 and empty sub-documents and arrays not counting, as mongod checks before it stores a document.
    /// </summary>
    public static bool IsWithinStorageDepth(BsonDocument document)
    {
        var pending = new Stack<(BsonValue Value, int Depth)>();
        pending.Push((document, 1));
        while (pending.Count > 0)
        {
            var (value, depth) = pending.Pop();
            IEnumerable<BsonValue> children = value switch
            {
                BsonDocument d => d.Values,
                BsonArray a => a,
                _ => [],
            };
            foreach (var child in children)
            {
                if (child is BsonDocument { ElementCount: > 0 } or BsonArray { Count: > 0 })
                {
                    if (depth + 1 > MaxStorageDepth)
                    {
                        return false;
                    }

                    pending.Push((child, depth + 1));
                }
            }
        }

        return true;
    }

    /// <summary>Enforces the stored-document limits on an updated or replacing document: nesting depth, then size.</summary>
    public static void CheckSize(BsonDocument document)
    {
        if (!IsWithinStorageDepth(document))
        {
            throw new MongoErrorException(ErrorCodes.Overflow, $"Document exceeds maximum nesting depth of {MaxStorageDepth}");
        }

        var size = document.ToBson().Length;
        if (size > HandlersLimits.MaxDocumentSize)
        {
            throw new MongoErrorException(ErrorCodes.BSONObjectTooLarge,
                $"object to insert too large. size in bytes: {size}, max size: {HandlersLimits.MaxDocumentSize}");
        }
    }

    /// <summary>
    /// Whether an error belongs in <c>writeErrors</c> (duplicate key, type errors...) rather than failing the whole
    /// command: write conflicts and lost transactions are command errors, so drivers see their labels.
    /// </summary>
    /// <summary>
    /// mongod's <c>onPrimaryTransactionalWrite</c> fail point, for a retryable write (lsid and txnNumber outside a
    /// transaction) about to commit: with <c>failBeforeCommitExceptionCode</c> the write fails with that code before
    /// anything is written; with <c>closeConnection</c> (the default) the connection closes instead of the reply, after
    /// the write when it was let through. Called once per insert command and once per update or delete statement.
    /// </summary>
    public static void OnPrimaryTransactionalWrite(CommandContext context)
    {
        if (context.Session is not { IsRetryableWrite: true } session
            || context.Self.FailPoints.Get(FailPointRegistry.OnPrimaryTransactionalWrite).TryTrigger() is not { } data)
        {
            return;
        }

        if (!data.TryGetValue("closeConnection", out var close) || close.ToBoolean())
        {
            context.Connection.CloseRequested = true;
        }

        if (data.TryGetValue("failBeforeCommitExceptionCode", out var code) && code.IsNumeric)
        {
            throw new MongoErrorException(
                code.ToInt32(), $"Failing write for {session.Id}:{session.TxnNumber} due to failpoint. The write must not be reflected.");
        }
    }

    /// <summary>Views are read-only: a write to one fails with 166, as mongod refuses it when it opens the namespace.</summary>
    public static void RefuseView(IDocumentWriter unit, string database, string collection)
    {
        if (unit.Collection(database, collection) is { } store && store.Options.Contains("viewOn"))
        {
            throw new MongoErrorException(
                ErrorCodes.CommandNotSupportedOnView, $"Namespace {database}.{collection} is a view, not a collection");
        }
    }

    public static bool IsStatementError(MongoErrorException error) =>
        error.Code
            is not (ErrorCodes.WriteConflict or ErrorCodes.NoSuchTransaction or ErrorCodes.NotWritablePrimary
                or ErrorCodes.InterruptedDueToReplStateChange);

    /// <summary>A <c>writeErrors</c> entry for statement <paramref name="index"/>.</summary>
    public static BsonDocument WriteError(int index, MongoErrorException error)
    {
        var document =
            new BsonDocument { { "index", index }, { "code", error.Code }, { "codeName", error.CodeName }, { "errmsg", error.Message } };
        if (error.ExtraInfo is not null)
        {
            document.AddRange(error.ExtraInfo);
        }

        return document;
    }
}

internal static class HandlersLimits
{
    public const int MaxDocumentSize = 16 * 1024 * 1024;
}
