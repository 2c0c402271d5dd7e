using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// The <c>errorLabels</c> and write concern errors of transactions and retryable writes, as mongod 7.0 computes them
/// (src/mongo/db/error_labels.cpp). Commands go over a raw connection so the assertions see the server's exact reply,
/// without the labels a driver adds on its own.
/// </summary>
public sealed class TransactionErrorLabelTests : EmulatorTestBase
{
    private const string Db = "labels";

    private readonly BsonDocument _lsid = NewLsid();

    private static BsonDocument NewLsid() =>
        new("id", new BsonBinaryData(Guid.NewGuid().ToByteArray(bigEndian: true), BsonBinarySubType.UuidStandard));

    private static string[] Labels(BsonDocument reply) =>
        reply.TryGetValue("errorLabels", out var labels) ? labels.AsBsonArray.Select(l => l.AsString).ToArray() : [];

    private BsonDocument InTransaction(string json, long txnNumber = 1, bool start = false)
    {
        var command = Doc(json);
        command["lsid"] = _lsid;
        command["txnNumber"] = new BsonInt64(txnNumber);
        if (start)
        {
            command["startTransaction"] = true;
        }

        command["autocommit"] = false;
        return command;
    }

    private BsonDocument RetryableWrite(string json, long txnNumber)
    {
        var command = Doc(json);
        command["lsid"] = _lsid;
        command["txnNumber"] = new BsonInt64(txnNumber);
        return command;
    }

    private async Task<RawCommandClient> PrimaryAsync() => await RawCommandClient.ConnectAsync(Emulator.Primary!.Port);

    private static async Task FailAsync(RawCommandClient raw, string data)
    {
        var reply = await raw.RunAsync(Doc($"{{ configureFailPoint: 'failCommand', mode: {{ times: 1 }}, data: {data} }}"));
        Assert.Equal(1.0, reply["ok"].ToDouble());
    }

    /// <summary>Opens transaction 1 of the test's session with one insert, on <paramref name="raw"/>.</summary>
    private async Task StartWithInsertAsync(RawCommandClient raw, object id)
    {
        var insert = InTransaction($"{{ insert: 'c', documents: [ {{ _id: {BsonValue.Create(id).ToJson()} }} ] }}", start: true);
        Assert.Equal(1.0, (await raw.RunAsync(insert, Db))["ok"].ToDouble());
    }

    private static async Task InsertAtW1Async(RawCommandClient raw, string id)
    {
        var insert = Doc($"{{ insert: 'c', documents: [ {{ _id: '{id}' }} ], writeConcern: {{ w: 1 }} }}");
        Assert.Equal(1.0, (await raw.RunAsync(insert, Db))["ok"].ToDouble());
    }

    private void PauseSecondaries()
    {
        foreach (var secondary in Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary))
        {
            secondary.PauseReplication();
        }
    }

    [Theory]
    [InlineData("[]", new string[0])]
    [InlineData("['Custom']", new[] { "Custom" })]
    [InlineData("['RetryableWriteError', 'Other']", new[] { "RetryableWriteError", "Other" })]
    public async Task Labels_given_to_failCommand_with_an_error_code_replace_every_computed_label(string injected, string[] expected)
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, 1);

        // WriteConflict at commit would be TransientTransactionError; the fail point's labels win, even when empty.
        await FailAsync(raw, $"{{ failCommands: ['commitTransaction'], errorCode: 112, errorLabels: {injected} }}");
        var reply = await raw.RunAsync(InTransaction("{ commitTransaction: 1 }"));
        Assert.Equal(112, reply["code"].AsInt32);
        Assert.Equal(expected, Labels(reply));
        Assert.Equal(expected.Length > 0, reply.Contains("errorLabels"));
    }

    [Theory]
    [InlineData("commitTransaction")]
    [InlineData("abortTransaction")]
    public async Task Labels_given_to_failCommand_with_a_write_concern_error_reach_commit_and_abort(string command)
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, 1);

        var injected = Doc("{ code: 64, errmsg: 'injected' }");
        var labels = "['RetryableWriteError']";
        await FailAsync(raw, $"{{ failCommands: ['{command}'], writeConcernError: {injected.ToJson()}, errorLabels: {labels} }}");
        var reply = await raw.RunAsync(InTransaction($"{{ {command}: 1 }}"));

        // The command ran; its reply carries the injected error exactly as given (mongod appends it untouched) and
        // exactly the injected labels, where mongod itself would give none for code 64.
        Assert.Equal(1.0, reply["ok"].ToDouble());
        Assert.Equal<BsonValue>(injected, reply["writeConcernError"]);
        Assert.Equal(["RetryableWriteError"], Labels(reply));
    }

    [Theory]
    [InlineData(91, new[] { "RetryableWriteError" })]
    [InlineData(189, new[] { "RetryableWriteError" })]
    [InlineData(64, new string[0])]
    [InlineData(100, new string[0])]
    [InlineData(79, new string[0])]
    [InlineData(50, new string[0])]
    public async Task A_write_concern_error_at_commit_is_labelled_by_its_code_only(int code, string[] expected)
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, 1);

        await FailAsync(raw, $"{{ failCommands: ['commitTransaction'], writeConcernError: {{ code: {code}, errmsg: 'injected' }} }}");
        var reply = await raw.RunAsync(InTransaction("{ commitTransaction: 1 }"));
        Assert.Equal(code, reply["writeConcernError"]["code"].AsInt32);
        Assert.Equal(expected, Labels(reply));
    }

    [Theory]
    [InlineData(112)] // WriteConflict
    [InlineData(24)] // LockTimeout
    [InlineData(246)] // SnapshotUnavailable
    [InlineData(251)] // NoSuchTransaction
    [InlineData(91)] // ShutdownInProgress: retriable, so transient inside a transaction, and not also RetryableWriteError
    [InlineData(10107)] // NotWritablePrimary
    public async Task Transient_errors_of_a_statement_in_a_transaction_get_only_TransientTransactionError(int code)
    {
        using var raw = await PrimaryAsync();
        await FailAsync(raw, $"{{ failCommands: ['insert'], errorCode: {code} }}");
        var reply = await raw.RunAsync(InTransaction("{ insert: 'c', documents: [ { _id: 1 } ] }", start: true), Db);
        Assert.Equal(code, reply["code"].AsInt32);
        Assert.DoesNotContain("Location", reply["codeName"].AsString);
        Assert.Equal(["TransientTransactionError"], Labels(reply));
    }

    [Theory]
    [InlineData(2)] // BadValue
    [InlineData(50)] // MaxTimeMSExpired is no RetriableError
    [InlineData(11000)]
    public async Task Other_errors_of_a_statement_in_a_transaction_get_no_label(int code)
    {
        using var raw = await PrimaryAsync();
        await FailAsync(raw, $"{{ failCommands: ['insert'], errorCode: {code} }}");
        var reply = await raw.RunAsync(InTransaction("{ insert: 'c', documents: [ { _id: 1 } ] }", start: true), Db);
        Assert.Equal(code, reply["code"].AsInt32);
        Assert.Empty(Labels(reply));
    }

    [Theory]
    [InlineData(112, new[] { "TransientTransactionError" })]
    [InlineData(24, new[] { "TransientTransactionError" })]
    [InlineData(251, new[] { "TransientTransactionError" })]
    [InlineData(91, new[] { "RetryableWriteError" })]
    [InlineData(11602, new[] { "RetryableWriteError" })]
    [InlineData(50, new string[0])]
    [InlineData(2, new string[0])]
    public async Task Errors_at_commit_are_transient_only_for_always_transient_codes_and_NoSuchTransaction(int code, string[] expected)
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, 1);
        await FailAsync(raw, $"{{ failCommands: ['commitTransaction'], errorCode: {code} }}");
        var reply = await raw.RunAsync(InTransaction("{ commitTransaction: 1 }"));
        Assert.Equal(code, reply["code"].AsInt32);
        Assert.Equal(expected, Labels(reply));
    }

    [Fact]
    public async Task A_retryable_write_gets_RetryableWriteError_and_NoWritesPerformed_once_the_client_has_written()
    {
        using var raw = await PrimaryAsync();

        // A fresh connection has no last optime, so mongod cannot tell whether it wrote: no NoWritesPerformed.
        await FailAsync(raw, "{ failCommands: ['insert'], errorCode: 91 }");
        var first = await raw.RunAsync(RetryableWrite("{ insert: 'c', documents: [ { _id: 1 } ] }", 1), Db);
        Assert.Equal(["RetryableWriteError"], Labels(first));

        Assert.Equal(1.0, (await raw.RunAsync(RetryableWrite("{ insert: 'c', documents: [ { _id: 2 } ] }", 2), Db))["ok"].ToDouble());

        await FailAsync(raw, "{ failCommands: ['insert'], errorCode: 10107 }");
        var second = await raw.RunAsync(RetryableWrite("{ insert: 'c', documents: [ { _id: 3 } ] }", 3), Db);
        Assert.Equal(["RetryableWriteError", "NoWritesPerformed"], Labels(second));

        // Not a RetriableError: no label at all.
        await FailAsync(raw, "{ failCommands: ['insert'], errorCode: 2 }");
        Assert.Empty(Labels(await raw.RunAsync(RetryableWrite("{ insert: 'c', documents: [ { _id: 4 } ] }", 4), Db)));
    }

    [Theory]
    [InlineData(91)]
    [InlineData(112)]
    [InlineData(251)]
    public async Task Errors_without_txnNumber_have_no_labels(int code)
    {
        using var raw = await PrimaryAsync();
        await FailAsync(raw, $"{{ failCommands: ['insert'], errorCode: {code} }}");
        var plain = Doc("{ insert: 'c', documents: [ { _id: 1 } ] }");
        plain["lsid"] = _lsid;
        var reply = await raw.RunAsync(plain, Db);
        Assert.Equal(code, reply["code"].AsInt32);
        Assert.False(reply.Contains("errorLabels"), reply.ToJson());
    }

    [Fact]
    public async Task A_duplicate_key_in_a_transaction_is_a_write_error_without_labels()
    {
        using var raw = await PrimaryAsync();
        Assert.Equal(1.0, (await raw.RunAsync(Doc("{ insert: 'c', documents: [ { _id: 1 } ] }"), Db))["ok"].ToDouble());
        var reply = await raw.RunAsync(InTransaction("{ insert: 'c', documents: [ { _id: 1 } ] }", start: true), Db);

        // mongod labels only the top-level error; the duplicate is a statement error of an ok reply.
        Assert.Equal(1.0, reply["ok"].ToDouble());
        Assert.Equal(11000, reply["writeErrors"][0]["code"].AsInt32);
        Assert.False(reply.Contains("errorLabels"), reply.ToJson());

        // Through the driver the same: the duplicate's exception has no TransientTransactionError.
        var collection = Client.GetDatabase(Db).GetCollection<BsonDocument>("c");
        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        var error = await Assert.ThrowsAsync<MongoWriteException>(() => collection.InsertOneAsync(session, Doc("{ _id: 1 }")));
        Assert.Equal(ServerErrorCategory.DuplicateKey, error.WriteError.Category);
        Assert.False(error.HasErrorLabel("TransientTransactionError"));

        // The drivers' unified test: a duplicate within one insertMany of a transaction.
        using var another = await Client.StartSessionAsync();
        another.StartTransaction();
        var bulk = await Assert.ThrowsAsync<MongoBulkWriteException<BsonDocument>>(
            () => collection.InsertManyAsync(another, [Doc("{ _id: 2 }"), Doc("{ _id: 2 }")]));
        Assert.Contains("E11000", bulk.Message + bulk.WriteErrors[0].Message);
        Assert.False(bulk.HasErrorLabel("TransientTransactionError"));
        Assert.False(bulk.HasErrorLabel("UnknownTransactionCommitResult"));
    }

    [Fact]
    public async Task Write_concern_errors_of_the_emulator_carry_code_codeName_errmsg_and_errInfo()
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, 1);
        var commit = InTransaction("{ commitTransaction: 1 }");
        commit["writeConcern"] = Doc("{ w: 5 }");
        var unsatisfiable = await raw.RunAsync(commit);
        var error = unsatisfiable["writeConcernError"].AsBsonDocument;
        Assert.Equal(100, error["code"].AsInt32);
        Assert.Equal("UnsatisfiableWriteConcern", error["codeName"].AsString);
        Assert.False(string.IsNullOrEmpty(error["errmsg"].AsString));
        Assert.Equal<BsonValue>(Doc("{ w: 5, wtimeout: 0, provenance: 'clientSupplied' }"), error["errInfo"]["writeConcern"]);
        Assert.Empty(Labels(unsatisfiable));

        PauseSecondaries();
        var insert = RetryableWrite("{ insert: 'c', documents: [ { _id: 2 } ], writeConcern: { w: 'majority', wtimeout: 100 } }", 7);
        var timedOut = await raw.RunAsync(insert, Db);
        var timeout = timedOut["writeConcernError"].AsBsonDocument;
        Assert.Equal(64, timeout["code"].AsInt32);
        Assert.Equal("WriteConcernFailed", timeout["codeName"].AsString);
        Assert.True(timeout["errInfo"]["wtimeout"].AsBoolean);
        Assert.Equal<BsonValue>(Doc("{ w: 'majority', wtimeout: 100, provenance: 'clientSupplied' }"), timeout["errInfo"]["writeConcern"]);
        Assert.Empty(Labels(timedOut));
    }

    [Fact]
    public async Task A_commit_whose_write_concern_times_out_has_no_server_label()
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, 1);
        PauseSecondaries();
        var commit = InTransaction("{ commitTransaction: 1, writeConcern: { w: 'majority', wtimeout: 100 } }");
        var reply = await raw.RunAsync(commit);
        Assert.Equal(1.0, reply["ok"].ToDouble());
        Assert.Equal(64, reply["writeConcernError"]["code"].AsInt32);
        Assert.Equal("WriteConcernFailed", reply["writeConcernError"]["codeName"].AsString);

        // The driver adds UnknownTransactionCommitResult itself; mongod never does.
        Assert.False(reply.Contains("errorLabels"), reply.ToJson());
    }

    [Fact]
    public async Task An_abort_waits_for_the_write_concern_of_the_clients_own_writes_only()
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, 1);
        PauseSecondaries();

        // Another client's write that cannot replicate does not concern this abort (mongod waits on the client's lastOp).
        using (var other = await PrimaryAsync())
        {
            await InsertAtW1Async(other, "other");
        }

        var abort = await raw.RunAsync(InTransaction("{ abortTransaction: 1, writeConcern: { w: 'majority', wtimeout: 100 } }"));
        Assert.Equal(1.0, abort["ok"].ToDouble());
        Assert.False(abort.Contains("writeConcernError"), abort.ToJson());

        // Its own earlier write does: the abort reports that it is not majority-committed, without a label (64 is not retriable).
        await InsertAtW1Async(raw, "own");
        var second = InTransaction("{ insert: 'c', documents: [ { _id: 2 } ] }", txnNumber: 2, start: true);
        Assert.Equal(1.0, (await raw.RunAsync(second, Db))["ok"].ToDouble());
        var unsure = await raw.RunAsync(InTransaction("{ abortTransaction: 1, writeConcern: { w: 'majority', wtimeout: 100 } }", 2));
        Assert.Equal(1.0, unsure["ok"].ToDouble());
        Assert.Equal(64, unsure["writeConcernError"]["code"].AsInt32);
        Assert.False(unsure.Contains("errorLabels"), unsure.ToJson());
    }

    [Fact]
    public async Task An_unknown_write_concern_mode_fails_the_commit_before_it_commits()
    {
        using var raw = await PrimaryAsync();
        await StartWithInsertAsync(raw, "kept");
        var reply = await raw.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 'nonsense' } }"));
        Assert.Equal(79, reply["code"].AsInt32);
        Assert.Equal("UnknownReplWriteConcern", reply["codeName"].AsString);
        Assert.False(reply.Contains("errorLabels"), reply.ToJson());
        Assert.Empty(Emulator.Primary!.GetDocuments(Db, "c"));

        // The transaction is still open and commits with a valid write concern.
        Assert.Equal(1.0, (await raw.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 1 } }")))["ok"].ToDouble());
        Assert.Single(Emulator.Primary!.GetDocuments(Db, "c"));
    }

    [Fact]
    public async Task NoSuchTransaction_at_commit_is_transient_only_without_a_write_concern_error()
    {
        using var raw = await PrimaryAsync();
        var plain = await raw.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 'majority', wtimeout: 5000 } }", 5));
        Assert.Equal(251, plain["code"].AsInt32);
        Assert.False(plain.Contains("writeConcernError"), plain.ToJson());
        Assert.Equal(["TransientTransactionError"], Labels(plain));

        // mongod writes a no-op and waits for the write concern before it answers NoSuchTransaction; when that wait
        // fails, whether the transaction's fate is durable is unknown, so it is not safe to retry it as a whole.
        PauseSecondaries();
        var unsure = await raw.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 'majority', wtimeout: 100 } }", 6));
        Assert.Equal(251, unsure["code"].AsInt32);
        Assert.Equal(64, unsure["writeConcernError"]["code"].AsInt32);
        Assert.Equal("WriteConcernFailed", unsure["writeConcernError"]["codeName"].AsString);
        Assert.False(unsure.Contains("errorLabels"), unsure.ToJson());
    }

    [Fact]
    public async Task A_commit_retried_on_the_new_primary_that_replicated_it_answers_ok_and_commits_once()
    {
        using (var raw = await PrimaryAsync())
        {
            await StartWithInsertAsync(raw, "once");
            Assert.Equal(1.0, (await raw.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 3 } }")))["ok"].ToDouble());
        }

        var primary = await Emulator.StepDownAsync();
        using var retry = await RawCommandClient.ConnectAsync(primary.Port);
        var again = await retry.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 'majority' } }"));
        Assert.Equal(1.0, again["ok"].ToDouble());
        Assert.False(again.Contains("errorLabels"), again.ToJson());

        await Emulator.WaitForReplicationAsync();
        Assert.All(Emulator.Members, m => Assert.Single(m.GetDocuments(Db, "c")));
    }

    [Fact]
    public async Task A_commit_retried_on_a_primary_that_never_saw_it_answers_NoSuchTransaction_and_commits_nothing()
    {
        var oldPrimary = Emulator.Primary!;
        using (var raw = await PrimaryAsync())
        {
            await StartWithInsertAsync(raw, "lost");
            PauseSecondaries();
            Assert.Equal(1.0, (await raw.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 1 } }")))["ok"].ToDouble());
        }

        // The only member that applied the commit goes away; the other two elect one of themselves.
        await oldPrimary.StopAsync();
        var primary = await Emulator.WaitForPrimaryAsync();
        Assert.NotEqual(oldPrimary.Port, primary.Port);
        var other = Emulator.Members.Single(m => m.Port != primary.Port && m.Port != oldPrimary.Port);

        // The other secondary still does not replicate: the no-op cannot reach a majority, so no transient label.
        using var retry = await RawCommandClient.ConnectAsync(primary.Port);
        var unsure = await retry.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 'majority', wtimeout: 200 } }"));
        Assert.Equal(251, unsure["code"].AsInt32);
        Assert.Equal(64, unsure["writeConcernError"]["code"].AsInt32);
        Assert.False(unsure.Contains("errorLabels"), unsure.ToJson());

        other.ResumeReplication();
        var known = await retry.RunAsync(InTransaction("{ commitTransaction: 1, writeConcern: { w: 'majority', wtimeout: 10000 } }"));
        Assert.Equal(251, known["code"].AsInt32);
        Assert.False(known.Contains("writeConcernError"), known.ToJson());
        Assert.Equal(["TransientTransactionError"], Labels(known));
        Assert.Empty(primary.GetDocuments(Db, "c"));
    }

    [Fact]
    public async Task The_driver_retries_a_commit_whose_injected_write_concern_error_carries_RetryableWriteError()
    {
        var collection = Client.GetDatabase(Db).GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(Doc("{ _id: 'seed' }"));
        using var raw = await PrimaryAsync();
        const string Injected = "writeConcernError: { code: 64, errmsg: 'injected' }, errorLabels: ['RetryableWriteError']";
        await FailAsync(raw, $"{{ failCommands: ['commitTransaction'], {Injected} }}");

        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await collection.InsertOneAsync(session, Doc("{ _id: 'retried' }"));

        // Without the label the driver would throw the write concern error; with it, it commits again, which answers ok.
        await session.CommitTransactionAsync();
        Assert.Equal(2, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }

    [Fact]
    public async Task A_commit_the_application_retries_after_an_unknown_result_commits_once()
    {
        var collection = Client.GetDatabase(Db).GetCollection<BsonDocument>("c");
        await collection.InsertOneAsync(Doc("{ _id: 'seed' }"));
        using var raw = await PrimaryAsync();
        await FailAsync(raw, "{ failCommands: ['commitTransaction'], writeConcernError: { code: 64, errmsg: 'injected' } }");

        using var session = await Client.StartSessionAsync();
        session.StartTransaction();
        await collection.InsertOneAsync(session, Doc("{ _id: 'once' }"));

        // The server gives no label for 64; the driver adds UnknownTransactionCommitResult itself.
        var unknown = await Assert.ThrowsAnyAsync<MongoException>(() => session.CommitTransactionAsync());
        Assert.True(unknown.HasErrorLabel("UnknownTransactionCommitResult"), unknown.ToString());
        Assert.False(unknown.HasErrorLabel("RetryableWriteError"), unknown.ToString());

        // The commit had applied; committing again answers ok and applies nothing twice.
        await session.CommitTransactionAsync();
        Assert.Equal(1, await collection.CountDocumentsAsync(Builders<BsonDocument>.Filter.Eq("_id", "once")));
        Assert.Equal(2, await collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty));
    }
}
