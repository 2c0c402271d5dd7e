using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Chaos;

/// <summary>
/// Several concurrent clients, each running a seeded random mix of operations one at a time and recording each in the
/// history. The mix (which operation, which arguments) depends only on the seed; how many operations fit in the run and
/// how they interleave with faults depend on timing.
/// </summary>
internal sealed class Workload(string connectionString, string database, int clients, int seed, History history, Stopwatch clock)
{
    /// <summary>How long one operation may take before the client gives up and records it as unknown.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(10);

    public async Task RunAsync(CancellationToken stop)
    {
        var tasks = Enumerable.Range(0, clients).Select(i => RunClientAsync(i, stop));
        await Task.WhenAll(tasks);
    }

    private async Task RunClientAsync(int index, CancellationToken stop)
    {
        await using var client = await ChaosClient.StartAsync(index, connectionString, database, seed, history, clock);
        while (!stop.IsCancellationRequested)
        {
            await client.RunOneAsync();
            try
            {
                // Think time: keeps the 2-core CI machines usable and lets faults land between operations.
                await Task.Delay(client.ThinkTime(), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}

/// <summary>
/// One client. It has two MongoClients, one with retryable writes off (so a refused single insert is a definite
/// failure) and one with the driver's default retryable writes (register updates, transactions), and one causally
/// consistent session on each; after every operation each session is advanced to the other's cluster and operation
/// time, so the two behave as one causal session (as the provider carries time between contexts).
/// </summary>
internal sealed class ChaosClient : IAsyncDisposable
{
    private static readonly ReadPreferenceMode[] Modes =
    [
        ReadPreferenceMode.Primary, ReadPreferenceMode.PrimaryPreferred, ReadPreferenceMode.Secondary,
        ReadPreferenceMode.SecondaryPreferred, ReadPreferenceMode.Nearest,
    ];

    private readonly int _index;
    private readonly Random _random;
    private readonly History _history;
    private readonly Stopwatch _clock;
    private readonly MongoClient _plainClient;
    private readonly MongoClient _retryClient;
    private readonly IClientSessionHandle _plain;
    private readonly IClientSessionHandle _retry;
    private readonly IMongoDatabase _plainDb;
    private readonly IMongoDatabase _retryDb;
    private readonly Microsoft.EntityFrameworkCore.DbContextOptions<ChaosContext> _providerOptions;
    private readonly List<(string Loan, string Book)> _loans = [];
    private int _sequence;

    private ChaosClient(
        int index, int seed, History history, Stopwatch clock, MongoClient plainClient, MongoClient retryClient,
        IClientSessionHandle plain, IClientSessionHandle retry, string database)
    {
        _index = index;
        // Not HashCode.Combine: its hashes are randomised per process, and a seed must replay in another process.
        _random = new Random(ClientSeed(seed, index));
        _history = history;
        _clock = clock;
        _plainClient = plainClient;
        _retryClient = retryClient;
        _plain = plain;
        _retry = retry;
        _plainDb = plainClient.GetDatabase(database);
        _retryDb = retryClient.GetDatabase(database);
        _providerOptions = ProviderBorrow.Options(retryClient, database);
    }

    public static async Task<ChaosClient> StartAsync(
        int index, string connectionString, string database, int seed, History history, Stopwatch clock)
    {
        var plainClient = new MongoClient(Settings(connectionString, retryWrites: false));
        var retryClient = new MongoClient(Settings(connectionString, retryWrites: true));
        var options = new ClientSessionOptions { CausalConsistency = true };
        var plain = await plainClient.StartSessionAsync(options);
        var retry = await retryClient.StartSessionAsync(options);
        return new ChaosClient(index, seed, history, clock, plainClient, retryClient, plain, retry, database);
    }

    /// <summary>The seed of one client's choices, derived from the run's seed the same way in every process.</summary>
    public static int ClientSeed(int seed, int index) => unchecked((seed * 1_000_003) + ((index + 1) * 7_919));

    public static MongoClientSettings Settings(string connectionString, bool retryWrites)
    {
        var settings = MongoClientSettings.FromConnectionString(connectionString);
        settings.RetryWrites = retryWrites;
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        settings.SocketTimeout = TimeSpan.FromSeconds(15);
        return settings;
    }

    public TimeSpan ThinkTime() => TimeSpan.FromMilliseconds(_random.Next(0, 20));

    public async Task RunOneAsync()
    {
        // Every operation draws the same numbers, whatever the client's state, so that a replay whose outcomes differ
        // (a borrow that found no copy this time) keeps the rest of the client's choices in step.
        var roll = _random.Next(100);
        var returnIfAny = _random.Next(3) > 0;
        var viaProvider = _random.Next(2) == 0;
        var op = roll switch
        {
            < 15 => await InsertAsync(OpKind.InsertW1),
            < 32 => await InsertAsync(OpKind.InsertMajority),
            < 48 => await PushAsync(),
            < 62 => await TransferAsync(),
            < 76 => _loans.Count > 0 && returnIfAny ? await ReturnAsync()
                : viaProvider ? await ProviderBorrowAsync() : await BorrowAsync(),
            _ => await ReadAsync(),
        };
        _history.Add(op);
        Link(_plain, _retry);
        Link(_retry, _plain);
    }

    private static void Link(IClientSessionHandle from, IClientSessionHandle to)
    {
        if (from.ClusterTime is { } clusterTime)
        {
            to.AdvanceClusterTime(clusterTime);
        }

        if (from.OperationTime is { } operationTime)
        {
            to.AdvanceOperationTime(operationTime);
        }
    }

    private Operation Start(OpKind kind) => new()
    {
        Id = _history.NextId(),
        Client = _index,
        Kind = kind,
        Invoked = _clock.Elapsed,
    };

    private string NextValue() => $"c{_index}-{++_sequence}";

    private static WriteConcern Majority => WriteConcern.WMajority.With(wTimeout: TimeSpan.FromSeconds(5));

    private async Task<Operation> InsertAsync(OpKind kind)
    {
        var op = Start(kind) with { Value = NextValue() };
        var concern = kind == OpKind.InsertMajority ? Majority : WriteConcern.W1;
        var collection = _plainDb.GetCollection<BsonDocument>(Schema.Inserts).WithWriteConcern(concern);
        using var timeout = new CancellationTokenSource(Workload.OperationTimeout);
        try
        {
            await collection.InsertOneAsync(
                _plain, new BsonDocument { { "_id", op.Value }, { "c", _index }, { "v", op.Value } }, cancellationToken: timeout.Token);
            return Done(op, Outcome.Ok, null);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            var (outcome, error) = Outcomes.OfSingleWrite(ex);
            return Done(op, outcome, error);
        }
    }

    private async Task<Operation> PushAsync()
    {
        var register = Schema.RegisterIds[_random.Next(Schema.RegisterIds.Count)];
        var op = Start(OpKind.RegisterPush) with { Value = NextValue(), Target = register };
        var collection = _retryDb.GetCollection<BsonDocument>(Schema.Registers).WithWriteConcern(Majority);
        using var timeout = new CancellationTokenSource(Workload.OperationTimeout);
        try
        {
            var update = Builders<BsonDocument>.Update.Inc("n", 1).Push("vals", op.Value);
            var result = await collection.UpdateOneAsync(
                _retry, Builders<BsonDocument>.Filter.Eq("_id", register), update, cancellationToken: timeout.Token);
            return result.MatchedCount == 1
                ? Done(op, Outcome.Ok, null)
                : Done(op, Outcome.Unknown, $"matched {result.MatchedCount}: the register is missing");
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            var (outcome, error) = Outcomes.OfRetryableWrite(ex);
            return Done(op, outcome, error);
        }
    }

    /// <summary>
    /// Moves money between two accounts, pushes the transfer's id on both and records it, all in one transaction.
    /// Explicit start/commit rather than WithTransactionAsync, so each attempt is one operation with its own outcome
    /// (WithTransactionAsync retries inside, which would hide attempts that failed or whose outcome is unknown).
    /// </summary>
    private async Task<Operation> TransferAsync()
    {
        var count = Schema.AccountIds.Count;
        var fromIndex = _random.Next(count);
        var from = Schema.AccountIds[fromIndex];
        var to = Schema.AccountIds[(fromIndex + 1 + _random.Next(count - 1)) % count];
        var amount = _random.Next(1, 30);
        var op = Start(OpKind.Transfer) with { Value = $"t{_index}-{++_sequence}", From = from, To = to, Amount = amount };
        var accounts = _retryDb.GetCollection<BsonDocument>(Schema.Accounts);
        var transfers = _retryDb.GetCollection<BsonDocument>(Schema.Transfers);
        var (outcome, error) = await RunTransactionAsync(async token =>
        {
            var source = await accounts.Find(_retry, Builders<BsonDocument>.Filter.Eq("_id", from)).FirstOrDefaultAsync(token);
            if (source is null || source["balance"].ToInt32() < amount)
            {
                return source is null ? "account missing" : "insufficient funds";
            }

            await accounts.UpdateOneAsync(
                _retry, Builders<BsonDocument>.Filter.Eq("_id", from),
                Builders<BsonDocument>.Update.Inc("balance", -amount).Push("applied", op.Value), cancellationToken: token);
            await accounts.UpdateOneAsync(
                _retry, Builders<BsonDocument>.Filter.Eq("_id", to),
                Builders<BsonDocument>.Update.Inc("balance", amount).Push("applied", op.Value), cancellationToken: token);
            await transfers.InsertOneAsync(
                _retry,
                new BsonDocument { { "_id", op.Value }, { "from", from }, { "to", to }, { "amount", amount } },
                cancellationToken: token);
            return null;
        });
        return Done(op, outcome, error);
    }

    /// <summary>The sample's borrow: a conditional decrement of the available copies and a loan, in one transaction.</summary>
    private async Task<Operation> BorrowAsync()
    {
        var book = Schema.Copies.Keys.ElementAt(_random.Next(Schema.Copies.Count));
        var op = Start(OpKind.Borrow) with { Value = $"l{_index}-{++_sequence}", Target = book };
        var outcome = await RunTransactionAsync(async token =>
        {
            var taken = await _retryDb.GetCollection<BsonDocument>(Schema.Books).UpdateOneAsync(
                _retry,
                Builders<BsonDocument>.Filter.Eq("_id", book) & Builders<BsonDocument>.Filter.Gt("available", 0),
                Builders<BsonDocument>.Update.Inc("available", -1),
                cancellationToken: token);
            if (taken.ModifiedCount == 0)
            {
                return "no copy available";
            }

            await _retryDb.GetCollection<BsonDocument>(Schema.Loans).InsertOneAsync(
                _retry,
                new BsonDocument { { "_id", op.Value }, { "book", book }, { "c", _index }, { "active", true } },
                cancellationToken: token);
            return null;
        });
        if (outcome.Outcome == Outcome.Ok)
        {
            _loans.Add((op.Value!, book));
        }

        return Done(op, outcome.Outcome, outcome.Error);
    }

    private async Task<Operation> ProviderBorrowAsync()
    {
        var book = Schema.Copies.Keys.ElementAt(_random.Next(Schema.Copies.Count));
        var op = Start(OpKind.ProviderBorrow) with { Value = $"l{_index}-{++_sequence}", Target = book };
        using var timeout = new CancellationTokenSource(Workload.OperationTimeout);
        try
        {
            if (await ProviderBorrow.RunAsync(_providerOptions, op.Value!, book, _index, timeout.Token) is { } reason)
            {
                return Done(op, Outcome.Fail, reason);
            }

            _loans.Add((op.Value!, book));
            return Done(op, Outcome.Ok, null);
        }
#pragma warning disable CA1031 // EF wraps driver errors (RetryLimitExceededException, DbUpdateException): Classify unwraps them.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var (outcome, error) = ProviderBorrow.Classify(ex);
            return Done(op, outcome, error);
        }
    }

    /// <summary>Returns one of the client's acknowledged loans: inactive (only if still active) and a copy back.</summary>
    private async Task<Operation> ReturnAsync()
    {
        var index = _random.Next(_loans.Count);
        var (loan, book) = _loans[index];
        var op = Start(OpKind.Return) with { Value = loan, Target = book };
        var outcome = await RunTransactionAsync(async token =>
        {
            var ended = await _retryDb.GetCollection<BsonDocument>(Schema.Loans).UpdateOneAsync(
                _retry,
                Builders<BsonDocument>.Filter.Eq("_id", loan) & Builders<BsonDocument>.Filter.Eq("active", true),
                Builders<BsonDocument>.Update.Set("active", false),
                cancellationToken: token);
            if (ended.ModifiedCount == 0)
            {
                return "loan not active";
            }

            await _retryDb.GetCollection<BsonDocument>(Schema.Books).UpdateOneAsync(
                _retry,
                Builders<BsonDocument>.Filter.Eq("_id", book),
                Builders<BsonDocument>.Update.Inc("available", 1),
                cancellationToken: token);
            return null;
        });

        // Returned, or perhaps returned: either way the client stops treating it as its own active loan.
        if (outcome.Outcome != Outcome.Fail)
        {
            _loans.RemoveAt(index);
        }

        return Done(op, outcome.Outcome, outcome.Error);
    }

    /// <summary>
    /// One transaction attempt: the body returns null to commit or a reason to abort. Errors before the commit mean
    /// nothing was committed; the commit's own error decides between fail and unknown.
    /// </summary>
    private async Task<(Outcome Outcome, string? Error)> RunTransactionAsync(Func<CancellationToken, Task<string?>> body)
    {
        using var timeout = new CancellationTokenSource(Workload.OperationTimeout);
        _retry.StartTransaction(new TransactionOptions(ReadConcern.Snapshot, ReadPreference.Primary, Majority));
        try
        {
            if (await body(timeout.Token) is { } reason)
            {
                await AbortQuietlyAsync();
                return (Outcome.Fail, reason);
            }
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            // Nothing was committed: the transaction dies with the abort, or with the server's transaction timeout.
            await AbortQuietlyAsync();
            return (Outcome.Fail, "before commit: " + Outcomes.Describe(ex));
        }

        try
        {
            await _retry.CommitTransactionAsync(timeout.Token);
            return (Outcome.Ok, null);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            return Outcomes.OfCommit(ex);
        }
    }

    private async Task AbortQuietlyAsync()
    {
        if (!_retry.IsInTransaction)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _retry.AbortTransactionAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            // The driver leaves the session usable whatever the abort answered.
        }
    }

    /// <summary>
    /// Reads the client's own values, from the inserts collection or from one register, with a random read preference
    /// and read concern, in the causal session (so the driver sends afterClusterTime).
    /// </summary>
    private async Task<Operation> ReadAsync()
    {
        var mode = Modes[_random.Next(Modes.Length)];
        var majority = _random.Next(2) == 0;
        var target = _random.Next(2) == 0 ? Schema.Inserts : Schema.RegisterIds[_random.Next(Schema.RegisterIds.Count)];
        var op = Start(OpKind.Read) with
        {
            Target = target,
            ReadPreference = mode.ToString(),
            ReadConcern = majority ? "majority" : "local",
        };
        var db = _plainDb.WithReadPreference(new ReadPreference(mode)).WithReadConcern(majority ? ReadConcern.Majority : ReadConcern.Local);
        using var timeout = new CancellationTokenSource(Workload.OperationTimeout);
        try
        {
            List<string> seen;
            if (target == Schema.Inserts)
            {
                var docs = await db.GetCollection<BsonDocument>(Schema.Inserts)
                    .Find(_plain, Builders<BsonDocument>.Filter.Eq("c", _index)).ToListAsync(timeout.Token);
                seen = [.. docs.Select(d => d["v"].AsString)];
            }
            else
            {
                var doc = await db.GetCollection<BsonDocument>(Schema.Registers)
                    .Find(_plain, Builders<BsonDocument>.Filter.Eq("_id", target)).FirstOrDefaultAsync(timeout.Token);
                var prefix = $"c{_index}-";
                seen = doc is null
                    ? []
                    : [.. doc["vals"].AsBsonArray.Select(v => v.AsString).Where(v => v.StartsWith(prefix, StringComparison.Ordinal))];
            }

            return Done(op, Outcome.Ok, null) with { Seen = seen };
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            // A read has no effect, so a failed one is simply a failure.
            return Done(op, Outcome.Fail, Outcomes.Describe(ex));
        }
    }

    private Operation Done(Operation op, Outcome outcome, string? error) =>
        op with { Completed = _clock.Elapsed, Outcome = outcome, Error = error };

    public async ValueTask DisposeAsync()
    {
        _plain.Dispose();
        _retry.Dispose();
        _plainClient.Dispose();
        _retryClient.Dispose();
        await Task.CompletedTask;
    }
}
