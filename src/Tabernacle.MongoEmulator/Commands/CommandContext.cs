using MongoDB.Bson;
using Tabernacle.MongoEmulator.Commands.Cursors;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Wire;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>Everything a handler needs to run one command on one member.</summary>
internal sealed class CommandContext
{
    public CommandContext(ReplicaMember member, CursorManager cursors, ClientConnection connection, WireRequest request, string database,
        CancellationToken cancellationToken)
    {
        _member = member;
        Cursors = cursors;
        Connection = connection;
        Request = request;
        Database = database;
        Command = request.Command;
        CommandName = request.Command.ElementCount > 0 ? request.Command.GetElement(0).Name : "";
        Session = SessionInfo.From(request.Command);
        CancellationToken = cancellationToken;
    }

    // The member itself stays private: handlers read and write its data only through the operations below, which
    // Replication implements (MemberGate, ReplicaMember.Write), and see its state only through Self.
    private readonly ReplicaMember _member;

    /// <summary>The member this command runs on, as a read-only view of its role, optimes, counters and signals.</summary>
    public IMemberStatus Self => _member;

    public ReplicaSetCoordinator Set => _member.Set;

    /// <summary>
    /// The member's transaction table, catalog reads and commits, each under its storage lock (taken in Replication,
    /// never by a handler).
    /// </summary>
    public MemberGate Gate => _member.Gate;

    /// <summary>The member's table of executed retryable-write statements.</summary>
    public RetryableWriteTable RetryableWrites => _member.RetryableWrites;

    /// <summary>Whether this member can talk to <paramref name="other"/> (both in the same partition, or the same member).</summary>
    public bool Reaches(IMemberStatus other) => Set.Reaches(_member, (ReplicaMember)other);

    /// <summary>The majority commit point as this member knows it.</summary>
    public OpTime CommitPoint => Set.CommitPointFor(_member);

    /// <summary>Opens a change stream over this member's oplog.</summary>
    public Replication.ChangeStreams.ChangeStreamReader OpenChangeStream(
        Replication.ChangeStreams.ChangeStreamSpec spec, Query.Aggregation.AggregationPipeline? pipeline) =>
        new(spec, _member, pipeline);

    /// <summary>
    /// Waits until the write at <paramref name="opTime"/> satisfies <paramref name="concern"/>, as seen from this member,
    /// or from <paramref name="writer"/> when another member wrote it (the primary that ran a secondary's <c>$out</c>).
    /// </summary>
    public Task<BsonDocument?> WaitForWriteConcernAsync(OpTime opTime, WriteConcernSpec concern, IMemberStatus? writer = null) =>
        Set.WaitForWriteConcernAsync((ReplicaMember?)writer ?? _member, opTime, concern, CancellationToken);

    /// <summary>
    /// Runs a write on the set's primary, applied and logged at once: this member if it is primary, otherwise the one it
    /// knows (a secondary's <c>$out</c>/<c>$merge</c>, which mongod forwards). Returns the result and the member that wrote.
    /// </summary>
    public (T Result, IMemberStatus Writer) WriteOnPrimary<T>(Func<WriteUnit, T> write)
    {
        var writer = _member.IsPrimary ? _member : Set.Primary
            ?? throw new MongoErrorException(ErrorCodes.NotWritablePrimary,
                "not primary and no primary to write the results of the aggregation to");
        return (writer.Write(write), writer);
    }

    /// <summary>Steps this member down (<c>replSetStepDown</c>).</summary>
    public Task StepDownAsync(TimeSpan stepDownPeriod, TimeSpan catchUp, bool force) =>
        Set.StepDownAsync(_member, stepDownPeriod, catchUp, force, CancellationToken);

    /// <summary>Keeps this member from standing for election for <paramref name="period"/> (<c>replSetFreeze</c>).</summary>
    public void Freeze(TimeSpan period) => Set.Freeze(_member, period);

    public CursorManager Cursors { get; }

    /// <summary>The member's operations in flight and connections (<c>currentOp</c>, <c>killOp</c>, serverStatus).</summary>
    public Operations.OperationRegistry? Operations { get; init; }

    public ClientConnection Connection { get; }

    public WireRequest Request { get; }

    public string Database { get; }

    public BsonDocument Command { get; }

    public string CommandName { get; }

    public SessionInfo? Session { get; }

    /// <summary>Who owns the sessions this connection uses (<c>user@db</c>), or <c>null</c> without authentication.</summary>
    public string? SessionOwner => Connection.Authentication.User is { } user ? $"{user.Name}@{user.Database}" : null;

    public CancellationToken CancellationToken { get; }

    /// <summary>The <c>operationTime</c> of the reply: the optime of the write, or the member's last applied optime for reads.</summary>
    public OpTime? OperationTime { get; set; }

    /// <summary>The transaction this command runs in, resolved by the dispatcher; <c>null</c> outside transactions.</summary>
    public Transaction? Transaction { get; set; }

    /// <summary>
    /// The optime a read outside a transaction read at, when it was not the member's latest data (majority and
    /// snapshot read concerns): the reply's <c>operationTime</c>, and a snapshot read's <c>atClusterTime</c>.
    /// </summary>
    public OpTime? ReadOpTime { get; private set; }

    /// <summary>The <c>operationTime</c> of a read's reply: the time of the snapshot it read, or the member's last applied
    /// optime.</summary>
    public OpTime ReadOperationTime => ReadOpTime ?? _member.LastApplied;

    /// <summary>The command's <c>readConcern.level</c>, or <c>null</c> when it gives none (local).</summary>
    public string? ReadConcernLevel =>
        Command.TryGetValue("readConcern", out var rc) && rc is BsonDocument readConcern
        && readConcern.TryGetValue("level", out var level) && level.IsString ? level.AsString : null;

    /// <summary>The command's <c>readConcern.atClusterTime</c> (snapshot reads), or <c>null</c>.</summary>
    public BsonTimestamp? AtClusterTime =>
        Command.TryGetValue("readConcern", out var rc) && rc is BsonDocument readConcern
        && readConcern.TryGetValue("atClusterTime", out var at) && at is BsonTimestamp timestamp ? timestamp : null;

    /// <summary>
    /// Runs a read at the command's read concern (in its transaction's snapshot, in one) under the member's storage lock,
    /// which <see cref="MemberGate.Read{T}"/> takes: see there for what each level reads.
    /// </summary>
    public T Read<T>(Func<IDocumentReader, T> read)
    {
        var (result, readOpTime) = _member.Gate.Read(Transaction, ReadConcernLevel, AtClusterTime, read);
        if (readOpTime is not null)
        {
            ReadOpTime = readOpTime;
        }

        return result;
    }

    /// <summary>Runs a read of the member's latest data, whatever the read concern (see <see cref="MemberGate.ReadLatest{T}"/>).</summary>
    public T ReadLatest<T>(Func<IDocumentReader, T> read) => _member.Gate.ReadLatest(read);

    /// <summary>Aborts the command's transaction, if any, because a statement in it failed (as on mongod).</summary>
    public void AbortTransactionOnStatementError()
    {
        if (Transaction is { } transaction)
        {
            _member.Gate.AbortTransaction(transaction, "a statement in it failed");
        }
    }

    /// <summary>
    /// Adds <c>atClusterTime</c> to a snapshot read's reply (in its cursor, or at the top for distinct), as mongod does,
    /// so that a snapshot session's later reads ask for the same time.
    /// </summary>
    public BsonDocument WithSnapshotTime(BsonDocument reply)
    {
        if (Transaction is null && ReadConcernLevel == "snapshot" && ReadOpTime is { } readTime)
        {
            var target = reply.TryGetValue("cursor", out var cursor) && cursor is BsonDocument cursorDocument ? cursorDocument : reply;
            target["atClusterTime"] = readTime.Timestamp;
        }

        return reply;
    }

    /// <summary>
    /// Runs a write on this member as primary, applied and logged at once under the storage lock, outside any
    /// transaction: catalog changes, and the output a read command writes (mapReduce).
    /// </summary>
    public T WriteNow<T>(Func<WriteUnit, T> write) => _member.Write(write);

    /// <summary>Runs a write: applied and logged at once, or buffered in the command's transaction.</summary>
    public T Write<T>(Func<IDocumentWriter, T> write) =>
        Transaction is { } transaction ? _member.WriteInTransaction(transaction, write) : _member.Write(write);

    /// <summary>A write concern error that the <c>failCommand</c> fail point asks to attach after the command ran.</summary>
    public BsonDocument? FailPointWriteConcernError { get; set; }

    /// <summary>The <c>errorLabels</c> the <c>failCommand</c> fail point gave, which replace the computed ones, or <c>null</c>.</summary>
    public BsonArray? ErrorLabelsOverride { get; set; }

    /// <summary>The value of the command's first field (the collection name for most commands).</summary>
    public BsonValue Target => Command.GetElement(0).Value;

    /// <summary>The collection the command names in its first field; a missing or non-string name is error 73 or 2.</summary>
    public string CollectionName
    {
        get
        {
            var value = Target;
            if (!value.IsString)
            {
                throw new MongoErrorException(ErrorCodes.InvalidNamespace, $"collection name has invalid type {BsonTypeName(value)}");
            }

            var name = value.AsString;
            if (name.Length == 0 || name.Contains('\0') || name.StartsWith('$'))
            {
                throw new MongoErrorException(ErrorCodes.InvalidNamespace, $"Invalid collection name: '{name}'");
            }

            return name;
        }
    }

    public string Namespace => $"{Database}.{CollectionName}";

    public Collation? Collation => Collation.Parse(Command.GetValue("collation", BsonNull.Value));

    public BsonDocument? Variables => Command.TryGetValue("let", out var let) && let is BsonDocument document ? document : null;

    /// <summary>A document-valued argument, or <c>null</c> when absent; any other type is TypeMismatch naming the field.</summary>
    public BsonDocument? OptionalDocument(string field)
    {
        if (!Command.TryGetValue(field, out var value) || value.IsBsonNull)
        {
            return null;
        }

        return value as BsonDocument
            ?? throw new MongoErrorException(ErrorCodes.TypeMismatch,
                $"BSON field '{CommandName}.{field}' is the wrong type '{BsonTypeName(value)}', expected type 'object'");
    }

    public BsonArray RequiredArray(string field)
    {
        if (!Command.TryGetValue(field, out var value))
        {
            throw new MongoErrorException(ErrorCodes.IDLFailedToParse,
                $"BSON field '{CommandName}.{field}' is missing but a required field");
        }

        return value as BsonArray
            ?? throw new MongoErrorException(ErrorCodes.TypeMismatch,
                $"BSON field '{CommandName}.{field}' is the wrong type '{BsonTypeName(value)}', expected type 'array'");
    }

    // mongod's IDL reports a value outside a field's declared range (validator: { gte: 0 }) with this location code.
    private const int IdlValueOutOfRange = 51024;

    /// <summary>A non-negative integer argument, or <paramref name="defaultValue"/> when absent; a negative one is error 51024, as mongod's
    /// IDL validators answer.</summary>
    public long OptionalNonNegative(string field, long defaultValue)
    {
        if (!Command.TryGetValue(field, out var value) || value.IsBsonNull)
        {
            return defaultValue;
        }

        if (!value.IsNumeric)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch,
                $"BSON field '{CommandName}.{field}' is the wrong type '{BsonTypeName(value)}', expected types '[long, int, decimal, " +
                    $"double]'");
        }

        var number = value.ToInt64();
        if (number < 0)
        {
            throw new MongoErrorException(IdlValueOutOfRange, $"BSON field '{field}' value must be >= 0, actual value '{number}'");
        }

        return number;
    }

    public bool OptionalBool(string field, bool defaultValue) =>
        Command.TryGetValue(field, out var value) && !value.IsBsonNull ? value.ToBoolean() : defaultValue;

    public TimeSpan? MaxTime => Command.TryGetValue("maxTimeMS", out var value) && value.IsNumeric && value.ToInt64() > 0
        ? TimeSpan.FromMilliseconds(value.ToInt64())
        : null;

    public static string BsonTypeName(BsonValue value) => value.BsonType switch
    {
        BsonType.Double => "double",
        BsonType.String => "string",
        BsonType.Document => "object",
        BsonType.Array => "array",
        BsonType.Binary => "binData",
        BsonType.ObjectId => "objectId",
        BsonType.Boolean => "bool",
        BsonType.DateTime => "date",
        BsonType.Null => "null",
        BsonType.RegularExpression => "regex",
        BsonType.Int32 => "int",
        BsonType.Timestamp => "timestamp",
        BsonType.Int64 => "long",
        BsonType.Decimal128 => "decimal",
        _ => value.BsonType.ToString().ToLowerInvariant(),
    };
}
